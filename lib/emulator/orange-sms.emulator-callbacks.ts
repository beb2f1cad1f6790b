/**
 * What the emulator POSTs to the application: delivery receipts (reference 3.3) and inbound SMS
 * (reference 4), and the poster that records every attempt instead of throwing. Orange's retry
 * behaviour is unknown, so nothing is retried.
 */
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
function subscriberAddress(from: string): string {
  if (from.startsWith('tel:')) return from;
  return from.startsWith('+') ? `tel:${from}` : `tel:+${from}`;
}

/** Orange sends the destination without `tel:` (e.g. '+26716968'). */
function destinationAddress(to: string): string {
  return to.startsWith('tel:') ? to.slice(4) : to;
}

export function inboundPayload(input: InboundSmsInput): unknown {
  const dateTime = (input.dateTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    inboundSMSMessageNotification: {
      inboundSMSMessage: {
        senderAddress: subscriberAddress(input.from),
        destinationAddress: destinationAddress(input.to),
        message: input.text,
        dateTime,
        ...(input.messageId !== undefined ? { messageId: input.messageId } : {}),
      },
    },
  };
}

/** POSTs JSON and hands the outcome to `record`; never throws ('error' status when no response came). */
export async function postCallback(
  record: (callback: EmulatedCallback) => void,
  kind: EmulatedCallback['kind'],
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
    const callback: EmulatedCallback = { kind, url, status: response.status, body: payload, responseBody: text, at };
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
