import { OnEvent } from '@nestjs/event-emitter';
import {
  DeliveryReceiptEvent,
  InboundSmsEvent,
  type OrangeDeliveryStatus,
  OrangeSmsEvents,
  type OrangeSmsEventName,
  SmsFailedEvent,
  SmsSentEvent,
} from './orange-sms.events.js';

/**
 * Options passed through to `@OnEvent` (`async`, `prependListener` …). `suppressErrors` defaults to
 * false here: a listener that throws makes the module redeliver the notification later instead of
 * only logging the error (see the README, "When a listener fails").
 */
export type OrangeSmsListenerOptions = Parameters<typeof OnEvent>[1];

export interface OnDeliveryReceiptFilter {
  /** Run only for these Orange statuses. */
  status?: OrangeDeliveryStatus | readonly OrangeDeliveryStatus[];
}

export interface OnInboundSmsFilter {
  /** Run only when the first word (upper-cased) is one of these; compared case-insensitively. */
  keyword?: string | readonly string[];
  /** Run only when the whole text matches. */
  pattern?: RegExp;
}

/** Runs after Orange accepted a message (`SmsSentEvent`). */
export function OnSmsSent(options?: OrangeSmsListenerOptions): MethodDecorator {
  return listen(OrangeSmsEvents.SmsSent, (event) => event instanceof SmsSentEvent, options);
}

/** Runs when a send failed (`SmsFailedEvent`). */
export function OnSmsFailed(options?: OrangeSmsListenerOptions): MethodDecorator {
  return listen(OrangeSmsEvents.SmsFailed, (event) => event instanceof SmsFailedEvent, options);
}

/** Runs for each new delivery receipt (`DeliveryReceiptEvent`), optionally only for some statuses. */
export function OnDeliveryReceipt(
  filter: OnDeliveryReceiptFilter = {},
  options?: OrangeSmsListenerOptions,
): MethodDecorator {
  const statuses = filter.status === undefined ? undefined : ([] as OrangeDeliveryStatus[]).concat(filter.status);
  return listen(
    OrangeSmsEvents.DeliveryReceipt,
    (event) => event instanceof DeliveryReceiptEvent && (!statuses || statuses.includes(event.status)),
    options,
  );
}

/** Runs for each inbound SMS (`InboundSmsEvent`), optionally only for a keyword or a pattern. */
export function OnInboundSms(filter: OnInboundSmsFilter = {}, options?: OrangeSmsListenerOptions): MethodDecorator {
  const keywords =
    filter.keyword === undefined
      ? undefined
      : ([] as string[]).concat(filter.keyword).map((k) => k.trim().toUpperCase());
  const pattern = filter.pattern;
  return listen(
    OrangeSmsEvents.InboundSms,
    (event) =>
      event instanceof InboundSmsEvent &&
      (!keywords || keywords.includes(event.keyword)) &&
      (!pattern || matches(pattern, event.text)),
    options,
  );
}

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
  return pattern.test(text);
}

const FILTERS = Symbol('orange-sms.listener-filters');
type Predicate = (event: unknown) => boolean;
type FilteredListener = ((...args: unknown[]) => unknown) & { [FILTERS]: Map<OrangeSmsEventName, Predicate[]> };

/**
 * `@OnEvent` with a filter. The method is wrapped once; every decorator on it adds its predicate,
 * and the method runs when any predicate of the emitted event's name matches. Stacking
 * `@OnInboundSms({ keyword: 'STOP' })` and `@OnInboundSms({ keyword: 'END' })` thus runs the method
 * once for either keyword, never twice.
 */
function listen(event: OrangeSmsEventName, predicate: Predicate, options?: OrangeSmsListenerOptions): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    let listener = descriptor.value as FilteredListener | ((...args: unknown[]) => unknown);
    if (!(FILTERS in listener)) {
      const original = listener;
      const filters = new Map<OrangeSmsEventName, Predicate[]>();
      const wrapper = function (this: unknown, payload: unknown, ...rest: unknown[]) {
        for (const predicates of filters.values()) {
          if (predicates.some((test) => test(payload))) return original.call(this, payload, ...rest);
        }
        return undefined;
      } as FilteredListener;
      wrapper[FILTERS] = filters;
      Object.defineProperty(wrapper, 'name', { value: original.name });
      for (const metadataKey of Reflect.getMetadataKeys(original)) {
        Reflect.defineMetadata(metadataKey, Reflect.getMetadata(metadataKey, original), wrapper);
      }
      descriptor.value = listener = wrapper;
    }
    const filters = (listener as FilteredListener)[FILTERS];
    const predicates = filters.get(event);
    if (predicates) {
      predicates.push(predicate);
      return descriptor;
    }
    filters.set(event, [predicate]);
    return OnEvent(event, { suppressErrors: false, ...options })(target, key, descriptor) ?? descriptor;
  };
}
