import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import type { InboundSms, OrangeSmsInboxFilter } from '../interfaces/orange-sms.inbox.interfaces.js';

/**
 * Inbox paging shared by the stores: most recent first, ties broken by id, and a cursor that names
 * the last item returned (its time and id), so a page never repeats or skips an item when newer ones
 * arrive in between.
 */
export interface InboxPosition {
  at: number;
  id: string;
}

export const DEFAULT_INBOX_PAGE = 50;

export function encodeInboxCursor(message: InboundSms): string {
  return encodeCursor({ at: message.receivedAt.getTime(), id: message.id });
}

export function decodeInboxCursor(cursor: string | undefined): InboxPosition | undefined {
  return decodeCursor(cursor, 'not a cursor this inbox returned');
}

/** A page's cursor, for the inbox and for sent messages alike: the last item's time and id. */
export function encodeCursor(position: InboxPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  reason = 'not a cursor this list returned',
): InboxPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string') return { at, id };
  } catch {
    // Reported below.
  }
  throw new OrangeSmsValidationError('cursor', reason);
}

/** Whether `message` comes after `position` in the inbox order (most recent first, then id descending). */
export function isAfter(message: InboundSms, position: InboxPosition | undefined): boolean {
  if (!position) return true;
  const at = message.receivedAt.getTime();
  return at < position.at || (at === position.at && message.id < position.id);
}

/** Inbox order: most recent first, then id descending. */
export function inboxOrder(a: InboundSms, b: InboundSms): number {
  return b.receivedAt.getTime() - a.receivedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The filter's own conditions (not the cursor), with `from` already in the stored form. */
export function matchesInboxFilter(message: InboundSms, filter: OrangeSmsInboxFilter): boolean {
  if (filter.from !== undefined && message.from !== filter.from) return false;
  if (filter.to !== undefined && message.to !== filter.to) return false;
  if (filter.keyword !== undefined && message.keyword !== filter.keyword.trim().toUpperCase()) return false;
  if (filter.handled !== undefined && message.handled !== filter.handled) return false;
  if (filter.since !== undefined && message.receivedAt < filter.since) return false;
  if (filter.until !== undefined && message.receivedAt >= filter.until) return false;
  return true;
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_INBOX_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
    throw new OrangeSmsValidationError('limit', 'expected an integer from 1 to 1000');
  }
  return limit;
}
