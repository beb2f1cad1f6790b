import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { OrangeSmsReplySender } from '../interfaces/orange-sms.message.interfaces.js';
import {
  ORANGE_SMS_LISTENER_RETRY_CONFIG,
  ORANGE_SMS_LOGGER_CONTEXT,
  ORANGE_SMS_REPLY_SENDER,
  ORANGE_SMS_STORE,
} from '../orange-sms.constants.js';
import type { OrangeSmsListenerRetryOptions } from '../orange-sms.options.js';
import { type OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import type { OrangeSmsStoredEvent } from '../interfaces/orange-sms.event.interfaces.js';
import type { TrackedSms } from '../interfaces/orange-sms.tracking.interfaces.js';
import { DeliveryReceiptEvent, InboundSmsEvent, OrangeSmsEvents } from './orange-sms.events.js';

export interface OrangeSmsRedeliveryResult {
  delivered: number;
  failed: number;
}

/**
 * Delivers Orange's notifications to the app's listeners from the outbox. The webhook records a
 * notification, acknowledges Orange, then this runs the listeners; when one throws, the notification
 * is delivered again with backoff (`listenerRetry`), then kept as failed for `retryFailedEvents()`.
 * Every `listenerRetry.sweepIntervalMs` (and at boot) it delivers what a dead instance left pending:
 * events whose lease (`listenerRetry.leaseMs`) ran out, each claimed atomically by one live instance.
 * So an acknowledged notification reaches the listeners within lease + sweep interval (40 s by
 * default) even when the instance that took it was killed. Listeners may run more than once for one
 * notification (at least once): make them idempotent, e.g. on `messageId`.
 */
@Injectable()
export class OrangeSmsEventDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(ORANGE_SMS_STORE) private readonly store: OrangeSmsStore,
    @Inject(ORANGE_SMS_LISTENER_RETRY_CONFIG) private readonly retry: Required<OrangeSmsListenerRetryOptions>,
    @Inject(ORANGE_SMS_REPLY_SENDER) private readonly sms: OrangeSmsReplySender,
    @Optional() private readonly emitter?: EventEmitter2,
  ) {}

  /** The event owned by this instance for one lease (the webhook records it with the notification). */
  leased(event: OrangeSmsStoredEvent): OrangeSmsStoredEvent {
    return { ...event, leaseUntil: new Date(Date.now() + this.retry.leaseMs) };
  }

  /** Delivers after the current request, so a slow listener never delays Orange's acknowledgement. */
  /**
   * `taken`: what the atomic take saw of the receipt's message (present or not), so the first
   * delivery needs no second read of the store; redeliveries read it again.
   */
  dispatchSoon(event: OrangeSmsStoredEvent, taken?: { message?: TrackedSms }): void {
    setImmediate(() => this.track(this.deliver(event, taken)));
  }

  /** Notifications whose listeners kept failing. */
  listFailedEvents(): Promise<OrangeSmsStoredEvent[]> {
    return this.store.listEvents({ state: 'failed' });
  }

  /** Delivers every failed notification once more. */
  async retryFailedEvents(): Promise<OrangeSmsRedeliveryResult> {
    const result = { delivered: 0, failed: 0 };
    for (const event of await this.listFailedEvents()) {
      if (await this.deliver({ ...event, attempts: this.retry.maxAttempts - 1 })) result.delivered++;
      else result.failed++;
    }
    return result;
  }

  /** Resolves when no delivery is running (scheduled redeliveries not included). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.sweeper = setInterval(() => {
      this.track(
        this.sweep().catch((error: unknown) =>
          this.logger.warn(
            `Outbox sweep failed, next in ${this.retry.sweepIntervalMs} ms: ${(error as Error)?.message}`,
          ),
        ),
      );
    }, this.retry.sweepIntervalMs);
    this.sweeper.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Delivers the pending events whose lease ran out (their instance died), one claimant each. */
  private async sweep(): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    const { leaseMs } = this.retry;
    const abandoned = (await this.store.listEvents({ state: 'pending' })).filter(
      (event) => !event.leaseUntil || event.leaseUntil.getTime() < now,
    );
    let claimedCount = 0;
    for (const event of abandoned) {
      if (this.stopped || !(await this.store.claimEvent(event.id, leaseMs))) continue;
      const claimed = { ...event, leaseUntil: new Date(Date.now() + leaseMs) };
      await this.store.saveEvent(claimed);
      claimedCount++;
      this.dispatchSoon(claimed);
    }
    if (claimedCount > 0) this.logger.log(`Delivering ${claimedCount} Orange notification(s) left pending`);
  }

  /** True when every listener succeeded. */
  private async deliver(event: OrangeSmsStoredEvent, taken?: { message?: TrackedSms }): Promise<boolean> {
    try {
      const [name, payload] = await this.build(event, taken);
      await this.emitter!.emitAsync(name, payload);
      await this.store.deleteEvent(event.id);
      return true;
    } catch (error) {
      await this.failed(event, error);
      return false;
    }
  }

  private async failed(event: OrangeSmsStoredEvent, error: unknown): Promise<void> {
    const attempts = event.attempts + 1;
    const { maxAttempts, initialDelayMs } = this.retry;
    const gaveUp = attempts >= maxAttempts;
    const delayMs = initialDelayMs * 5 ** (attempts - 1);
    const updated: OrangeSmsStoredEvent = {
      ...event,
      attempts,
      state: gaveUp ? 'failed' : 'pending',
      leaseUntil: new Date(Date.now() + delayMs + this.retry.leaseMs),
      lastError: (error as Error)?.message ?? String(error),
    };
    this.logger.error(
      `A listener of Orange ${event.kind} ${event.id} failed (attempt ${attempts}/${maxAttempts}): ${updated.lastError}` +
        (gaveUp ? '; kept for retryFailedEvents()' : ''),
    );
    try {
      await this.store.saveEvent(updated);
    } catch (storeError) {
      this.logger.error(`Could not record the failed ${event.kind} ${event.id}: ${(storeError as Error)?.message}`);
    }
    if (!gaveUp && !this.stopped) {
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.track(this.deliver(updated));
        },
        initialDelayMs * 5 ** (attempts - 1),
      );
      this.timers.add(timer);
    }
  }

  private async build(
    event: OrangeSmsStoredEvent,
    taken?: { message?: TrackedSms },
  ): Promise<[string, DeliveryReceiptEvent | InboundSmsEvent]> {
    if (event.kind === 'delivery-receipt') {
      const message = taken ? taken.message : await this.store.getMessage(event.data.messageId);
      return [OrangeSmsEvents.DeliveryReceipt, new DeliveryReceiptEvent({ ...event.data, message })];
    }
    const { from, account } = event.data;
    return [
      OrangeSmsEvents.InboundSms,
      new InboundSmsEvent(event.data, (text, options) =>
        this.sms.send({ ...(account ? { account } : {}), ...options, to: from, text }),
      ),
    ];
  }

  private track(run: Promise<unknown>): void {
    const done = run.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }
}
