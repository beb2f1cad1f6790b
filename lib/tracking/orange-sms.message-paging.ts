import { OrangeSmsStoreError } from '../errors/orange-sms.errors.js';
import type { OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import type {
  OrangeSmsMessageFilter,
  OrangeSmsMessagePage,
  OrangeSmsMessagePosition,
  TrackedSms,
} from '../interfaces/orange-sms.tracking.interfaces.js';
import { decodeCursor, encodeCursor, pageLimit } from './orange-sms.inbox-paging.js';

/**
 * Sent messages a page at a time, most recent first. The cursor names the last message returned (its
 * submit time and id), so a page never repeats or skips one when newer messages arrive in between.
 */
export async function listMessagePage(
  store: OrangeSmsStore,
  filter: Omit<OrangeSmsMessageFilter, 'after' | 'limit'>,
  page: { cursor?: string; limit?: number },
): Promise<OrangeSmsMessagePage> {
  const limit = pageLimit(page.limit);
  const cursor = decodeCursor(page.cursor);
  const after = cursor && { submittedAt: new Date(cursor.at), id: cursor.id };
  const found = await store.listMessages({ ...filter, ...(after ? { after } : {}), limit: limit + 1 });
  checkHonoursCursor(found, after);
  const items = found.slice(0, limit);
  if (found.length <= limit) return { items };
  const last = items[items.length - 1]!;
  return { items, nextCursor: encodeCursor({ at: last.submittedAt.getTime(), id: last.id }) };
}

/** Whether `message` comes after `position` in the most-recent-first order (ties: id descending). */
export function isAfterMessage(message: TrackedSms, position: OrangeSmsMessagePosition | undefined): boolean {
  if (!position) return true;
  const at = message.submittedAt.getTime();
  const edge = position.submittedAt.getTime();
  return at < edge || (at === edge && message.id < position.id);
}

/** The most-recent-first order of sent messages. */
export function messageOrder(a: TrackedSms, b: TrackedSms): number {
  return b.submittedAt.getTime() - a.submittedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * Every message submitted in the window, most recent first, a page of `pageSize` at a time through
 * the store's cursor (`after`): never the whole window in memory.
 */
export async function* messagePages(
  store: Pick<OrangeSmsStore, 'listMessages'>,
  window: { since?: Date; until?: Date },
  pageSize = 1_000,
): AsyncIterable<TrackedSms[]> {
  let after: OrangeSmsMessagePosition | undefined;
  for (;;) {
    const page = await store.listMessages({ ...window, ...(after ? { after } : {}), limit: pageSize });
    checkHonoursCursor(page, after);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { submittedAt: last.submittedAt, id: last.id };
  }
}

/** A store written before cursors would hand back the first page forever: named instead. */
function checkHonoursCursor(page: readonly TrackedSms[], after: OrangeSmsMessagePosition | undefined): void {
  if (after && page.some((message) => !isAfterMessage(message, after))) {
    throw new OrangeSmsStoreError('the store ignores listMessages({ after }): it cannot page with a cursor', {
      operation: 'listMessages',
    });
  }
}
