import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kamailioTeardownDriver } from '../../src/switches/kamailio/kamailio-teardown.ts';
import { adminKey, openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import {
  cents,
  expectSoundLedger,
  perSecondCost,
  seedPerSecondCustomers,
} from './per-second-world.ts';
import {
  freePort,
  sipp,
  startKamailio,
  untilDialogConfirmed,
  type KamailioRig,
} from './kamailio-harness.ts';

// Real Kamailio (the documented kamailio.cfg) and SIPp against Tollgate over HTTP, slices of
// 3 s, so that a call of five slices is renewed four times or more within 15 s.
const sliceSeconds = 3;
let api: TestApi;
let kamailio: KamailioRig;
let uasPort: number;

beforeAll(async () => {
  api = await openTestApi('sqlite', { sliceSeconds });
  await seedWorld(api);
  await seedPerSecondCustomers(api, { longcall: '10.00', shortfunds: '0.09' });
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
const kamailioCdrs = async (account = 'cu1') => ((await api.call({ method: 'GET',
  url: `/v1/cdrs?account_id=${account}&limit=1000` })).body['cdrs'] as
  Array<Record<string, unknown>>).filter((row) => String(row['session_id']).startsWith('kam:'));
const cdrOf = (account: string) => until(async () => {
  const rows = await kamailioCdrs(account);
  return rows.length === 1 ? rows[0] : undefined;
});
const balanceOf = async (id: string) =>
  String((await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body['balance']);
const liveKamailioCall = async () => ((await api.call({ method: 'GET',
  url: '/v1/sessions?account_id=cu1' })).body['sessions'] as Array<Record<string, unknown>>)
  .find((row) => String(row['session_id']).startsWith('kam:'));

async function placeCall(scenario: string, options: { service?: string; account?: string;
  callMs?: number } = {}) {
  const callee = sipp({ scenario: 'uas.xml', localPort: uasPort, timeoutS: 30 });
  const caller = sipp({ scenario, localPort: await freePort('udp'),
    service: options.service ?? '442079460000', target: `127.0.0.1:${kamailio.sipPort}`,
    timeoutS: 30, ...(options.account === undefined ? {} : { account: options.account }),
    ...(options.callMs === undefined ? {} : { callMs: options.callMs }) });
  return { callee, caller, startedAtMs: Date.now() };
}

describe('Kamailio (http_client + dialog + jsonrpcs) with SIPp', () => {
  it('renews a call of five slices: not cut, charged exactly the seconds it lasted',
    async () => {
      const before = await balanceOf('longcall');
      const { caller, callee } = await placeCall('uac-hangs-up.xml', { account: 'longcall',
        callMs: 5 * sliceSeconds * 1000 });
      // The caller hangs up: a BYE from Kamailio first would fail its scenario.
      expect(await caller.exited, caller.output()).toBe(0);
      expect(await callee.exited, callee.output()).toBe(0);
      const cdr = await cdrOf('longcall');
      // dialog:end reports whole seconds of $TS: 14 to 16 for a 15 s call.
      const used = Number(cdr?.['used_seconds']);
      expect([14, 15, 16]).toContain(used);
      expect(cdr).toMatchObject({ disposition: 'normal', billed_seconds: used,
        cost: perSecondCost(used) });
      expect(cents(before) - cents(await balanceOf('longcall'))).toBe(used);
      // Authorize, four renewals or more (each commits the seconds used), the end.
      const origin = await api.services.switches.origins.find(String(cdr?.['session_id']));
      expect(origin?.requestNumber).toBeGreaterThanOrEqual(5);
      await expectSoundLedger(api);
    }, 40_000);

  it('cuts the same call at the money: three slices paid, BYE around the third', async () => {
    const { caller, callee } = await placeCall('uac-until-bye.xml', { account: 'shortfunds' });
    await untilDialogConfirmed(kamailio.rpcUrl);
    const answeredAtMs = Date.now();
    expect(await caller.exited, caller.output()).toBe(0);
    const elapsedMs = Date.now() - answeredAtMs;
    expect(await callee.exited, callee.output()).toBe(0);
    // 0.09 pays 9 s: the last grant is final, and the dialog timeout ends the call there. The
    // config counts in whole seconds of $TS (the answer and each renewal rounded down) and
    // renews from a 1 s timer, so the BYE may come up to about 2 s late (the charge stays at
    // what was paid, below); SIPp's exit adds its own delay on a busy machine. A fourth slice
    // would end the call at 12 s.
    expect(elapsedMs).toBeGreaterThan(3 * sliceSeconds * 1000 - 1_500);
    expect(elapsedMs).toBeLessThan(4 * sliceSeconds * 1000 - 500);
    const cdr = await cdrOf('shortfunds');
    const billed = Math.min(Number(cdr?.['used_seconds']), 3 * sliceSeconds);
    expect(billed).toBeGreaterThanOrEqual(3 * sliceSeconds - 1);
    expect(cdr).toMatchObject({ billed_seconds: billed, cost: perSecondCost(billed) });
    expect(cents(await balanceOf('shortfunds'))).toBe(3 * sliceSeconds - billed);
    await expectSoundLedger(api);
  }, 40_000);

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
