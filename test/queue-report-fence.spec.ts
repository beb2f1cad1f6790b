import 'reflect-metadata';
import { OrangeSmsService, OrangeSmsValidationError } from '../lib/index.js';
import type { OrangeSmsQueuedJob } from '../lib/interfaces/orange-sms.queue.interfaces.js';
import { ORANGE_SMS_QUEUE_LINK } from '../lib/orange-sms.constants.js';
import { processQueuedJob } from '../lib/queue/orange-sms.queue-processing.js';
import { SendOutcomes } from './support/send-outcomes.js';
import { startTestApp, useEmulator } from './support/test-app.js';

/**
 * A worker reports a queued job's failure (SmsFailed) only while it holds the job: one that froze past
 * its lock stays silent, since the worker that took the job over reports its outcome (and may well
 * have sent it). The SIGSTOP spec shows this end to end; here each branch is forced.
 */
describe('queue: failure reports are fenced by the job lock', () => {
  const ctx = useEmulator({ autoDeliveryStatus: null });

  const job = (holdsLock: boolean, interruptedInFlight = false): OrangeSmsQueuedJob => ({
    input: { to: 'not a number', text: 'x', reference: 'fence-1' },
    attempt: 1,
    maxAttempts: 1,
    interruptedInFlight,
    markInFlight: async () => undefined,
    clearInFlight: async () => undefined,
    holdsLock: async () => holdsLock,
  });

  it.each([
    ['a failed send', false],
    ['a job found in flight', true],
  ])('%s: reported while the lock is held, silent once it is lost', async (_, interrupted) => {
    ctx.app = await startTestApp(ctx.emulator, { providers: [SendOutcomes], wireCallbacks: false });
    const sms = ctx.app.app.get(OrangeSmsService);
    const outcomes = ctx.app.app.get(SendOutcomes);

    // Events are published on the next turn of the event loop.
    const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 20));

    const lost = await processQueuedJob(sms[ORANGE_SMS_QUEUE_LINK](), job(false, interrupted));
    await nextTurn();
    expect(lost).toMatchObject({ retry: false, lockLost: true });
    expect(outcomes.failed).toHaveLength(0);

    const held = await processQueuedJob(sms[ORANGE_SMS_QUEUE_LINK](), job(true, interrupted));
    await nextTurn();
    expect(held.lockLost).toBeUndefined();
    expect(outcomes.failed).toHaveLength(1);
    if (!interrupted) expect(outcomes.failed[0]!.error).toBeInstanceOf(OrangeSmsValidationError);
    expect(ctx.emulator.messages).toHaveLength(0);
  });
});
