import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

type ScriptArgument = string | number | Buffer;

const shaOf = new Map<string, string>();

/** Marks a Lua body as one of the module's scripts, so `loadScripts` puts it in Redis's cache at boot. */
export function luaScript(body: string): string {
  shaOf.set(body, createHash('sha1').update(body).digest('hex'));
  return body;
}

/**
 * Loads every script into Redis's cache (SCRIPT LOAD, one pipeline): the first EVALSHA of each then
 * runs at once, instead of answering NOSCRIPT and costing one more round trip.
 */
export async function loadScripts(redis: Redis): Promise<void> {
  const pipeline = redis.pipeline();
  for (const body of shaOf.keys()) pipeline.script('LOAD', body);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}

/**
 * Runs a Lua script by its SHA1 (EVALSHA): the body, up to a few KB, crosses the network and is hashed
 * by Redis only when Redis does not hold it yet (first use, after a restart or SCRIPT FLUSH). Redis then
 * answers NOSCRIPT, which proves the script did not run, and the body goes with EVAL, which caches it.
 * (ioredis's `defineCommand` does the same but adds methods to the client, which may be the host's.)
 */
export async function runScript(
  redis: Redis,
  body: string,
  numKeys: number,
  ...args: ScriptArgument[]
): Promise<unknown> {
  let sha = shaOf.get(body);
  if (sha === undefined) {
    sha = createHash('sha1').update(body).digest('hex');
    shaOf.set(body, sha);
  }
  try {
    return await redis.evalsha(sha, numKeys, ...args);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return redis.eval(body, numKeys, ...args);
  }
}
