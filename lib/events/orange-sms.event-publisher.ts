import { Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ORANGE_SMS_LOGGER_CONTEXT } from '../orange-sms.constants.js';
import { OrangeSmsConfigurationError } from '../errors/orange-sms.errors.js';
import type { OrangeSmsEventName } from './orange-sms.events.js';

/**
 * Emits the module's events. A listener's error never reaches the code that caused the event (a
 * send, a webhook): it is logged. The host registers `EventEmitterModule.forRoot()`; the module
 * never does, so one emitter serves the whole app.
 */
@Injectable()
export class OrangeSmsEventPublisher {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);

  constructor(@Optional() private readonly emitter?: EventEmitter2) {
    if (!emitter) {
      throw new OrangeSmsConfigurationError([
        {
          field: 'EventEmitterModule',
          reason: 'not found: import EventEmitterModule.forRoot() from @nestjs/event-emitter in your root module',
        },
      ]);
    }
  }

  /** Emits after the current call stack, so the caller's own result is settled first. */
  publish(event: OrangeSmsEventName, payload: unknown): void {
    setImmediate(() => void this.emitNow(event, payload));
  }

  /** Emits and waits for async listeners; resolves false when a listener failed (already logged). */
  async emitNow(event: OrangeSmsEventName, payload: unknown): Promise<boolean> {
    try {
      await this.emitter!.emitAsync(event, payload);
      return true;
    } catch (error) {
      this.logger.error(`A listener of ${event} failed: ${(error as Error)?.message ?? error}`);
      return false;
    }
  }
}
