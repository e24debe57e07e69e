import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRadiusClients } from '../../src/switches/radius/radius-clients.ts';
import {
  startRadiusDisconnect,
  type RadiusDynamicAuthorization,
} from '../../src/switches/radius/radius-disconnect.ts';
import { interimSecondsFor } from '../../src/switches/radius/radius-renewal.ts';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import {
  cents,
  expectSoundLedger,
  perSecondCost,
  seedPerSecondCustomers,
} from './per-second-world.ts';
import { PrepaidNas, runPrepaidCall } from './prepaid-nas.ts';
import { radiusSecret, startRadiusRig, type RadiusRig } from './radius-harness.ts';

// Long calls over RADIUS, in real time with the real radclient: 3 s slices, the Access-Accept
// asks for an Interim-Update every second, each interim commits the seconds used and the new
// grant reaches the NAS as a CoA-Request (Session-Timeout = the whole call so far + grant).
const sliceSeconds = 3;
let api: TestApi;
let rig: RadiusRig;
let nas: PrepaidNas;
let dynamicAuth: RadiusDynamicAuthorization;

beforeAll(async () => {
  api = await openTestApi('sqlite', { sliceSeconds });
  await seedWorld(api);
  await seedPerSecondCustomers(api, { longcall: '10.00', shortfunds: '0.09', deafnas: '0.09' });
  nas = await PrepaidNas.start();
  const parsed = parseRadiusClients(`127.0.0.1=${radiusSecret}`);
  if (!parsed.ok) throw new Error(parsed.message);
  dynamicAuth = await startRadiusDisconnect({ clients: parsed.clients, port: nas.port });
  rig = await startRadiusRig(api, undefined, { dynamicAuth,
    interimSeconds: interimSecondsFor(sliceSeconds) });
});
afterAll(async () => {
  await rig?.close();
  await dynamicAuth?.close();
  await nas?.close();
  await api?.close();
});

const balanceOf = async (id: string) =>
  String((await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body['balance']);
const cdrOf = async (account: string) => {
  const rows = (await api.call({ method: 'GET', url: `/v1/cdrs?account_id=${account}` }))
    .body['cdrs'] as Array<Record<string, unknown>>;
  expect(rows).toHaveLength(1);
  return rows[0];
};
const call = (account: string, callId: string, callSeconds: number,
  enforcesSessionTimeout = true) => runPrepaidCall({ nas, authPort: rig.server.authPort,
  acctPort: rig.server.acctPort, account, callId, callSeconds, enforcesSessionTimeout });

describe('RADIUS long calls: Interim-Update, CoA-Request, Disconnect-Request', () => {
  it('renews a call of five slices through CoA: not cut, charged exactly', async () => {
    const before = await balanceOf('longcall');
    const run = await call('longcall', 'long-1', 5 * sliceSeconds);
    expect(run).toMatchObject({ endedBy: 'caller', seconds: 15, interimInterval: 1 });
    const coas = nas.coas.filter((coa) => coa.acctSessionId === 'long-1');
    expect(coas.length).toBeGreaterThanOrEqual(4);
    // Each Session-Timeout is the whole call so far plus a new slice: never shorter.
    const timeouts = coas.map((coa) => coa.sessionTimeout);
    expect(timeouts).toEqual([...timeouts].sort((a, b) => a - b));
    expect(timeouts.at(-1)).toBeGreaterThan(15);
    expect(await cdrOf('longcall')).toMatchObject({ disposition: 'normal', used_seconds: 15,
      billed_seconds: 15, cost: perSecondCost(15) });
    expect(cents(before) - cents(await balanceOf('longcall'))).toBe(15);
    await expectSoundLedger(api);
  }, 40_000);

  it('ends the same call at the money: the last CoA\'s Session-Timeout is 9 s', async () => {
    const run = await call('shortfunds', 'short-1', 5 * sliceSeconds);
    expect(run).toMatchObject({ endedBy: 'session_timeout', seconds: 3 * sliceSeconds });
    expect(nas.sessionTimeoutOf('short-1', 0)).toBe(3 * sliceSeconds);
    expect(await cdrOf('shortfunds')).toMatchObject({ disposition: 'out_of_credit',
      billed_seconds: 9, cost: perSecondCost(9) });
    expect(await balanceOf('shortfunds')).toBe('0.00');
    await expectSoundLedger(api);
  }, 40_000);

  it('disconnects a NAS that ignores Session-Timeout once the money is used', async () => {
    const run = await call('deafnas', 'deaf-1', 5 * sliceSeconds, false);
    expect(run.endedBy).toBe('disconnect');
    expect(run.seconds).toBeLessThanOrEqual(3 * sliceSeconds + 1);
    // It reported up to a second past its money: charged the 9 s granted, never more.
    expect(await cdrOf('deafnas')).toMatchObject({ billed_seconds: 9, cost: perSecondCost(9) });
    expect(await balanceOf('deafnas')).toBe('0.00');
    await expectSoundLedger(api);
  }, 40_000);
});
