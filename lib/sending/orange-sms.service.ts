import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ORANGE_SMS_LOGGER_CONTEXT,
  ORANGE_SMS_ON_NET_QUERY,
  ORANGE_SMS_PATHS,
  ORANGE_SMS_RESOLVED_OPTIONS,
} from '../orange-sms.constants.js';
import { OrangeSmsApiError, OrangeSmsError, OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import { OrangeSmsEventPublisher } from '../events/orange-sms.event-publisher.js';
import { OrangeSmsEvents, SmsFailedEvent, SmsSentEvent } from '../events/orange-sms.events.js';
import { OrangeSmsApiClient } from '../http/orange-sms.api-client.js';
import type { OrangeSmsResolvedOptions } from '../orange-sms.options.js';
import {
  maskPhoneNumber,
  normaliseRecipient,
  normaliseSenderAddress,
  validateSenderName,
} from './orange-sms.addresses.js';
import type { OrangeOutboundResponse, SendSmsInput, SentSms } from './orange-sms.interfaces.js';
import { countSegments, type SmsSegments } from './orange-sms.segments.js';

interface PreparedSms {
  to: string;
  text: string;
  senderAddress: string;
  senderName?: string;
  onNet: boolean;
  reference?: string;
  segments: SmsSegments;
}

/** Sends SMS through Orange. Inputs are checked before any HTTP call. */
@Injectable()
export class OrangeSmsService {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);

  constructor(
    private readonly api: OrangeSmsApiClient,
    private readonly events: OrangeSmsEventPublisher,
    @Inject(ORANGE_SMS_RESOLVED_OPTIONS) private readonly options: OrangeSmsResolvedOptions,
  ) {}

  /**
   * Sends one SMS. Resolves when Orange accepted it (HTTP 201) with Orange's message id; rejects with
   * an `OrangeSmsError` subclass. `SmsSent` or `SmsFailed` is emitted once the call has settled.
   */
  async send(input: SendSmsInput): Promise<SentSms> {
    let prepared: PreparedSms | undefined;
    try {
      prepared = this.prepare(input);
      const sent = await this.submit(prepared);
      this.logger.debug(`SMS ${sent.id} submitted to ${maskPhoneNumber(sent.to)} (${sent.segments} segment(s))`);
      this.events.publish(OrangeSmsEvents.SmsSent, new SmsSentEvent(sent));
      return sent;
    } catch (error) {
      const failure = error instanceof OrangeSmsError ? error : new OrangeSmsError(String(error), { cause: error });
      const to = prepared?.to ?? (typeof input?.to === 'string' ? input.to : '');
      this.logger.warn(`SMS to ${maskPhoneNumber(to)} failed: ${failure.name}`);
      this.events.publish(
        OrangeSmsEvents.SmsFailed,
        new SmsFailedEvent({ to, error: failure, reference: input?.reference }),
      );
      throw failure;
    }
  }

  /** Encoding and segment count of a text, as Orange will bill it; no network. */
  segments(text: string): SmsSegments {
    if (typeof text !== 'string') throw new OrangeSmsValidationError('text', 'expected a string');
    return countSegments(text);
  }

  private prepare(input: SendSmsInput): PreparedSms {
    if (typeof input !== 'object' || input === null) {
      throw new OrangeSmsValidationError('input', 'expected an object such as { to, text }');
    }
    const to = normaliseRecipient(input.to);
    if (typeof input.text !== 'string' || input.text.trim() === '') {
      throw new OrangeSmsValidationError('text', 'must be a non-empty string');
    }
    const segments = countSegments(input.text);
    if (segments.segments > this.options.maxSegments) {
      throw new OrangeSmsValidationError(
        'text',
        `is ${segments.segments} SMS segments (${segments.encoding}, ${segments.characters} characters); the limit is maxSegments = ${this.options.maxSegments}`,
      );
    }
    const senderAddress =
      input.senderAddress === undefined ? this.options.senderAddress : normaliseSenderAddress(input.senderAddress);
    const senderName = input.senderName === undefined ? this.options.senderName : validateSenderName(input.senderName);
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

  private async submit(sms: PreparedSms): Promise<SentSms> {
    const { data } = await this.api.call<OrangeOutboundResponse>({
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
    });
    const resourceUrl = data?.outboundSMSMessageRequest?.resourceURL;
    const id = typeof resourceUrl === 'string' ? resourceUrl.replace(/\/+$/, '').split('/').pop() : undefined;
    if (!resourceUrl || !id) {
      // Orange took the message (201) but the answer lacks its id: sent, yet untrackable.
      throw new OrangeSmsApiError({
        status: 201,
        kind: 'http',
        text: 'Orange accepted the SMS but its answer has no outboundSMSMessageRequest.resourceURL',
        variables: [],
      });
    }
    return {
      id: decodeURIComponent(id),
      to: sms.to,
      senderAddress: sms.senderAddress,
      ...(sms.senderName !== undefined ? { senderName: sms.senderName } : {}),
      text: sms.text,
      segments: sms.segments.segments,
      encoding: sms.segments.encoding,
      status: 'submitted',
      submittedAt: new Date(),
      resourceUrl,
      ...(sms.reference !== undefined ? { reference: sms.reference } : {}),
    };
  }
}
