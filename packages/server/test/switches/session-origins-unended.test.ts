import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type StoreKind, type TestApi } from '../http/http-fixture.ts';

// The origins an agent lists after a restart, on both SQL dialects (PostgreSQL fails, never
// skips, when it is unreachable): not ended, not killed, of its integration, recent enough,
// paged by session id.
for (const kind of ['sqlite', 'postgres'] as const satisfies readonly StoreKind[]) {
  describe(`session origins not ended, on ${kind}`, () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await openTestApi(kind);
    });
    afterAll(async () => api?.close());

    it('lists the live calls of one integration, in pages, without ended or killed ones',
      async () => {
        const origins = api.services.switches.origins;
        const record = (sessionId: string, integration: 'freeswitch' | 'kamailio',
          nowMs: number) => origins.record({ sessionId, integration, callRef: { uuid: sessionId },
          nowMs });
        await record('fs:a', 'freeswitch', 1_000);
        await record('fs:b', 'freeswitch', 2_000);
        await record('fs:c', 'freeswitch', 3_000);
        await record('fs:old', 'freeswitch', 10);
        await record('kam:x', 'kamailio', 2_000);
        await origins.markEnded('fs:b', 5_000);
        const list = (afterSessionId: string, limit: number) => origins.listUnended({
          integration: 'freeswitch', sinceMs: 500, afterSessionId, limit });
        const first = await list('', 1);
        expect(first.map((origin) => origin.sessionId)).toEqual(['fs:a']);
        expect((await list('fs:a', 10)).map((origin) => origin.sessionId)).toEqual(['fs:c']);
        // Marking again changes nothing; the call ref comes back as stored.
        await origins.markEnded('fs:b', 9_000);
        expect(first[0]!.callRef).toEqual({ uuid: 'fs:a' });
        expect((await list('', 10)).map((origin) => origin.sessionId)).toEqual(['fs:a', 'fs:c']);
      });
  });
}
