import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kamailioTeardownDriver } from '../../src/switches/kamailio/kamailio-teardown.ts';
import { adminKey, openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import {
  freePort,
  sipp,
  startKamailio,
  untilDialogConfirmed,
  type KamailioRig,
} from './kamailio-harness.ts';

// Real Kamailio (the documented kamailio.cfg) and SIPp against Tollgate over HTTP, grants of
// 3 s so that the dialog timeout ends a call quickly.
let api: TestApi;
let kamailio: KamailioRig;
let uasPort: number;

beforeAll(async () => {
  api = await openTestApi('sqlite', { sliceSeconds: 3 });
  await seedWorld(api);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as AddressInfo;
  uasPort = await freePort('udp');
  kamailio = await startKamailio({ tollgateUrl: `http://127.0.0.1:${port}`, apiKey: adminKey,
    gateway: `127.0.0.1:${uasPort}` });
  api.services.switches.registry.register('kamailio',
    kamailioTeardownDriver({ rpcUrl: kamailio.rpcUrl }));
}, 30_000);
afterAll(async () => {
  await kamailio?.stop();
  await api?.close();
});

async function until<T>(find: () => Promise<T | undefined>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('not found in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const kamailioCdrs = async () => ((await api.call({ method: 'GET',
  url: '/v1/cdrs?account_id=cu1&limit=1000' })).body['cdrs'] as Array<Record<string, unknown>>)
  .filter((row) => String(row['session_id']).startsWith('kam:'));
const liveKamailioCall = async () => ((await api.call({ method: 'GET',
  url: '/v1/sessions?account_id=cu1' })).body['sessions'] as Array<Record<string, unknown>>)
  .find((row) => String(row['session_id']).startsWith('kam:'));

async function placeCall(scenario: string, service = '442079460000') {
  const callee = sipp({ scenario: 'uas.xml', localPort: uasPort, timeoutS: 20 });
  const caller = sipp({ scenario, localPort: await freePort('udp'), service,
    target: `127.0.0.1:${kamailio.sipPort}`, timeoutS: 20 });
  return { callee, caller, startedAtMs: Date.now() };
}

describe('Kamailio (http_client + dialog + jsonrpcs) with SIPp', () => {
  it('authorizes over HTTP and ends the call with BYE when the grant runs out', async () => {
    const { caller, callee, startedAtMs } = await placeCall('uac-until-bye.xml');
    const code = await caller.exited;
    const elapsedMs = Date.now() - startedAtMs;
    expect(code, caller.output()).toBe(0);
    expect(await callee.exited, callee.output()).toBe(0);
    // The dialog timeout is the 3 s grant.
    expect(elapsedMs).toBeGreaterThanOrEqual(2_900);
    expect(elapsedMs).toBeLessThan(6_000);
    const [cdr] = await until(async () => {
      const rows = await kamailioCdrs();
      return rows.length === 1 ? rows : undefined;
    });
    // event_route[dialog:end] reports whole seconds of $TS (2 to 4 for a 3 s dialog), or,
    // when Kamailio skips it, Tollgate settles the whole grant 3 s after it ended; the charge
    // stops at the 3 s granted: the first 30-second block, 0.10 + 0.05 connect.
    expect(cdr).toMatchObject({ disposition: 'normal', billed_seconds: 30, cost: '0.15' });
    expect([2, 3, 4]).toContain(cdr?.['used_seconds']);
  }, 30_000);

  it('refuses a call Tollgate will not rate: 403, nobody rings', async () => {
    const caller = sipp({ scenario: 'uac-refused.xml', localPort: await freePort('udp'),
      service: '999123', target: `127.0.0.1:${kamailio.sipPort}`, timeoutS: 10 });
    expect(await caller.exited, caller.output()).toBe(0);
  }, 20_000);

  it('kills a call through JSON-RPC dlg.end_dlg, observed as BYE at SIPp', async () => {
    const { caller, callee } = await placeCall('uac-until-bye.xml');
    const live = await until(liveKamailioCall);
    // Answered: Kamailio can only send BYE in a confirmed dialog.
    await untilDialogConfirmed(kamailio.rpcUrl);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const killedAtMs = Date.now();
    const killed = await api.call({ method: 'POST',
      url: `/v1/sessions/${encodeURIComponent(String(live['session_id']))}/kill` });
    expect(killed.status).toBe(200);
    expect(killed.body['teardown']).toBe('ended');
    expect(await caller.exited, caller.output()).toBe(0);
    expect(await callee.exited, callee.output()).toBe(0);
    // BYE at SIPp within 2 s of the kill, before the 3 s grant would have ended the call.
    expect(Date.now() - killedAtMs).toBeLessThan(2_000);
    const cdr = (await kamailioCdrs()).find((row) => row['session_id'] === live['session_id']);
    expect(cdr).toMatchObject({ disposition: 'killed' });
  }, 30_000);
});
