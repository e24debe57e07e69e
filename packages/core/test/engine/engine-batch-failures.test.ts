import { describe, expect, it } from 'vitest';
import { micros } from '../../src/index.ts';
import { flush } from './engine-sim-world.ts';
import {
  call,
  callOutcome,
  openRepro,
  settleAll,
  startCall,
  track,
  untilAppendWaits,
  type Repro,
} from './engine-repro-kit.ts';

/**
 * Regressions for the engine around a failed batch, minimal cases of what the seeded
 * simulation found (README.md, "Regressions"). A failed batch races the decisions around it, so
 * the race cases try every phase of a decision against the failure in a small range: a change
 * of the engine's timing does not hide them.
 */
const phases = [0, 1, 2, 3].flatMap((ioTurns) => [0, 1, 2, 3].map((hops) => ({ ioTurns, hops })));

/** After `hops` microtasks, counted from a chain started now (before what is queued next). */
function after(hops: number, run: () => void): void {
  let chain: Promise<void> = Promise.resolve();
  for (let hop = 0; hop < hops; hop += 1) chain = chain.then(() => undefined);
  void chain.then(run);
}

/** s1 live at request 1 (10 s used), s2 and s3 live; every answer durable. */
async function threeCalls(): Promise<Repro> {
  const repro = await openRepro();
  await startCall(repro, 's1');
  await call(repro, repro.node.charging.update({ sessionId: 's1', requestNumber: 1,
    usedSeconds: 10 }));
  await startCall(repro, 's2');
  await startCall(repro, 's3');
  return repro;
}

/** An update of s2 is decided; the next event-loop turn writes its batch, which is lost. */
async function failingBatch(repro: Repro, ioTurns: number) {
  repro.storage.ioTurns = ioTurns;
  const doomed = track(repro.node.charging.update({ sessionId: 's2', requestNumber: 1,
    usedSeconds: 5 }));
  await flush();
  expect(repro.scheduler.pending).toBe(1);
  repro.storage.failNextAppend('lost');
  return doomed;
}

function storedRequest(repro: Repro, sessionId: string): string {
  const session = repro.storage.tables.sessions.get(sessionId);
  return session === undefined ? 'none' : `#${session.lastRequestNumber} ${session.state}`;
}

/** What a client heard and what storage holds of its request must agree. */
function agreement(repro: Repro, tracked: { readonly outcome: unknown }, sessionId: string,
  requestNumber: number, closes = false): string {
  const heard = callOutcome(tracked.outcome as Parameters<typeof callOutcome>[0]);
  const stored = storedRequest(repro, sessionId);
  const done = `#${requestNumber} ${closes ? 'closed' : 'live'}`;
  const before = `#${requestNumber - 1} live`;
  if ((heard === 'answered' && stored === done) || (heard === 'rejected' && stored === before)) {
    return 'agree';
  }
  return `${sessionId}: ${heard}, storage holds ${stored}`;
}

describe('charging engine: an answer leaves only after the commit that holds its records', () => {
  it('a retransmission answered from memory fails with the batch that holds its original',
    async () => {
      const repro = await openRepro();
      await startCall(repro, 's1');
      const update = { sessionId: 's1', requestNumber: 1, usedSeconds: 10 };
      // The update is decided and its batch is being written (the storage holds the commit).
      repro.storage.holdAppends();
      const original = track(repro.node.charging.update(update));
      await untilAppendWaits(repro);
      // The switch retransmits before it hears: answered from the session's stored answer.
      const retransmission = track(repro.node.charging.update(update));
      await flush();
      // The commit is lost (a crash, a connection gone before COMMIT).
      repro.storage.failWritingAppend('lost');
      await settleAll(repro, [original, retransmission]);
      expect({ original: callOutcome(original.outcome),
        retransmission: callOutcome(retransmission.outcome),
        stored: storedRequest(repro, 's1') })
        .toEqual({ original: 'rejected', retransmission: 'rejected', stored: '#0 live' });
    });

  it('a top-up replayed from its idempotency outcome fails with the batch that holds the ' +
    'original top-up', async () => {
    const repro = await openRepro();
    const topup = { accountId: 'cus', currency: 'USD', amountMicros: micros(5_000_000n),
      reference: 'topup-2', idempotencyKey: 'topup-2#0' };
    repro.storage.holdAppends();
    const original = track(repro.node.ledger.topup(topup));
    await untilAppendWaits(repro);
    const replay = track(repro.node.ledger.topup(topup));
    await flush();
    repro.storage.failWritingAppend('lost');
    await settleAll(repro, [original, replay]);
    expect({ original: callOutcome(original.outcome), replay: callOutcome(replay.outcome),
      stored: repro.storage.tables.debitsByReference.has('topup-2') })
      .toEqual({ original: 'rejected', replay: 'rejected', stored: false });
  });
});

describe('charging engine: a failed batch and the decisions running around it', () => {
  it('a decision running when a batch fails runs again on the reloaded memory: answered and ' +
    'stored, or rejected and not stored, never an internal error', async () => {
    const disagreements: string[] = [];
    for (const { ioTurns, hops } of phases) {
      const repro = await threeCalls();
      const doomed = await failingBatch(repro, ioTurns);
      const box: { terminate?: ReturnType<typeof track> } = {};
      repro.scheduler.run(0);
      after(hops, () => {
        box.terminate = track(repro.node.charging.terminate({ sessionId: 's1',
          requestNumber: 2, usedSeconds: 20 }));
      });
      await flush();
      await settleAll(repro, [doomed, box.terminate!]);
      for (const outcome of [agreement(repro, doomed, 's2', 1),
        agreement(repro, box.terminate!, 's1', 2, true)]) {
        if (outcome !== 'agree') disagreements.push(`phase ${ioTurns}/${hops}: ${outcome}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('a decision that meets a failed batch as it starts runs on the reloaded memory, so its ' +
    'retransmission moves no money again', async () => {
    const charged: string[] = [];
    for (const { ioTurns, hops } of phases) {
      const repro = await threeCalls();
      const doomed = await failingBatch(repro, ioTurns);
      const update = { sessionId: 's1', requestNumber: 2, usedSeconds: 50 };
      const box: { update?: ReturnType<typeof track>; other?: ReturnType<typeof track> } = {};
      repro.scheduler.run(0);
      after(hops, () => {
        box.update = track(repro.node.charging.update(update));
        // Another request right behind it reloads memory before the update is committed.
        box.other = track(repro.node.charging.update({ sessionId: 's3', requestNumber: 1,
          usedSeconds: 1 }));
      });
      await flush();
      await settleAll(repro, [doomed, box.update!, box.other!]);
      if (box.update!.outcome?.ok !== true) continue;
      // The switch did not hear (a timeout) and sends the update again: a replay.
      const again = track(repro.node.charging.update(update));
      await settleAll(repro, [again]);
      const session = repro.storage.tables.sessions.get('s1')!;
      const debited = repro.storage.tables.debitsByReference.get('s:s1')?.get('cus/main');
      if (debited !== session.levels[0]!.committedMicros) {
        charged.push(`phase ${ioTurns}/${hops}: the call costs ` +
          `${session.levels[0]!.committedMicros}, the customer was debited ${debited}`);
      }
    }
    expect(charged).toEqual([]);
  });

  it('the batch being written fails while decisions run behind it: each of them is answered ' +
    'and stored, or rejected and not stored', async () => {
    const disagreements: string[] = [];
    for (const { ioTurns, hops } of phases) {
      const repro = await threeCalls();
      repro.storage.ioTurns = ioTurns;
      repro.storage.holdAppends();
      const doomed = track(repro.node.charging.update({ sessionId: 's2', requestNumber: 1,
        usedSeconds: 5 }));
      await untilAppendWaits(repro);
      const terminate = track(repro.node.charging.terminate({ sessionId: 's1',
        requestNumber: 2, usedSeconds: 20 }));
      const update = track(repro.node.charging.update({ sessionId: 's3', requestNumber: 1,
        usedSeconds: 1 }));
      after(hops, () => repro.storage.failWritingAppend('lost'));
      await flush();
      repro.storage.releaseAppends();
      await settleAll(repro, [doomed, terminate, update]);
      for (const outcome of [agreement(repro, doomed, 's2', 1),
        agreement(repro, terminate, 's1', 2, true), agreement(repro, update, 's3', 1)]) {
        if (outcome !== 'agree') disagreements.push(`phase ${ioTurns}/${hops}: ${outcome}`);
      }
      expect(callOutcome(doomed.outcome)).toBe('rejected');
    }
    expect(disagreements).toEqual([]);
  });
});
