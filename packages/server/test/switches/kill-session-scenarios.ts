import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestApi,
  seedWorld,
  type StoreKind,
  type TestApi,
  type World,
} from '../http/http-fixture.ts';

/** kill_session over HTTP, on one store (run on SQLite and on PostgreSQL). */
export function describeKillSession(kind: StoreKind): void {
  let api: TestApi;
  let world: World;
  let sequence = 0;

  beforeAll(async () => {
    api = await openTestApi(kind);
    world = await seedWorld(api);
  });
  afterAll(async () => api.close());

  const authorize = async (accountId: string, key: string) => {
    sequence += 1;
    const sessionId = `kill-${sequence}`;
    const answer = await api.call({ method: 'POST', url: '/v1/sessions', key, json: {
      session_id: sessionId, account_id: accountId, caller: '15551230000',
      callee: '442079460000', request_number: 0 } });
    expect(answer.status).toBe(200);
    return sessionId;
  };
  const kill = (sessionId: string, key?: string, query = '') => api.call({ method: 'POST',
    url: `/v1/sessions/${sessionId}/kill${query}`, ...(key === undefined ? {} : { key }) });
  const report = (action: 'update' | 'terminate', sessionId: string,
    json: Record<string, unknown>, key: string | undefined = undefined) =>
    api.call({ method: 'POST', url: `/v1/sessions/${sessionId}/${action}`, json,
      ...(key === undefined ? {} : { key }) });
  const accountOf = async (id: string) =>
    (await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body;
  // Sessions a tenant key starts live in its account's namespace; the operator key names them
  // `<account>~<id>` (http/tenant-ids.ts). These tests start them with cu1's and rs's keys.
  const asOperator = (sessionId: string, keyAccount = 'cu1'): string =>
    `${keyAccount}~${sessionId}`;
  const cdrsOf = async (customerId: string) => (await api.call({ method: 'GET',
    url: `/v1/cdrs?account_id=${customerId}` })).body['cdrs'] as Array<Record<string, unknown>>;

  describe(`POST /v1/sessions/{id}/kill (${kind})`, () => {
    it('settles up to the kill, writes a killed CDR, and answers the switch "0 s, final"',
      async () => {
        const before = await accountOf('cu1');
        const sessionId = await authorize('cu1', world.keys.cu1);
        expect((await report('update', sessionId, { request_number: 1, used_seconds: 30 },
          world.keys.cu1)).status).toBe(200);
        api.clock.advanceMs(10_000);
        const killed = await kill(asOperator(sessionId), world.keys.rs,
          '?reason=fraud_suspected');
        expect(killed.status).toBe(200);
        // 30 s reported + 10 s since: 40 s, billed 42 s at 0.20/min + 0.05 connect = 0.19.
        expect(killed.body).toMatchObject({ status: 'killed', session_id: asOperator(sessionId),
          request_number: 2, used_seconds: 40, billed_seconds: 42, cost: '0.19',
          teardown: 'next_request' });
        expect(await accountOf('cu1')).toMatchObject({ reserved: '0.00' });
        const spent = Number(before['balance']) - Number((await accountOf('cu1'))['balance']);
        expect(spent.toFixed(2)).toBe('0.19');
        // The switch's next update is a retransmission of the kill: no time, final.
        const next = await report('update', sessionId, { request_number: 2, used_seconds: 41 },
          world.keys.cu1);
        expect(next.status).toBe(200);
        expect(next.body).toMatchObject({ status: 'granted', granted_seconds: 0, final: true,
          used_seconds: 40, cost: '0.19' });
        // Its terminate, with any number after, gets the kill's settlement; nothing moves.
        const ended = await report('terminate', sessionId, { request_number: 3,
          used_seconds: 44 }, world.keys.cu1);
        expect(ended.status).toBe(200);
        expect(ended.body).toMatchObject({ status: 'terminated', cost: '0.19', used_seconds: 40,
          cdr_id: killed.body['cdr_id'] });
        expect(spent.toFixed(2)).toBe((Number(before['balance']) -
          Number((await accountOf('cu1'))['balance'])).toFixed(2));
        const cdr = (await cdrsOf('cu1'))
          .find((row) => row['session_id'] === asOperator(sessionId));
        expect(cdr).toMatchObject({ disposition: 'killed', used_seconds: 40, cost: '0.19' });
        const again = await kill(asOperator(sessionId));
        expect(again.status).toBe(409);
        expect(again.body['code']).toBe('session_closed');
      });

    it('keeps to the key\'s scope and rejects unknown sessions', async () => {
      // Started with rs's key: other keys name it in rs's namespace.
      const sessionId = asOperator(await authorize('cu2', world.keys.rs), 'rs');
      // Outside the key's tree a session answers as if it did not exist.
      const foreign = await kill(sessionId, world.keys.other);
      expect([foreign.status, foreign.body['code']]).toEqual([404, 'session_not_found']);
      const sibling = await kill(sessionId, world.keys.cu1);
      expect([sibling.status, sibling.body]).toEqual([404,
        { code: 'session_not_found', message: `no session ${sessionId}` }]);
      expect((await kill('no-such-call')).status).toBe(404);
      expect((await api.call({ method: 'POST',
        url: `/v1/sessions/${sessionId}/kill?reason=two%20words` })).status).toBe(400);
      const killed = await kill(sessionId, world.keys.cu2);
      expect(killed.status).toBe(200);
      // Killed before any report and before a second passed: 0 s, which costs nothing.
      expect(killed.body).toMatchObject({ used_seconds: 0, cost: '0.00' });
    });

    it('ends every live call of a suspended account\'s subtree', async () => {
      const calls = [await authorize('cu1', world.keys.cu1), await authorize('cu2', world.keys.rs),
        await authorize('cu1', world.keys.cu1)];
      api.clock.advanceMs(5_000);
      const suspended = await api.call({ method: 'POST', url: '/v1/accounts/rs/suspend' });
      expect(suspended.status).toBe(200);
      const live = await api.call({ method: 'GET', url: '/v1/sessions?account_id=rs' });
      expect(live.body['sessions']).toEqual([]);
      const rows = [...await cdrsOf('cu1'), ...await cdrsOf('cu2')];
      for (const sessionId of calls) {
        expect(rows.find((row) => String(row['session_id']).endsWith(`~${sessionId}`)))
          .toMatchObject({
          disposition: 'killed', used_seconds: 5 });
      }
      await api.call({ method: 'POST', url: '/v1/accounts/rs/activate' });
    });

    it('forgets old origins, and only those', async () => {
      const { origins } = api.services.switches;
      const nowMs = api.clock.nowMs();
      await origins.record({ sessionId: 'origin-new', integration: 'radius',
        callRef: { nas: '127.0.0.1' }, nowMs: nowMs + 1 });
      expect(await origins.forgetBefore(nowMs + 1, 1_000)).toBeGreaterThan(0);
      expect(await origins.find('origin-new')).toMatchObject({ integration: 'radius',
        requestNumber: 0, callRef: { nas: '127.0.0.1' } });
      expect(await origins.forgetBefore(nowMs + 2, 1_000)).toBe(1);
      expect(await origins.find('origin-new')).toBeNull();
    });
  });
}
