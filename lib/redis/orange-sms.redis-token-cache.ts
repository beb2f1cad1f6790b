import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OrangeSmsSharedToken, OrangeSmsTokenCache } from '../http/orange-sms.token-cache.js';
import { luaScript, runScript } from './orange-sms.redis-script.js';

const RELEASE_LOCK = luaScript(
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
);
const COMPARE_AND_DELETE = luaScript(`
local json = redis.call('GET', KEYS[1])
if json and cjson.decode(json).value == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** The fleet's token in Redis, and a lock (`SET NX PX` with an owner, released only by its owner). */
export class RedisOrangeSmsTokenCache implements OrangeSmsTokenCache {
  private readonly owner = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'orange-sms:',
  ) {}

  async get(key: string): Promise<OrangeSmsSharedToken | undefined> {
    const json = await this.redis.get(this.tokenKey(key));
    return json === null ? undefined : (JSON.parse(json) as OrangeSmsSharedToken);
  }

  async set(key: string, token: OrangeSmsSharedToken): Promise<void> {
    const ttl = Math.max(1, token.expiresAt - Date.now());
    await this.redis.set(this.tokenKey(key), JSON.stringify(token), 'PX', ttl);
  }

  async invalidate(key: string, value: string): Promise<void> {
    await runScript(this.redis, COMPARE_AND_DELETE, 1, this.tokenKey(key), value);
  }

  async lock(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.lockKey(key), this.owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlock(key: string): Promise<void> {
    await runScript(this.redis, RELEASE_LOCK, 1, this.lockKey(key), this.owner);
  }

  private tokenKey(key: string): string {
    return `${this.keyPrefix}token:${key}`;
  }

  private lockKey(key: string): string {
    return `${this.keyPrefix}token:${key}:lock`;
  }
}
