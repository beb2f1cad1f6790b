/**
 * What the emulator POSTs to the application: delivery receipts (reference 3.3) and inbound SMS
 * (reference 4), and the poster that records every attempt instead of throwing. Orange's retry
 * behaviour is unknown, so nothing is retried.
 */
import { randomBytes } from 'node:crypto';
import type {
  EmulatedCallback,
  CallbackResult,
  InboundSmsInput,
  OrangeDeliveryStatus,
} from './orange-sms.emulator-types.js';

/**
 * The emulator's own notion of "final" (kept apart from the client's on purpose): Orange notes a
 * message reported DeliveryImpossible may still be delivered, so anything may follow a status except
 * DeliveredToTerminal, after which only a replay of the same receipt comes.
 */
export function deliveryStatusMayFollow(
  previous: OrangeDeliveryStatus | undefined,
  next: OrangeDeliveryStatus,
): boolean {
  return previous !== 'DeliveredToTerminal' || next === 'DeliveredToTerminal';
}

/** A receiver that never answers must not hold the emulator (or whenIdle()) forever. */
const CALLBACK_TIMEOUT_MS = 10_000;

export function deliveryReceiptPayload(address: string, status: OrangeDeliveryStatus, callbackData: string): unknown {
  return {
    deliveryInfoNotification: {
      deliveryInfo: { address, deliveryStatus: status },
      callbackData,
    },
  };
}

/** Subscriber as `tel:+<digits>` whatever form the caller used. */
export function subscriberAddress(from: string): string {
  if (from.startsWith('tel:')) return from;
  return from.startsWith('+') ? `tel:${from}` : `tel:+${from}`;
}

/** Orange sends the destination without `tel:` (e.g. '+26716968'). */
function destinationAddress(to: string): string {
  return to.startsWith('tel:') ? to.slice(4) : to;
}

/** Orange's anonymous customer reference, as in the recorded inbound traffic (API reference §12). */
export const ANONYMOUS_SENDER = 'acr:OrangeAPIToken';

/** The header that carries the subscriber's number (digits, no `+`) beside an `acr:` sender. */
export const NUMBER_HEADER = 'x-orange-ise2';

/** `2022-06-11T12:33:14`: the wall-clock time in `timeZone`, with no zone, as the recordings show. */
function zoneLessDateTime(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
}

export function inboundPayload(input: InboundSmsInput): unknown {
  const at = input.dateTime ?? new Date();
  const anonymous = input.anonymous === true;
  const messageId = input.messageId ?? (anonymous ? randomBytes(12).toString('hex') : undefined);
  return {
    inboundSMSMessageNotification: {
      inboundSMSMessage: {
        senderAddress: anonymous ? ANONYMOUS_SENDER : subscriberAddress(input.from),
        destinationAddress: destinationAddress(input.to),
        message: input.text,
        dateTime: anonymous
          ? zoneLessDateTime(at, input.timeZone ?? 'UTC')
          : at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ...(messageId !== undefined ? { messageId } : {}),
      },
    },
    ...(input.callbackData !== undefined ? { callbackData: input.callbackData } : {}),
  };
}

/** Headers Orange adds to an inbound: the number beside an `acr:` sender, when asked for. */
export function inboundHeaders(input: InboundSmsInput): Record<string, string> {
  if (input.anonymous !== true || input.withNumberHeader !== true) return {};
  return { [NUMBER_HEADER]: subscriberAddress(input.from).slice('tel:+'.length) };
}

/** POSTs JSON and hands the outcome to `record`; never throws ('error' status when no response came). */
export async function postCallback(
  record: (callback: EmulatedCallback) => void,
  kind: EmulatedCallback['kind'],
  account: string,
  url: string,
  payload: unknown,
  headers: Record<string, string> | undefined,
  stopSignal: AbortSignal,
): Promise<EmulatedCallback> {
  const at = new Date();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(payload),
      signal: AbortSignal.any([stopSignal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
    });
    const text = await response.text();
    const callback: EmulatedCallback = {
      kind,
      account,
      url,
      status: response.status,
      body: payload,
      responseBody: text,
      at,
    };
    record(callback);
    return callback;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const reason =
      cause instanceof Error
        ? `${(error as Error).message}: ${cause.message}`
        : String((error as Error)?.message ?? error);
    const callback: EmulatedCallback = {
      kind,
      account,
      url,
      status: 'error',
      body: payload,
      responseBody: '',
      error: reason,
      at,
    };
    record(callback);
    return callback;
  }
}

/** The public result of `deliver()` / `receive()`: status 0 when the receiver could not be reached. */
export function callbackResult(callback: EmulatedCallback): CallbackResult {
  return { status: callback.status === 'error' ? 0 : callback.status, body: callback.responseBody };
}
