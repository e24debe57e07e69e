import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { freePort, sipp, startKamailio, type KamailioRig } from './kamailio-harness.ts';
import {
  carrierAccrued,
  carrierQuality,
  cdrOf,
  createSwitchCarriers,
  ledgerFindings,
  microsOf,
} from './switch-routes-world.ts';

// Real Kamailio (the documented kamailio.cfg) and SIPp: each carrier is a SIPp callee on a
// port of its own; the carrier Tollgate chose is the call's $du, and failure_route moves a
// call the carrier fails to the next one. Grants of 3 s: the dialog timeout ends each call.
let api: TestApi;
let kamailio: KamailioRig;
const carrierPorts = new Map<string, number>();

beforeAll(async () => {
  api = await openTestApi('sqlite', { sliceSeconds: 3 });
  await seedWorld(api);
  for (const id of ['cheap', 'mid', 'dear']) carrierPorts.set(id, await freePort('udp'));
  await createSwitchCarriers(api, (id) => `sip:127.0.0.1:${carrierPorts.get(id)}`);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as AddressInfo;
  // Nothing listens at SIP_GATEWAY: a call that reached it was not routed by Tollgate.
  kamailio = await startKamailio({ tollgateUrl: `http://127.0.0.1:${port}`, apiKey: adminKey,
    gateway: `127.0.0.1:${await freePort('udp')}` });
}, 30_000);
afterAll(async () => {
  await kamailio?.stop();
  await api?.close();
});

const kamailioCdrs = async () => ((await api.call({ method: 'GET',
  url: '/v1/cdrs?account_id=op&limit=1000' })).body['cdrs'] as Array<Record<string, unknown>>)
  .filter((row) => String(row['session_id']).startsWith('kam:'));

/** Longer than the 3 s slice, so a carried call needs a renewal. */
const callMs = 5_000;

async function call(carriers: Record<string, string>) {
  const before = new Set((await kamailioCdrs()).map((row) => String(row['session_id'])));
  const callees = Object.entries(carriers).map(([id, scenario]) =>
    sipp({ scenario, localPort: carrierPorts.get(id)!, timeoutS: 20 }));
  // The caller talks past the 3 s slice and hangs up itself: the call, failed over or not, is
  // renewed on the carrier it ended on (the long-call path of kamailio.cfg).
  const caller = sipp({ scenario: 'uac-hangs-up.xml', localPort: await freePort('udp'),
    service: '442079460000', target: `127.0.0.1:${kamailio.sipPort}`, timeoutS: 20,
    callMs });
  expect(await caller.exited, caller.output()).toBe(0);
  for (const callee of callees) expect(await callee.exited, callee.output()).toBe(0);
  const deadline = Date.now() + 8_000;
  for (;;) {
    const fresh = (await kamailioCdrs()).filter((row) =>
      !before.has(String(row['session_id'])));
    const carried = fresh.find((row) => row['used_seconds'] !== 0);
    if (carried !== undefined) return { fresh, carried };
    if (Date.now() > deadline) throw new Error(`no CDR: ${kamailio.process.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Kamailio routes from Tollgate ($du) and failure_route failover, with SIPp', () => {
  it('sends the call to the least-cost carrier', async () => {
    const { fresh, carried } = await call({ cheap: 'uas.xml' });
    expect(fresh).toHaveLength(1);
    expect(carried).toMatchObject({ carrier: { carrier_id: 'cheap' } });
    // dialog:end reports whole seconds of $TS, past the first 3 s grant: renewed, and the
    // carrier paid per second used.
    expect(Number(carried['used_seconds'])).toBeGreaterThan(3);
    expect(microsOf((carried['carrier'] as Record<string, unknown>)['cost']))
      .toBe(1000 * Number(carried['used_seconds']));
  }, 30_000);

  it('falls back to the second carrier when the first answers 503', async () => {
    const cheapBefore = await carrierAccrued(api, 'cheap');
    const midBefore = await carrierAccrued(api, 'mid');
    const attemptsOf = async (id: string) => ((await carrierQuality(api, id))['prefixes'] as
      Array<Record<string, number>>).reduce((sum, entry) => sum + entry['attempts']!, 0);
    const cheapAttempts = await attemptsOf('cheap');
    const { fresh, carried } = await call({ cheap: 'uas-503.xml', mid: 'uas.xml' });
    const callId = String(carried['session_id']).replace(/^kam:/, '').replace(/~r2$/, '');
    expect(carried['session_id']).toBe(`kam:${callId}~r2`);
    expect(fresh).toHaveLength(2);
    // The failed try: free, on cheap; the call: charged at mid's price, accrued to mid.
    expect(await cdrOf(api, `kam:${callId}`)).toMatchObject({ used_seconds: 0, cost: '0.00',
      carrier: { carrier_id: 'cheap', cost: '0.00' } });
    const usedSeconds = Number(carried['used_seconds']);
    expect(carried).toMatchObject({ cost: '0.15', carrier: { carrier_id: 'mid' } });
    expect(usedSeconds).toBeGreaterThan(3);
    expect(microsOf((carried['carrier'] as Record<string, unknown>)['cost']))
      .toBe(1200 * usedSeconds);
    expect(await carrierAccrued(api, 'cheap')).toBe(cheapBefore);
    expect(microsOf(await carrierAccrued(api, 'mid')) - microsOf(midBefore))
      .toBe(1200 * usedSeconds);
    expect(await attemptsOf('cheap')).toBe(cheapAttempts + 1);
    // A failover reported for a call its carrier answered is refused and moves nothing.
    const late = await api.call({ method: 'GET',
      url: `/v1/kamailio/failover?${new URLSearchParams({ callid: callId, status: '503' })}` });
    expect([late.status, late.text]).toEqual([409, 'request_out_of_order\n']);
    expect(await kamailioCdrs()).toHaveLength(3);
    expect(await ledgerFindings(api)).toBe(0);
  }, 30_000);
});
