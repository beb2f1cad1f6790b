import { Injectable } from '@nestjs/common';
import { ORANGE_SMS_PATHS } from '../orange-sms.constants.js';
import { OrangeSmsAccounts } from '../accounts/orange-sms.accounts.js';
import { OrangeSmsApiError, OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import { OrangeSmsApiClient } from '../http/orange-sms.api-client.js';
import { normaliseSenderAddress } from '../addresses/orange-sms.addresses.js';
import type {
  DeliveryReceiptSubscription,
  SubscribeDeliveryReceiptsInput,
} from '../interfaces/orange-sms.subscription.interfaces.js';

interface OrangeSubscriptionBody {
  deliveryReceiptSubscription?: {
    callbackReference?: { notifyURL?: string; callbackData?: string };
    resourceURL?: string;
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Orange's v1 delivery-receipt subscriptions (API reference §3.1): create (201), read (200), delete
 * (204). Orange also sets the receipt URL by request through its portal; both end at the webhooks.
 */
@Injectable()
export class OrangeSmsSubscriptions {
  constructor(
    private readonly api: OrangeSmsApiClient,
    private readonly accounts: OrangeSmsAccounts,
  ) {}

  async subscribe(input: SubscribeDeliveryReceiptsInput): Promise<DeliveryReceiptSubscription> {
    const notifyUrl = checkNotifyUrl(input?.notifyUrl);
    const account = await this.accounts.get(input.account);
    const senderAddress =
      input.senderAddress === undefined ? account.sending.senderAddress : normaliseSenderAddress(input.senderAddress);
    if (
      input.callbackData !== undefined &&
      (typeof input.callbackData !== 'string' || input.callbackData.length > 256)
    ) {
      throw new OrangeSmsValidationError('callbackData', 'expected a string of at most 256 characters');
    }
    const { data } = await this.api.call<OrangeSubscriptionBody>({
      via: account.access,
      method: 'POST',
      path: ORANGE_SMS_PATHS.subscriptions(senderAddress),
      json: {
        deliveryReceiptSubscription: {
          callbackReference: {
            notifyURL: notifyUrl,
            ...(input.callbackData !== undefined ? { callbackData: input.callbackData } : {}),
          },
        },
      },
      // Creating twice leaves two subscriptions: only repeat when Orange provably did nothing.
      idempotent: false,
    });
    return toSubscription(data, senderAddress);
  }

  async get(id: string, accountName?: string): Promise<DeliveryReceiptSubscription | undefined> {
    const account = await this.accounts.get(accountName);
    try {
      const { data } = await this.api.call<OrangeSubscriptionBody>({
        via: account.access,
        method: 'GET',
        path: ORANGE_SMS_PATHS.subscription(checkId(id)),
        idempotent: true,
      });
      return toSubscription(data);
    } catch (error) {
      if (error instanceof OrangeSmsApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async cancel(id: string, senderAddress?: string, accountName?: string): Promise<void> {
    const account = await this.accounts.get(accountName);
    const sender = senderAddress === undefined ? account.sending.senderAddress : normaliseSenderAddress(senderAddress);
    await this.api.call({
      via: account.access,
      method: 'DELETE',
      path: `${ORANGE_SMS_PATHS.subscriptions(sender)}/${encodeURIComponent(checkId(id))}`,
      idempotent: true,
    });
  }
}

function checkNotifyUrl(value: unknown): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new OrangeSmsValidationError('notifyUrl', 'expected an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new OrangeSmsValidationError(
      'notifyUrl',
      'Orange posts receipts to https URLs only (http is allowed for loopback)',
    );
  }
  return url.toString();
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.trim() === '')
    throw new OrangeSmsValidationError('id', 'a subscription id is required');
  return id.trim();
}

function toSubscription(data: OrangeSubscriptionBody, senderAddress?: string): DeliveryReceiptSubscription {
  const body = data?.deliveryReceiptSubscription;
  const resourceUrl = body?.resourceURL;
  const id = resourceUrl?.replace(/\/+$/, '').split('/').pop();
  if (!body || !id || typeof body.callbackReference?.notifyURL !== 'string') {
    throw new OrangeSmsApiError({
      status: 200,
      kind: 'http',
      text: 'Orange answered without deliveryReceiptSubscription.resourceURL or notifyURL',
      variables: [],
    });
  }
  const sender = senderAddress ?? /\/outbound\/([^/]+)\/subscriptions\//.exec(decodeURIComponent(resourceUrl!))?.[1];
  return {
    id: decodeURIComponent(id),
    notifyUrl: body.callbackReference.notifyURL,
    ...(body.callbackReference.callbackData !== undefined ? { callbackData: body.callbackReference.callbackData } : {}),
    ...(sender ? { senderAddress: sender } : {}),
    resourceUrl,
  };
}
