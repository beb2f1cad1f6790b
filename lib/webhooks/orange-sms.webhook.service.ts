import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ORANGE_SMS_LOGGER_CONTEXT, ORANGE_SMS_STORE, ORANGE_SMS_WEBHOOK_SETTINGS } from '../orange-sms.constants.js';
import { OrangeSmsEventDispatcher } from '../events/orange-sms.event-dispatcher.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import { keywordOf } from '../events/orange-sms.events.js';
import { ORANGE_SMS_DEFAULT_ACCOUNT, type OrangeSmsWebhookSettings } from '../orange-sms.options.js';
import { accountScoped } from '../accounts/orange-sms.accounts.js';
import { maskPhoneNumber } from '../logging/orange-sms.mask.js';
import { safeLogText } from '../logging/orange-sms.safe-log-text.js';
import { type OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import type { OrangeSmsNotificationTaken } from '../interfaces/orange-sms.tracking.interfaces.js';
import { parseDeliveryReceiptNotification, parseInboundSmsNotification } from './orange-sms.webhook-parsers.js';

export interface OrangeSmsWebhookResult {
  /** Notifications in the body taken for the first time. */
  accepted: number;
  /** Notifications already taken before (Orange sent them again): acknowledged, not emitted again. */
  duplicates: number;
}

/** Orange says receipts arrive within 24 h; repeats are recognised at least that long. */
const DEDUPE_TTL_MS = 24 * 3_600_000;

/**
 * Handles a parsed-JSON callback body from Orange. The generated controller calls it; a host that
 * turns the controller off (`webhooks: { enabled: false }`) calls it from its own routes, behind
 * `OrangeSmsWebhookGuard`. Throws `OrangeSmsValidationError` (→ 400) for a body that is not Orange's.
 *
 * Each notification is taken by ONE atomic store operation (dedupe, status change or opt-out, outbox
 * record), so the route answers 200 only for what is durable, and Orange's retry of a notification
 * whose first attempt failed completes it without doing anything twice. The listeners run after the
 * answer, from the outbox, with redelivery on failure. When one notification of a body fails, those
 * taken before it are still delivered, and the error propagates (→ 503 for a store that cannot be
 * reached) so that Orange sends the body again.
 */
@Injectable()
export class OrangeSmsWebhookService {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);

  constructor(
    @Inject(ORANGE_SMS_STORE) private readonly store: OrangeSmsStore,
    private readonly dispatcher: OrangeSmsEventDispatcher,
    @Inject(ORANGE_SMS_WEBHOOK_SETTINGS) private readonly settings: OrangeSmsWebhookSettings,
    private readonly telemetry: OrangeSmsTelemetry,
  ) {}

  /**
   * `account`: the Orange app whose route took the body (`default` for the top-level routes). Its
   * name goes on the records and events; its opt-out list takes STOP and START.
   */
  async handleDeliveryReceipt(body: unknown, account = ORANGE_SMS_DEFAULT_ACCOUNT): Promise<OrangeSmsWebhookResult> {
    const receipts = parseDeliveryReceiptNotification(body);
    const receivedAt = new Date();
    const raw = safeRaw(body);
    const tagged = account === ORANGE_SMS_DEFAULT_ACCOUNT ? {} : { account };
    return this.takeAll(
      receipts.map((receipt) => async () => {
        const id = `dr:${accountScoped(account, receipt.messageId)}:${receipt.status}`;
        const taken = await this.store.takeNotification({
          key: id,
          attempt: randomUUID(),
          dedupeTtlMs: DEDUPE_TTL_MS,
          receipt: { messageId: receipt.messageId, update: { deliveryStatus: receipt.status, at: receivedAt } },
          event: this.dispatcher.leased({
            id,
            kind: 'delivery-receipt',
            state: 'pending',
            attempts: 0,
            createdAt: receivedAt,
            data: { ...receipt, callbackData: receipt.messageId, receivedAt, raw, ...tagged },
          }),
        });
        this.telemetry.emit({ type: 'receipt', status: receipt.status, duplicate: !taken.fresh, account });
        if (!Logger.isLevelEnabled('debug')) return taken;
        if (taken.stale) {
          // Late or out of order (e.g. DeliveredToNetwork after DeliveredToTerminal): nothing changed.
          this.logger.debug(
            `Stale receipt ${receipt.status} for SMS ${safeLogText(receipt.messageId)} (now ${taken.message?.status}) ignored`,
          );
        } else if (taken.fresh) {
          this.logger.debug(
            `Delivery receipt ${receipt.status} for SMS ${safeLogText(receipt.messageId)} to ${maskPhoneNumber(receipt.to)}`,
          );
        }
        return taken;
      }),
    );
  }

  async handleInboundSms(
    body: unknown,
    headers?: Record<string, string | string[] | undefined>,
    account = ORANGE_SMS_DEFAULT_ACCOUNT,
  ): Promise<OrangeSmsWebhookResult> {
    const messages = parseInboundSmsNotification(body, { timeZone: this.settings.orangeTimeZone, headers });
    const receivedAt = new Date();
    const raw = safeRaw(body);
    const tagged = account === ORANGE_SMS_DEFAULT_ACCOUNT ? {} : { account };
    return this.takeAll(
      messages.map((message) => async () => {
        const inboundId = accountScoped(account, inboundKey(message));
        const id = `mo:${inboundId}`;
        const keyword = keywordOf(message.text);
        const optOut = this.optOutChange(keyword);
        const taken = await this.store.takeNotification({
          key: id,
          attempt: randomUUID(),
          dedupeTtlMs: DEDUPE_TTL_MS,
          ...(optOut ? { optOut: { number: accountScoped(account, message.from), optedOut: optOut.optedOut } } : {}),
          inbound: {
            id: inboundId,
            from: message.from,
            to: message.to,
            text: message.text,
            keyword,
            senderKind: message.senderKind,
            ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
            receivedAt,
            handled: false,
            ...tagged,
          },
          event: this.dispatcher.leased({
            id,
            kind: 'inbound',
            state: 'pending',
            attempts: 0,
            createdAt: receivedAt,
            data: {
              from: message.from,
              senderKind: message.senderKind,
              ...(message.senderReference !== undefined ? { senderReference: message.senderReference } : {}),
              ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
              ...(message.sentAtRaw !== undefined ? { sentAtRaw: message.sentAtRaw } : {}),
              ...(message.callbackData !== undefined ? { callbackData: message.callbackData } : {}),
              to: message.to,
              text: message.text,
              ...(message.messageId !== undefined ? { messageId: message.messageId } : {}),
              receivedAt,
              raw,
              ...tagged,
            },
          }),
        });
        this.telemetry.emit({ type: 'inbound', duplicate: !taken.fresh, account });
        if (taken.fresh) {
          if (Logger.isLevelEnabled('debug')) {
            this.logger.debug(`Inbound SMS from ${maskPhoneNumber(message.from)} to ${safeLogText(message.to)}`);
          }
          if (optOut) {
            this.logger.log(
              `${maskPhoneNumber(message.from)} ${optOut.optedOut ? 'opted out' : 'opted back in'} (${safeLogText(optOut.keyword)})`,
            );
          }
        }
        return taken;
      }),
    );
  }

  /**
   * Takes the notifications of one body in order. Those taken are delivered even when a later one
   * fails; the failure then propagates, so Orange retries the body and the retry completes the rest
   * (the ones taken read as duplicates).
   */
  private async takeAll(takes: (() => Promise<OrangeSmsNotificationTaken>)[]): Promise<OrangeSmsWebhookResult> {
    const result: OrangeSmsWebhookResult = { accepted: 0, duplicates: 0 };
    const recorded: OrangeSmsNotificationTaken[] = [];
    try {
      for (const take of takes) {
        const taken = await take();
        if (!taken.fresh) {
          result.duplicates++;
          continue;
        }
        result.accepted++;
        if (taken.event) recorded.push(taken);
      }
    } finally {
      for (const { event, message } of recorded) {
        this.dispatcher.dispatchSoon(event!, event!.kind === 'delivery-receipt' ? { message } : undefined);
      }
    }
    return result;
  }

  private optOutChange(keyword: string): { optedOut: boolean; keyword: string } | undefined {
    const optOut = this.settings.optOut;
    if (!optOut) return undefined;
    if (optOut.stopKeywords.includes(keyword)) return { optedOut: true, keyword };
    if (optOut.startKeywords.includes(keyword)) return { optedOut: false, keyword };
    return undefined;
  }
}

/** Bodies larger than this (JSON characters, about) are kept as truncated text in `raw`. */
const RAW_MAX_CHARS = 16_384;
/** Deeper bodies are kept as text: a deep object graph can break serialisers and clones downstream. */
const RAW_MAX_DEPTH = 32;

/**
 * Orange's body in a form that cannot fail to store, list, clone or redeliver. A parsed JSON body that
 * is small and shallow (Orange's always are) is plain data already and is kept as it is; anything
 * else becomes `{ rawTruncated: true, rawText }`, its JSON text cut at 16 KiB (or a note when it
 * cannot be serialised at all).
 */
export function safeRaw(body: unknown): unknown {
  if (isSmallPlainJson(body)) return body;
  let text: string;
  try {
    text = JSON.stringify(body) ?? 'null';
  } catch (error) {
    return { rawTruncated: true, rawText: '', rawError: (error as Error)?.name ?? 'unserialisable' };
  }
  return { rawTruncated: true, rawText: text.slice(0, RAW_MAX_CHARS) };
}

/** Walks the value once, giving up as soon as it is too deep, too large or not JSON data. */
function isSmallPlainJson(value: unknown): boolean {
  let budget = RAW_MAX_CHARS;
  const visit = (node: unknown, depth: number): boolean => {
    if (node === null || typeof node === 'boolean' || typeof node === 'number') return (budget -= 8) > 0;
    if (typeof node === 'string') return (budget -= node.length + 2) > 0;
    if (typeof node !== 'object' || depth >= RAW_MAX_DEPTH) return false;
    if (Array.isArray(node)) return node.every((item) => visit(item, depth + 1));
    if (Object.getPrototypeOf(node) !== Object.prototype && Object.getPrototypeOf(node) !== null) return false;
    return Object.entries(node).every(([key, item]) => (budget -= key.length + 4) > 0 && visit(item, depth + 1));
  };
  return visit(value, 0);
}

/**
 * Orange's `messageId` when it sends one; else a hash of sender, text and Orange's timestamp. With
 * neither an id nor a timestamp two identical texts cannot be told from a repeat, so each is kept.
 */
function inboundKey(message: { from: string; to: string; text: string; messageId?: string; sentAt?: Date }): string {
  if (message.messageId !== undefined) return `id:${message.messageId}`;
  if (message.sentAt === undefined) return `unique:${randomUUID()}`;
  return createHash('sha256')
    .update(`${message.from}\n${message.to}\n${message.sentAt.toISOString()}\n${message.text}`)
    .digest('base64url');
}
