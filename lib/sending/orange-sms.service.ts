import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isRetryable } from '../http/orange-sms.retry-policy.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import type {
  EnqueuedSms,
  OrangeSmsQueueProducer,
  OrangeSmsQueueSender,
} from '../interfaces/orange-sms.queue.interfaces.js';
import { type OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import type {
  OrangeSmsMessageFilter,
  OrangeSmsMessagePage,
  OrangeSmsMessagePageFilter,
  TrackedSms,
} from '../interfaces/orange-sms.tracking.interfaces.js';
import { listMessagePage } from '../tracking/orange-sms.message-paging.js';
import { countryOfNumber } from '../addresses/orange-sms.countries.js';
import { safeLogText } from '../logging/orange-sms.safe-log-text.js';
import type {
  DeliveryReceiptSubscription,
  SubscribeDeliveryReceiptsInput,
} from '../interfaces/orange-sms.subscription.interfaces.js';
import { OrangeSmsSubscriptions } from './orange-sms.subscriptions.js';
import {
  ORANGE_SMS_LOGGER_CONTEXT,
  ORANGE_SMS_ON_NET_QUERY,
  ORANGE_SMS_PATHS,
  ORANGE_SMS_QUEUE_LINK,
  ORANGE_SMS_SENDING_CONFIG,
  ORANGE_SMS_STORE,
} from '../orange-sms.constants.js';
import { OrangeSmsError, OrangeSmsOptedOutError, OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import { OrangeSmsEventPublisher } from '../events/orange-sms.event-publisher.js';
import { OrangeSmsEvents, SmsFailedEvent, SmsSentEvent } from '../events/orange-sms.events.js';
import { OrangeSmsApiClient } from '../http/orange-sms.api-client.js';
import { isAccountName, type OrangeSmsSendingConfig } from '../orange-sms.options.js';
import { normaliseRecipient, normaliseSenderAddress, validateSenderName } from '../addresses/orange-sms.addresses.js';
import { maskPhoneNumber } from '../logging/orange-sms.mask.js';
import { type OrangeSmsAccount, OrangeSmsAccounts, accountScoped } from '../accounts/orange-sms.accounts.js';
import type {
  BulkSendItemResult,
  BulkSendResult,
  OrangeOutboundResponse,
  SendManyOptions,
  SendSmsInput,
  SentSms,
} from '../interfaces/orange-sms.message.interfaces.js';
import { countSegments, type SmsSegments } from './orange-sms.segments.js';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface PreparedSms {
  to: string;
  text: string;
  senderAddress: string;
  senderName?: string;
  onNet: boolean;
  reference?: string;
  segments: SmsSegments;
}

/**
 * Sends SMS through Orange and tracks them. Inputs are checked before any HTTP call; every send is
 * paced (`rateLimit`) and retried only where a retry cannot duplicate it.
 */
@Injectable()
export class OrangeSmsService {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);

  constructor(
    private readonly api: OrangeSmsApiClient,
    private readonly events: OrangeSmsEventPublisher,
    private readonly subscriptions: OrangeSmsSubscriptions,
    @Inject(ORANGE_SMS_STORE) private readonly store: OrangeSmsStore,
    @Inject(ORANGE_SMS_SENDING_CONFIG) private readonly options: OrangeSmsSendingConfig,
    private readonly telemetry: OrangeSmsTelemetry,
    private readonly accounts: OrangeSmsAccounts,
  ) {}

  /** Attached by `OrangeSmsQueueModule` (nestjs-orange-sms/queue) when the app imports it. */
  private queue?: OrangeSmsQueueProducer;

  /**
   * Sends one SMS. Resolves when Orange accepted it (HTTP 201) with Orange's message id; rejects with
   * an `OrangeSmsError` subclass. `SmsSent` or `SmsFailed` is emitted once the call has settled.
   */
  async send(input: SendSmsInput): Promise<SentSms> {
    return this.sendOnce(input, true);
  }

  /**
   * Puts the message on the durable queue (`OrangeSmsQueueModule` from `nestjs-orange-sms/queue`) and
   * returns at once; a worker in any instance sends it at the fleet's rate, with retries. Input is
   * checked now. The same `reference` enqueued twice is sent once. `SmsSent` / `SmsFailed` are emitted
   * when it settles.
   */
  async enqueue(input: SendSmsInput): Promise<EnqueuedSms> {
    return (await this.enqueueMany([input]))[0]!;
  }

  async enqueueMany(inputs: SendSmsInput[]): Promise<EnqueuedSms[]> {
    if (!this.queue) {
      throw new OrangeSmsValidationError(
        'queue',
        "enqueue needs the queue: import OrangeSmsQueueModule.forRoot() from 'nestjs-orange-sms/queue' (and redis in the module options, or your BullModule.forRoot connection)",
      );
    }
    if (!Array.isArray(inputs)) throw new OrangeSmsValidationError('inputs', 'expected an array of { to, text }');
    const jobs: Array<SendSmsInput & { reference: string }> = [];
    for (const input of inputs) {
      this.prepare(input, (await this.accountOf(input)).sending);
      jobs.push({ ...input, reference: input.reference ?? randomUUID() });
    }
    return jobs.length === 1 ? [await this.queue.add(jobs[0]!)] : this.queue.addBulk(jobs);
  }

  /** Internal, for the queue module only (the symbol is not exported by the main entry). */
  [ORANGE_SMS_QUEUE_LINK](producer?: OrangeSmsQueueProducer): OrangeSmsQueueSender {
    if (producer) this.queue = producer;
    return {
      send: (input, beforeWrite) => this.sendOnce(input, false, beforeWrite),
      reportFailure: (to, error, reference, account) => this.reportFailure(to, error, reference, account),
      isRetryable: (error) => isRetryable(error, false),
    };
  }

  private async sendOnce(
    input: SendSmsInput,
    reportFailure: boolean,
    beforeWrite?: () => Promise<void>,
  ): Promise<SentSms> {
    let prepared: PreparedSms | undefined;
    let account: OrangeSmsAccount | undefined;
    const started = performance.now();
    try {
      account = await this.accountOf(input);
      prepared = this.prepare(input, account.sending);
      if (this.options.optOut && (await this.store.isOptedOut(accountScoped(account.name, prepared.to)))) {
        throw new OrangeSmsOptedOutError(prepared.to, maskPhoneNumber(prepared.to));
      }
      const sent = await this.submit(prepared, account, beforeWrite);
      this.logger.debug(
        `SMS ${safeLogText(sent.id)} submitted to ${maskPhoneNumber(sent.to)} (${sent.segments} segment(s))`,
      );
      await this.track(sent);
      this.events.publish(OrangeSmsEvents.SmsSent, new SmsSentEvent(sent));
      this.telemetry.emit({
        type: 'send',
        outcome: 'sent',
        durationMs: performance.now() - started,
        account: account.name,
      });
      return sent;
    } catch (error) {
      const failure = error instanceof OrangeSmsError ? error : new OrangeSmsError(String(error), { cause: error });
      this.telemetry.emit({
        type: 'send',
        outcome: 'failed',
        error: failure.name,
        durationMs: performance.now() - started,
        // No account: it was unknown (or not a name); never a caller's free text as a label.
        account: account?.name ?? 'unknown',
      });
      if (reportFailure) {
        this.reportFailure(prepared?.to ?? input?.to, failure, input?.reference, account?.name ?? input?.account);
      }
      throw failure;
    }
  }

  private reportFailure(to: unknown, error: OrangeSmsError, reference?: string, account?: unknown): void {
    const recipient = typeof to === 'string' ? to : '';
    this.logger.warn(`SMS to ${maskPhoneNumber(recipient)} failed: ${error.name}`);
    this.events.publish(
      OrangeSmsEvents.SmsFailed,
      new SmsFailedEvent({ to: recipient, error, reference, ...(isAccountName(account) ? { account } : {}) }),
    );
  }

  /**
   * Drops an account that \`resolveAccount\` loaded, so its next use loads it again (new credentials, a
   * tenant gone). Accounts given in \`accounts\` and \`default\` stay.
   */
  forgetAccount(name: string): void {
    this.accounts.forget(name);
  }

  /** The account a send goes through: checked before anything else (no call to Orange for a bad one). */
  private accountOf(input: SendSmsInput): Promise<OrangeSmsAccount> {
    return this.accounts.get((input as Partial<SendSmsInput> | null)?.account);
  }

  /**
   * Sends many SMS, `concurrency` at a time, all through the same pacing as `send`. Every input gets
   * its own result, in order; it rejects only when it cannot start (inputs not an array).
   */
  async sendMany(inputs: SendSmsInput[], options: SendManyOptions = {}): Promise<BulkSendResult> {
    if (!Array.isArray(inputs)) throw new OrangeSmsValidationError('inputs', 'expected an array of { to, text }');
    const concurrency = options.concurrency ?? 10;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new OrangeSmsValidationError('concurrency', 'expected a positive integer');
    }
    const results = new Array<BulkSendItemResult>(inputs.length);
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const index = next++;
        const input = inputs[index]!;
        try {
          results[index] = { index, input, status: 'sent', message: await this.send(input) };
        } catch (error) {
          results[index] = { index, input, status: 'failed', error: error as OrangeSmsError };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
    const sent = results.filter((result) => result.status === 'sent').length;
    return { results, sent, failed: inputs.length - sent };
  }

  /** A sent message with its delivery status, from the store; undefined when unknown (or evicted). */
  getMessage(id: string): Promise<TrackedSms | undefined> {
    if (typeof id !== 'string' || id === '') throw new OrangeSmsValidationError('id', 'a message id is required');
    return this.store.getMessage(id);
  }

  /** Sent messages, most recent first (default limit 100). */
  listMessages(filter: OrangeSmsMessageFilter = {}): Promise<TrackedSms[]> {
    const to = filter.to === undefined ? undefined : normaliseRecipient(filter.to, 'to', this.options.defaultCountry);
    return this.store.listMessages({ ...filter, ...(to ? { to } : {}) });
  }

  /**
   * Sent messages a page at a time, most recent first: `{ items, nextCursor }`; pass `nextCursor`
   * back as `cursor` for the next page. Messages sent meanwhile never shift a page.
   */
  listMessagesPage(filter: OrangeSmsMessagePageFilter = {}): Promise<OrangeSmsMessagePage> {
    const { cursor, limit, ...rest } = filter;
    const to = rest.to === undefined ? undefined : normaliseRecipient(rest.to, 'to', this.options.defaultCountry);
    return listMessagePage(this.store, { ...rest, ...(to ? { to } : {}) }, { cursor, limit });
  }

  /** Asks Orange to post delivery receipts for `senderAddress` (default: the module's) to `notifyUrl`. */
  subscribeDeliveryReceipts(input: SubscribeDeliveryReceiptsInput): Promise<DeliveryReceiptSubscription> {
    return this.subscriptions.subscribe(input);
  }

  /** Undefined when Orange does not know the id. `account`: the Orange app that made it. */
  getDeliveryReceiptSubscription(id: string, account?: string): Promise<DeliveryReceiptSubscription | undefined> {
    return this.subscriptions.get(id, account);
  }

  cancelDeliveryReceiptSubscription(id: string, senderAddress?: string, account?: string): Promise<void> {
    return this.subscriptions.cancel(id, senderAddress, account);
  }

  /** Encoding and segment count of a text, as Orange will bill it; no network. */
  segments(text: string): SmsSegments {
    if (typeof text !== 'string') throw new OrangeSmsValidationError('text', 'expected a string');
    return countSegments(text);
  }

  private prepare(input: SendSmsInput, sending: OrangeSmsSendingConfig = this.options): PreparedSms {
    if (typeof input !== 'object' || input === null) {
      throw new OrangeSmsValidationError('input', 'expected an object such as { to, text }');
    }
    const to = normaliseRecipient(input.to, 'to', sending.defaultCountry);
    if (typeof input.text !== 'string' || input.text.trim() === '') {
      throw new OrangeSmsValidationError('text', 'must be a non-empty string');
    }
    if (LONE_SURROGATE.test(input.text)) {
      // A lone surrogate has no encoding: Orange would refuse or mangle it after a unit is spent.
      throw new OrangeSmsValidationError('text', 'contains a lone UTF-16 surrogate (broken emoji or character)');
    }
    const segments = countSegments(input.text);
    if (segments.segments > sending.maxSegments) {
      throw new OrangeSmsValidationError(
        'text',
        `is ${segments.segments} SMS segments (${segments.encoding}, ${segments.characters} characters); the limit is maxSegments = ${sending.maxSegments}`,
      );
    }
    const senderAddress =
      input.senderAddress === undefined ? sending.senderAddress : normaliseSenderAddress(input.senderAddress);
    const senderName = input.senderName === undefined ? sending.senderName : validateSenderName(input.senderName);
    if (input.reference !== undefined && (typeof input.reference !== 'string' || input.reference.length > 256)) {
      throw new OrangeSmsValidationError('reference', 'expected a string of at most 256 characters');
    }
    return {
      to,
      text: input.text,
      senderAddress,
      senderName,
      onNet: input.onNet === true,
      reference: input.reference,
      segments,
    };
  }

  private async submit(
    sms: PreparedSms,
    account: OrangeSmsAccount,
    beforeWrite?: () => Promise<void>,
  ): Promise<SentSms> {
    const { data } = await this.api.call<OrangeOutboundResponse>({
      via: account.access,
      method: 'POST',
      path: ORANGE_SMS_PATHS.outbound(sms.senderAddress),
      query: sms.onNet ? ORANGE_SMS_ON_NET_QUERY : undefined,
      json: {
        outboundSMSMessageRequest: {
          address: sms.to,
          senderAddress: sms.senderAddress,
          ...(sms.senderName !== undefined ? { senderName: sms.senderName } : {}),
          outboundSMSTextMessage: { message: sms.text },
        },
      },
      idempotent: false,
      paced: true,
      beforeWrite,
    });
    const resourceUrl = data?.outboundSMSMessageRequest?.resourceURL;
    let id = typeof resourceUrl === 'string' ? messageIdOf(resourceUrl) : undefined;
    if (id === undefined) {
      // A 201 is a sent message: reporting it as failed would make the caller send it again. Its id
      // is unknown, so it gets a synthetic one; receipts cannot be matched to it.
      id = `unknown:${randomUUID()}`;
      this.logger.warn(
        `SMS to ${maskPhoneNumber(sms.to)} was accepted by Orange (201) but the answer has no resourceURL; tracked as ${id}`,
      );
    }
    return {
      id,
      to: sms.to,
      senderAddress: sms.senderAddress,
      ...(sms.senderName !== undefined ? { senderName: sms.senderName } : {}),
      text: sms.text,
      segments: sms.segments.segments,
      encoding: sms.segments.encoding,
      status: 'submitted',
      submittedAt: new Date(),
      resourceUrl: typeof resourceUrl === 'string' ? resourceUrl : '',
      ...(sms.reference !== undefined ? { reference: sms.reference } : {}),
      account: account.name,
    };
  }

  /** Orange took the SMS: a store failure must not fail the send (the caller would send it again). */
  private async track(sent: SentSms): Promise<void> {
    try {
      await this.store.saveMessage({
        ...sent,
        country: countryOfNumber(sent.to),
        updatedAt: sent.submittedAt,
        history: [{ status: 'submitted', at: sent.submittedAt }],
      });
    } catch (error) {
      this.logger.error(
        `SMS ${safeLogText(sent.id)} was sent but could not be stored: ${safeLogText((error as Error)?.message ?? error)}`,
      );
    }
  }
}

/**
 * Orange's message id: the last segment of `resourceURL`, percent-decoded; as received when it is not
 * valid percent-encoding (the message was sent all the same). Undefined when there is no segment.
 */
export function messageIdOf(resourceUrl: string): string | undefined {
  const last = resourceUrl.replace(/\/+$/, '').split('/').pop();
  if (!last) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
