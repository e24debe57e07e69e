import { describe, expect, it } from 'vitest';
import { BatchCommitter } from './batch-committer.ts';
import type { EngineRecord } from './engine-records.ts';

const record = (seconds: number): EngineRecord =>
  ({ kind: 'bundle_seconds_added', bundleId: 'b', deltaSeconds: seconds });

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function committer(append: (records: readonly EngineRecord[]) => Promise<void>,
  decisionsPerBatchMax = 100) {
  const failures: unknown[] = [];
  const durable: number[] = [];
  const batch = new BatchCommitter({ append, decisionsPerBatchMax, nowMs: () => 0, nextTurn,
    onDurable: (seq) => durable.push(seq), onFailed: (error) => failures.push(error) });
  return { batch, failures, durable };
}

describe('BatchCommitter', () => {
  it('answers no decision before the commit of its batch, and commits a turn in one batch',
    async () => {
      const appended: number[] = [];
      let finish!: () => void;
      const { batch } = committer(async (records) => {
        appended.push(records.length);
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
      });
      let settled = 0;
      const first = batch.append([record(1), record(2)]).durable.then(() => (settled += 1));
      const second = batch.append([record(3)]).durable.then(() => (settled += 1));
      await nextTurn();
      await nextTurn();
      expect(appended).toEqual([3]);
      expect(settled).toBe(0);
      finish();
      await Promise.all([first, second]);
      expect(settled).toBe(2);
    });

  it('fills the next batch while one is written, in order', async () => {
    const appended: number[][] = [];
    const gates: Array<() => void> = [];
    const { batch } = committer(async (records) => {
      appended.push(records.map((entry) => (entry as { deltaSeconds: number }).deltaSeconds));
      await new Promise<void>((resolve) => gates.push(resolve));
    });
    const a = batch.append([record(1)]).durable;
    await nextTurn();
    const b = batch.append([record(2)]).durable;
    const c = batch.append([record(3)]).durable;
    await nextTurn();
    expect(appended).toEqual([[1]]);
    gates.shift()!();
    await a;
    await nextTurn();
    await nextTurn();
    expect(appended).toEqual([[1], [2, 3]]);
    gates.shift()!();
    await Promise.all([b, c]);
  });

  it('bounds a batch by decisions', async () => {
    const appended: number[] = [];
    const { batch } = committer(async (records) => {
      appended.push(records.length);
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batch.append([record(n)]).durable));
    expect(appended).toEqual([2, 2, 1]);
  });

  it('rejects a failed batch and every batch after it, and reports the failure once', async () => {
    const gates: Array<() => void> = [];
    let calls = 0;
    const { batch, failures } = committer(async () => {
      calls += 1;
      await new Promise<void>((_resolve, reject) => gates.push(() => reject(new Error('disk'))));
    });
    const a = batch.append([record(1)]).durable;
    await nextTurn();
    const b = batch.append([record(2)]).durable;
    const barrier = batch.barrier();
    gates.shift()!();
    await expect(a).rejects.toThrow(/could not be stored/);
    await expect(b).rejects.toThrow(/could not be stored/);
    await expect(barrier).rejects.toThrow(/could not be stored/);
    expect(calls).toBe(1);
    expect(failures).toHaveLength(1);
  });

  it('resolves a barrier at once when nothing is pending', async () => {
    const { batch } = committer(async () => undefined);
    await expect(batch.barrier()).resolves.toBeUndefined();
  });
});
