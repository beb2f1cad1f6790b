import { startRedis, type TestRedis } from './support/redis-server.js';
import { waitFor } from './support/test-app.js';
import { WebhookInstance } from './support/webhook-instance.js';

const SECRET = 'sweep-webhook-secret-0123456789';
const LEASE_MS = 1_000;
const SWEEP_MS = 300;

function postReceipt(port: number, messageId: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/orange-sms/webhooks/delivery-receipts?token=${SECRET}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      deliveryInfoNotification: {
        callbackData: messageId,
        deliveryInfo: { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
      },
    }),
  });
}

/**
 * The instance that answered Orange 200 dies (SIGKILL) or freezes (SIGSTOP) before its listener
 * finished: a live instance delivers the notification from the outbox once the lease runs out.
 * Both instances are real processes (test/support/webhook-instance.mjs, the built package) on one Redis.
 */
describe('the outbox sweep with real processes (build first: uses dist/)', () => {
  let redis: TestRedis;
  let a: WebhookInstance | undefined;
  let b: WebhookInstance | undefined;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await a?.kill();
    await b?.kill();
    a = undefined;
    b = undefined;
  });
  afterAll(async () => {
    await redis.stop();
  });

  const env = (keyPrefix: string, listener: string) => ({
    REDIS_URL: redis.url,
    KEY_PREFIX: keyPrefix,
    WEBHOOK_SECRET: SECRET,
    LEASE_MS: String(LEASE_MS),
    SWEEP_MS: String(SWEEP_MS),
    LISTENER: listener,
    SLOW_MS: listener === 'slow' ? '3000' : '0',
  });

  it('A answers 200 and is SIGKILLed inside its listener: B delivers the receipt, once', async () => {
    a = new WebhookInstance(env('sweep-kill:', 'hang'));
    const port = await a.port();
    b = new WebhookInstance(env('sweep-kill:', 'count'));
    await b.port();

    expect((await postReceipt(port, 'msg-killed')).status).toBe(200);
    await waitFor(() => a!.count('listening', 'msg-killed') === 1, 10_000);
    await a.kill();

    // Bound: the lease (1 s) plus one sweep interval (0.3 s), plus scheduling.
    await waitFor(() => b!.count('finished', 'msg-killed') === 1, 10_000);
    // Several more sweeps: the delivered event is gone from the outbox, nothing delivers it again.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 4 * SWEEP_MS));
    expect(b.count('listening', 'msg-killed')).toBe(1);
  }, 30_000);

  it('A frozen (SIGSTOP) past its lease, then resumed: B delivers it, A finishes its run, nothing a third time', async () => {
    a = new WebhookInstance(env('sweep-stop:', 'slow'));
    const port = await a.port();
    b = new WebhookInstance(env('sweep-stop:', 'count'));
    await b.port();

    expect((await postReceipt(port, 'msg-frozen')).status).toBe(200);
    await waitFor(() => a!.count('listening', 'msg-frozen') === 1, 10_000);
    a.signal('SIGSTOP');
    await waitFor(() => b!.count('finished', 'msg-frozen') === 1, 10_000);
    a.signal('SIGCONT');
    await waitFor(() => a!.count('finished', 'msg-frozen') === 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 4 * SWEEP_MS));

    // At least once, as the README says: A's interrupted run and B's run; never a third.
    expect(b.count('listening', 'msg-frozen')).toBe(1);
    expect(a.count('listening', 'msg-frozen')).toBe(1);
  }, 30_000);
});
