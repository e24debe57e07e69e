/** Keys one load asks for at most; more wait for the next load. */
export const coalescedKeysMax = 500;

interface Waiter<V> {
  readonly keys: readonly string[];
  resolve(values: V[]): void;
  reject(error: unknown): void;
}

/**
 * Lookups by key asked during one turn of the event loop, answered by one load. Under load
 * every new call faults once on its session id (is it taken?); one query for all the calls that
 * arrived together costs a round trip where one query each cost a round trip apiece.
 */
export function coalesced<V>(
  loadMany: (keys: readonly string[]) => Promise<V[]>,
  keyOf: (value: V) => string,
): (keys: readonly string[]) => Promise<V[]> {
  let waiters: Array<Waiter<V>> | null = null;
  const flush = async (batch: Array<Waiter<V>>) => {
    const keys = [...new Set(batch.flatMap((waiter) => waiter.keys))];
    try {
      const found = new Map<string, V>();
      for (let start = 0; start < keys.length; start += coalescedKeysMax) {
        const values = await loadMany(keys.slice(start, start + coalescedKeysMax));
        for (const value of values) found.set(keyOf(value), value);
      }
      for (const waiter of batch) {
        waiter.resolve(waiter.keys.flatMap((key) => found.get(key) ?? []));
      }
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  };
  return (keys) => new Promise<V[]>((resolve, reject) => {
    if (waiters === null) {
      const batch: Array<Waiter<V>> = [];
      waiters = batch;
      setImmediate(() => {
        waiters = null;
        void flush(batch);
      });
    }
    waiters.push({ keys, resolve, reject });
  });
}
