export { OrangeSmsRedisBackend } from './orange-sms.redis-backend.js';
export { RedisOrangeSmsRateLimiter } from './orange-sms.redis-rate-limiter.js';
export { RedisOrangeSmsStore, type RedisOrangeSmsStoreOptions } from './orange-sms.redis-store.js';
export { RedisOrangeSmsTokenCache } from './orange-sms.redis-token-cache.js';
