import { describe, expect, it } from 'vitest';
import { openTestApi } from './http-fixture.ts';

describe('GET /ready (issue 21)', () => {
  it('is ready while the storage answers, and says why not once it does not', async () => {
    const api = await openTestApi('sqlite');
    const ready = await api.call({ method: 'GET', url: '/ready', key: null });
    expect([ready.status, ready.body]).toEqual([200, { status: 'ready' }]);
    // The database closes under a running app: liveness stays, readiness goes.
    await api.services.close();
    const notReady = await api.call({ method: 'GET', url: '/ready', key: null });
    expect([notReady.status, notReady.body['code']]).toEqual([503, 'not_ready']);
    const health = await api.call({ method: 'GET', url: '/health', key: null });
    expect(health.status).toBe(200);
    await api.app.close();
  });
});
