/**
 * Settles like `promise`, or rejects with `onTimeout()` once `timeoutMs` has passed; the timer is
 * always cleared. The promise itself keeps running (a shared token request, a Redis command): only
 * this caller stops waiting for it.
 */
export function settleWithin<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
