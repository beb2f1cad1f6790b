/**
 * The Redis scripts run by SHA1 (EVALSHA). Redis forgets them on a restart or SCRIPT FLUSH: the next
 * call gets NOSCRIPT (the script did not run), sends the body once (EVAL), and runs exactly once.
 */
import { Redis } from 'ioredis';
import { RedisOrangeSmsStore } from '../lib/redis/index.js';
import { startRedisFaultProxy } from './support/redis-fault-proxy.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { trackedSms } from './support/tracked-sms.js';

describe('Redis scripts by SHA1', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('after SCRIPT FLUSH a save sends its body once, runs once, and later saves go by SHA1 again', async () => {
    const proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    const client = new Redis(proxy.url);
    try {
      const store = new RedisOrangeSmsStore(client, { keyPrefix: 'flushed:' });
      await store.saveMessage(trackedSms('before'));
      await client.script('FLUSH');
      const from = proxy.commands.length;
      await store.saveMessage(trackedSms('after'));
      await store.saveMessage(trackedSms('again'));
      const scripts = proxy.commands.slice(from).filter((command) => /^EVAL/.test(command[0]!));
      expect(scripts.map((command) => command[0])).toEqual(['EVALSHA', 'EVAL', 'EVALSHA']);
      expect((await store.listMessages({})).map((message) => message.id).sort()).toEqual(['after', 'again', 'before']);
      expect(await client.zcard('flushed:msgs')).toBe(3);
    } finally {
      client.disconnect();
      await proxy.close();
    }
  });

  it('an error other than NOSCRIPT is not retried with the body', async () => {
    const proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    const client = new Redis(proxy.url);
    try {
      const store = new RedisOrangeSmsStore(client, { keyPrefix: 'failing:' });
      const failed = proxy.failCommand(
        (command) => command[0] === 'EVALSHA',
        "READONLY You can't write against a read only replica.",
      );
      await expect(store.saveMessage(trackedSms('x'))).rejects.toThrow(/READONLY/);
      await failed;
      expect(proxy.commands.filter((command) => command[0] === 'EVAL')).toHaveLength(0);
      expect(await client.exists('failing:msg:x')).toBe(0);
    } finally {
      client.disconnect();
      await proxy.close();
    }
  });
});
