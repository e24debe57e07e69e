import { describe, expect, it } from 'vitest';
import { call, openRepro, startCall } from './engine-repro-kit.ts';

describe('the storage round trips of a call on its owner', () => {
  it('asks storage once about its new ids: the session and its reservation together', async () => {
    const repro = await openRepro();
    await startCall(repro, 'warm-up');
    const before = repro.node.engine.stats();
    await startCall(repro, 'call-1');
    const after = repro.node.engine.stats();
    // One fault: the new session id is not in memory, and absence is not remembered (another
    // node may create it). Its reservation's id follows from it and is looked up in the same
    // load; a second fault would undo and run the whole decision a third time.
    expect(after.faults - before.faults).toBe(1);
    expect(after.decisions - before.decisions).toBe(1);
  });

  it('decides a live call\'s updates and its end from memory alone', async () => {
    const repro = await openRepro();
    const { charging } = repro.node;
    // The account's first charge of the day loads its spend windows, once.
    await startCall(repro, 'warm-up');
    await call(repro, charging.terminate({ sessionId: 'warm-up', requestNumber: 1,
      usedSeconds: 5 }));
    await startCall(repro, 'call-1');
    const before = repro.node.engine.stats();
    const updated = await call(repro, charging.update({ sessionId: 'call-1', requestNumber: 1,
      usedSeconds: 30 }));
    const ended = await call(repro, charging.terminate({ sessionId: 'call-1', requestNumber: 2,
      usedSeconds: 47 }));
    expect([updated.ok, ended.ok]).toEqual([true, true]);
    const after = repro.node.engine.stats();
    expect(after.faults - before.faults).toBe(0);
    expect(after.decisions - before.decisions).toBe(2);
  });
});
