/** A cached OAuth token, shared by the instances of a fleet. */
export interface OrangeSmsSharedToken {
  value: string;
  /** Epoch ms after which it must not be used. */
  expiresAt: number;
  /** Epoch ms from which a refresh should start. */
  refreshAt: number;
}

/**
 * Where a fleet keeps one token. `lock` is a short mutual exclusion so a cold start makes one token
 * request, not one per instance; it expires by itself if its holder dies.
 */
export interface OrangeSmsTokenCache {
  get(key: string): Promise<OrangeSmsSharedToken | undefined>;
  set(key: string, token: OrangeSmsSharedToken): Promise<void>;
  /** Deletes the token only if it is still `value` (another instance may have refreshed it). */
  invalidate(key: string, value: string): Promise<void>;
  /** True when this caller now holds the lock for `ttlMs`. */
  lock(key: string, ttlMs: number): Promise<boolean>;
  unlock(key: string): Promise<void>;
}
