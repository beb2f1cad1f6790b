/**
 * Group commit: items added while a write runs are written together by the next one, at most
 * `maxGroup` at a time. No timer: an item added when nothing runs is written at once. Each `add`
 * resolves with its own item's result (the write returns one per item, in order; an `Error` there
 * rejects that item alone), or rejects with the error of the write its item was in. `expired` may drop an item that waited too long before its
 * group was sent (its caller gave up): it rejects with the error `expired` returns.
 */
export class GroupedWrites<T, R = void> {
  private pending: Array<{
    item: T;
    addedAt: number;
    resolve: (result: R) => void;
    reject: (error: unknown) => void;
  }> = [];
  private running = false;

  constructor(
    private readonly write: (items: T[]) => Promise<[R] extends [void] ? unknown : Array<R | Error>>,
    private readonly maxGroup = 1_000,
    private readonly expired?: (item: T, waitedMs: number) => Error | undefined,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, addedAt: Date.now(), resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending.length > 0) {
      let group = this.pending.splice(0, this.maxGroup);
      if (this.expired) {
        const now = Date.now();
        group = group.filter((entry) => {
          const error = this.expired!(entry.item, now - entry.addedAt);
          if (error) entry.reject(error);
          return !error;
        });
        if (group.length === 0) continue;
      }
      try {
        const results = await this.write(group.map((entry) => entry.item));
        group.forEach((entry, index) => {
          const result = (results as Array<R | Error> | undefined)?.[index];
          if (result instanceof Error) entry.reject(result);
          else entry.resolve(result as R);
        });
      } catch (error) {
        for (const entry of group) entry.reject(error);
      }
    }
    this.running = false;
  }
}
