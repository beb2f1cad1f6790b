import { Redis } from 'ioredis';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { startRedisFaultProxy, type RedisFaultProxy } from './support/redis-fault-proxy.js';

// The fault proxy is what the reliability specs stand on: check it does exactly what it says.
describe('Redis fault proxy (test support)', () => {
  let redis: TestRedis;
  let proxy: RedisFaultProxy;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    client = new Redis(proxy.url, { lazyConnect: true });
    await client.connect();
  });
  afterAll(async () => {
    client.disconnect();
    await proxy.close();
    await redis.stop();
  });

  it('a dropped reply: the command ran once, the client resends it after reconnecting', async () => {
    const dropped = proxy.dropReply((command) => command[0] === 'INCR');
    const value = await client.incr('counter');
    expect(await dropped).toEqual(['INCR', 'counter']);
    // Ran on Redis, reply lost, resent by ioredis: applied twice. That is the fault the stores must survive.
    expect(value).toBe(2);
    expect(proxy.commands.filter((command) => command[0] === 'INCR')).toHaveLength(2);
  });

  it('a failed command never reaches Redis and answers an error, in order with its neighbours', async () => {
    const failed = proxy.failCommand((command) => command[0] === 'SET' && command[1] === 'b', 'READONLY injected');
    const results = await client.pipeline().set('a', '1').set('b', '2').set('c', '3').exec();
    await failed;
    expect(results![0]).toEqual([null, 'OK']);
    expect(String(results![1][0])).toContain('READONLY injected');
    expect(results![2]).toEqual([null, 'OK']);
    expect(await client.mget('a', 'b', 'c')).toEqual(['1', null, '3']);
  });
});
