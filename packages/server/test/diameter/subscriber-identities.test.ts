import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAvp, unsigned32Of } from '../../src/diameter/avp-read.ts';
import { startDiameter } from '../../src/diameter/diameter-service.ts';
import type { RunningDiameterServer } from '../../src/diameter/diameter-server.ts';
import { openTestApi, seedWorld, type TestApi, type World } from '../http/http-fixture.ts';
import { ccrAvps, TestDiameterClient } from './diameter-test-client.ts';

/**
 * The identity table (migration 7) on both dialects, managed over HTTP and read by the
 * Diameter server running over the process's own services (PostgreSQL fails, never skips,
 * when unreachable).
 */
for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`subscriber identities over HTTP and Diameter (${kind})`, () => {
    let api: TestApi;
    let world: World;
    let server: RunningDiameterServer;
    let client: TestDiameterClient;

    beforeAll(async () => {
      api = await openTestApi(kind);
      world = await seedWorld(api);
      server = await startDiameter({ settings: { host: '127.0.0.1', port: 0,
        originHost: 'ocs.test.local', originRealm: 'test.local', allowedPeers: [] },
      charging: api.services.charging, directory: api.services.subscriberIdentities,
      switches: api.services.switches, clock: api.services.clock });
      client = await TestDiameterClient.open(server.port);
      await client.capabilitiesExchange();
    }, 60_000);

    afterAll(async () => {
      client?.close();
      await server?.close(1_000);
      await api?.close();
    });

    const url = (account: string) => `/v1/accounts/${account}/subscriber-identities`;

    async function initial(sessionId: string): Promise<number> {
      const answer = await client.request(272, 4, ccrAvps({ sessionId, type: 1, number: 0,
        subscription: { type: 2, data: 'sip:alice@Example.ORG:5070' },
        called: 'sip:4420700000@127.0.0.1', requestedSeconds: 30 }));
      return unsigned32Of(findAvp(answer.avps, 'Result-Code')!);
    }

    it('an account above maps, lists and removes identities; CCRs follow the table',
      async () => {
        expect(await initial(`${kind};1`)).toBe(5030);
        const put = await api.call({ method: 'PUT', url: url('cu1'), key: world.keys.rs,
          json: { kind: 'sip_uri', identity: 'sip:alice@example.org:5070;transport=udp' } });
        expect(put.status, put.text).toBe(200);
        expect(put.body).toMatchObject({ kind: 'sip_uri', identity: 'sip:alice@example.org',
          account_id: 'cu1', charging: 'online' });
        const again = await api.call({ method: 'PUT', url: url('cu1'), key: world.keys.rs,
          json: { kind: 'sip_uri', identity: 'sip:alice@example.org' } });
        expect(again.status).toBe(200);
        const listed = await api.call({ method: 'GET', url: url('cu1'), key: world.keys.cu1 });
        expect(listed.body['subscriber_identities']).toHaveLength(1);
        expect(await initial(`${kind};2`)).toBe(2001);
        const removed = await api.call({ method: 'DELETE', key: world.keys.rs,
          url: `${url('cu1')}/sip_uri/${encodeURIComponent('sip:alice@example.org')}` });
        expect(removed.status, removed.text).toBe(204);
        expect(await initial(`${kind};3`)).toBe(5030);
      });

    it('refuses a customer changing its own identities, a taken identity, a bad one',
      async () => {
        const own = await api.call({ method: 'PUT', url: url('cu1'), key: world.keys.cu1,
          json: { kind: 'e164', identity: '+44 20', charging: 'not_applicable' } });
        expect(own.status).toBe(403);
        const first = await api.call({ method: 'PUT', url: url('cu2'),
          json: { kind: 'e164', identity: '+15550100' } });
        expect(first.status).toBe(200);
        const taken = await api.call({ method: 'PUT', url: url('cu1'),
          json: { kind: 'e164', identity: '15550100' } });
        expect([taken.status, taken.body['code']]).toEqual([409, 'subscriber_identity_taken']);
        const bad = await api.call({ method: 'PUT', url: url('cu1'),
          json: { kind: 'e164', identity: 'not-a-number' } });
        expect([bad.status, bad.body['code']]).toEqual([400, 'invalid_subscriber_identity']);
        const missing = await api.call({ method: 'DELETE',
          url: `${url('cu1')}/e164/15550100` });
        expect([missing.status, missing.body['code']])
          .toEqual([404, 'subscriber_identity_not_found']);
      });
  });
}
