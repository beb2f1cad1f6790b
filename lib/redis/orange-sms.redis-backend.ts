import { Redis } from 'ioredis';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { OrangeSmsRedisOptions } from '../orange-sms.options.js';
import { RedisOrangeSmsRateLimiter } from './orange-sms.redis-rate-limiter.js';
import { RedisOrangeSmsStore } from './orange-sms.redis-store.js';
import { RedisOrangeSmsTokenCache } from './orange-sms.redis-token-cache.js';
import type { OrangeSmsRateLimitOptions } from '../orange-sms.options.js';

/**
 * What `redis: { url } | { client }` turns on: the shared store, the fleet's token and its pacing,
 * on one connection. A connection the module opened is closed at shutdown; a client the host gave
 * stays the host's.
 */
export class OrangeSmsRedisBackend implements OnApplicationShutdown {
  readonly client: Redis;
  readonly keyPrefix: string;
  readonly store: RedisOrangeSmsStore;
  readonly tokenCache: RedisOrangeSmsTokenCache;
  private readonly ownsClient: boolean;
  private readonly limiters: RedisOrangeSmsRateLimiter[] = [];

  constructor(options: OrangeSmsRedisOptions) {
    this.ownsClient = options.client === undefined;
    this.client = (options.client as Redis | undefined) ?? new Redis(options.url!, { lazyConnect: false });
    this.keyPrefix = options.keyPrefix ?? 'orange-sms:';
    this.store = new RedisOrangeSmsStore(this.client, {
      keyPrefix: this.keyPrefix,
      messageTtlSeconds: options.messageTtlSeconds,
    });
    this.tokenCache = new RedisOrangeSmsTokenCache(this.client, this.keyPrefix);
  }

  rateLimiter(options: Required<OrangeSmsRateLimitOptions>, credentialKey: string): RedisOrangeSmsRateLimiter {
    const limiter = new RedisOrangeSmsRateLimiter(this.client, options, credentialKey, this.keyPrefix);
    this.limiters.push(limiter);
    return limiter;
  }

  /** Connection options for extra connections (BullMQ needs its own, with no per-request retry cap). */
  connectionOptions(): Redis['options'] {
    return this.client.options;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const limiter of this.limiters) limiter.close();
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}
