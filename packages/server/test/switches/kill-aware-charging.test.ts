import type { ChargingTransaction, KillAnswer } from '@tollgate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { killAwareCharging } from '../../src/switches/teardown/kill-aware-charging.ts';
import type {
  SessionOrigin,
  SessionOriginStore,
} from '../../src/switches/teardown/session-origins.ts';
import {
  account,
  addDeck,
  openHarness,
  type ChargingHarness,
} from '../charging/charging-harness.ts';

/** Origins in memory: only what the wrapper reads (find) and the kill writes (recordKill). */
function memoryOrigins() {
  const kills = new Map<string, KillAnswer>();
  let finds = 0;
  const unused = async (): Promise<never> => {
    throw new Error('not used by killAwareCharging');
  };
  const store: SessionOriginStore = {
    find: async (sessionId): Promise<SessionOrigin | null> => {
      finds += 1;
      const killAnswer = kills.get(sessionId) ?? null;
      return killAnswer === null ? null : { sessionId, integration: 'http', callRef: {},
        requestNumber: killAnswer.requestNumber, killedAtMs: 0, killAnswer, createdAtMs: 0 };
    },
    recordKill: async (sessionId, answer) => {
      kills.set(sessionId, answer);
    },
    record: unused, updateCallRef: unused, advanceRequestNumber: unused, forgetBefore: unused,
  };
  return { store, finds: () => finds };
}

// The core answers what a switch sends after a kill; the wrapper only covers sessions killed
// before kills were stored tagged `killed` (their stored answer is a plain terminate answer).
describe('killAwareCharging', () => {
  let harness: ChargingHarness;
  afterEach(async () => {
    await harness.close();
  });

  async function killed(sessionId: string, origins: SessionOriginStore) {
    addDeck(harness, 'retail', 'prefix,rate\n44,0.60\n');
    await account(harness, { id: 'op', tier: 'super_admin', mode: 'postpaid', creditLimit: null });
    await account(harness, { id: 'c', tier: 'customer', parentId: 'op', deck: 'retail',
      topup: '5.00' });
    await harness.charging.authorize({ sessionId, requestNumber: 0, accountId: 'c',
      caller: '15550001', callee: '441234567' });
    harness.clock.advanceMs(20_000);
    const answer = await harness.charging.kill({ sessionId });
    if (!answer.ok) throw new Error(answer.message);
    await origins.recordKill(sessionId, answer.value, harness.clock.nowMs());
    return answer.value;
  }

  it('passes the core\'s own answers after a kill through, without reading origins',
    async () => {
      harness = await openHarness('sqlite');
      const origins = memoryOrigins();
      const charging = killAwareCharging(harness.charging, origins.store, harness.clock);
      const kill = await killed('a1', origins.store);
      expect(await charging.update({ sessionId: 'a1', requestNumber: 4, usedSeconds: 25 }))
        .toMatchObject({ ok: true, value: { status: 'granted', grantedSeconds: 0, final: true,
          usedSeconds: 20, costMicros: kill.costMicros } });
      expect(await charging.terminate({ sessionId: 'a1', requestNumber: 4, usedSeconds: 25 }))
        .toEqual({ ok: true, value: { ...kill, status: 'terminated' } });
      expect(origins.finds()).toBe(0);
    });

  it('answers later requests to a session killed by the older code from its origin',
    async () => {
      harness = await openHarness('sqlite');
      const origins = memoryOrigins();
      const charging = killAwareCharging(harness.charging, origins.store, harness.clock);
      const kill = await killed('a2', origins.store);
      // What the older code stored for a kill: a plain terminate answer.
      const { status: _status, ...fields } = kill;
      const oldJson = JSON.stringify({ status: 'terminated', ...fields },
        (_key, value: unknown) => typeof value === 'bigint' ? { $bigint: String(value) } : value);
      await harness.store.transaction(async (tx: ChargingTransaction) => {
        const session = (await tx.findSession('a2'))!;
        await tx.updateSession({ ...session, lastAnswerJson: oldJson });
      });
      expect(await charging.update({ sessionId: 'a2', requestNumber: 3, usedSeconds: 25 }))
        .toEqual({ ok: true, value: { status: 'granted', sessionId: 'a2', requestNumber: 3,
          grantedSeconds: 0, final: true, hangupAtMs: harness.clock.nowMs(), usedSeconds: 20,
          costMicros: kill.costMicros, currency: 'USD' } });
      expect(await charging.terminate({ sessionId: 'a2', requestNumber: 3, usedSeconds: 25 }))
        .toEqual({ ok: true, value: { ...kill, status: 'terminated' } });
      expect(await charging.update({ sessionId: 'nobody', requestNumber: 1, usedSeconds: 1 }))
        .toMatchObject({ ok: false, code: 'session_not_found' });
    });
});
