import { GroupedWrites } from '../../lib/common/orange-sms.grouped-writes.js';

/** A write the test answers by hand: each call is kept with its items until resolved or failed. */
function manualWriter<T>() {
  const calls: Array<{ items: T[]; resolve: (results: string[]) => void; reject: (error: Error) => void }> = [];
  const write = (items: T[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ items, resolve, reject });
    });
  return { calls, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupedWrites (group commit)', () => {
  it('writes an item at once when nothing runs, and groups those added meanwhile into the next write', async () => {
    const { calls, write } = manualWriter<number>();
    const writes = new GroupedWrites<number, string>(write);
    const first = writes.add(1);
    expect(calls.map((call) => call.items)).toEqual([[1]]);
    const later = [writes.add(2), writes.add(3), writes.add(4)];
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve(['one']);
    expect(await first).toBe('one');
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.resolve(['two', 'three', 'four']);
    expect(await Promise.all(later)).toEqual(['two', 'three', 'four']);
  });

  it('a failed write rejects the items of its group only; the next group is written', async () => {
    const { calls, write } = manualWriter<number>();
    const writes = new GroupedWrites<number, string>(write);
    const first = writes.add(1);
    const grouped = [writes.add(2), writes.add(3)];
    calls[0]!.resolve(['one']);
    await first;
    await tick();
    const after = writes.add(4);
    calls[1]!.reject(new Error('READONLY'));
    await expect(grouped[0]).rejects.toThrow('READONLY');
    await expect(grouped[1]).rejects.toThrow('READONLY');
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3], [4]]);
    calls[2]!.resolve(['four']);
    expect(await after).toBe('four');
  });

  it('an Error among the results rejects that item alone; the others of its group resolve', async () => {
    const writes = new GroupedWrites<number, number>(async (items) =>
      items.map((item) => (item === 2 ? new Error('item 2 failed') : item * 10)),
    );
    const results = [writes.add(1), writes.add(2), writes.add(3)].map((added) =>
      added.then(
        (value) => value,
        (error: Error) => error.message,
      ),
    );
    expect(await Promise.all(results)).toEqual([10, 'item 2 failed', 30]);
  });

  it('a write that throws before returning a promise rejects its group, and the writer goes on', async () => {
    let fail = true;
    const writes = new GroupedWrites<number, number>(async (items) => {
      if (fail) {
        fail = false;
        throw new Error('broken');
      }
      return items.map((item) => item * 10);
    });
    await expect(writes.add(1)).rejects.toThrow('broken');
    expect(await writes.add(2)).toBe(20);
  });

  it('groups at most maxGroup items, in the order they were added', async () => {
    const { calls, write } = manualWriter<number>();
    const writes = new GroupedWrites<number, string>(write, 3);
    const all = Array.from({ length: 8 }, (_, i) => writes.add(i));
    for (let group = 0; group < 4; group++) {
      await tick();
      const call = calls[group];
      if (!call) break;
      call.resolve(call.items.map(String));
    }
    expect(await Promise.all(all)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(calls.map((call) => call.items)).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
  });

  it('an item that waited past what `expired` allows is not written: it rejects with that error, the rest go on', async () => {
    const { calls, write } = manualWriter<string>();
    let now = 1_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const writes = new GroupedWrites<string, string>(write, 10, (item, waitedMs) =>
        item.startsWith('take') && waitedMs > 100 ? new Error(`${item} waited ${waitedMs} ms`) : undefined,
      );
      const first = writes.add('take-1');
      const stale = writes.add('take-2');
      const kept = writes.add('delete-1');
      now += 150;
      const fresh = writes.add('take-3');
      calls[0]!.resolve(['one']);
      await first;
      await expect(stale).rejects.toThrow('take-2 waited 150 ms');
      await tick();
      expect(calls.map((call) => call.items)).toEqual([['take-1'], ['delete-1', 'take-3']]);
      calls[1]!.resolve(['deleted', 'three']);
      expect(await Promise.all([kept, fresh])).toEqual(['deleted', 'three']);
    } finally {
      Date.now = realNow;
    }
  });

  it('without results (a delete), each item resolves when its group is written', async () => {
    const written: string[][] = [];
    const writes = new GroupedWrites<string>(async (ids) => {
      written.push(ids);
      return ids.length;
    });
    await Promise.all([writes.add('a'), writes.add('b'), writes.add('c')]);
    expect(written).toEqual([['a'], ['b', 'c']]);
  });
});
