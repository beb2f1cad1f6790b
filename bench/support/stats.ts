/** Small statistics and formatting helpers shared by the benchmarks. */

export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile(sortedCopy(values), 50);
}

/** Largest number of timestamps (ms) inside any half-open window [t, t + windowMs). */
export function maxInWindow(timestamps: readonly number[], windowMs = 1000): number {
  const sorted = sortedCopy(timestamps);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

export function ms(value: number, digits = 3): string {
  return `${value.toFixed(digits)} ms`;
}

export function perSecond(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')}/s`;
}

export function mb(bytes: number, digits = 1): string {
  return `${(bytes / 1024 / 1024).toFixed(digits)} MB`;
}

export function ratio(ours: number, baseline: number, digits = 2): string {
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return '—';
  return `${(ours / baseline).toFixed(digits)}×`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export const sleep = (delayMs: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, delayMs));

/** Runs `gc()` a few times so retained memory, not garbage, is measured (needs --expose-gc). */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
}
