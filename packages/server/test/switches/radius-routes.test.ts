import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { radclient, startRadiusRig, type RadiusRig } from './radius-harness.ts';
import {
  carrierQuality,
  cdrOf,
  createSwitchCarriers,
  ledgerFindings,
  microsOf,
} from './switch-routes-world.ts';

// The real radclient against Tollgate's RADIUS server with three carriers: the Accept lists
// them as Cisco-AVPairs, least cost first; a NAS that fails over stops the failed leg with
// 0 seconds and asks again naming the next carrier.
let api: TestApi;
let rig: RadiusRig;

beforeAll(async () => {
  api = await openTestApi();
  await seedWorld(api);
  await createSwitchCarriers(api, (id) => `sip:${id}.carrier.example:5060`);
  rig = await startRadiusRig(api);
});
afterAll(async () => {
  await rig.close();
  await api.close();
});

const access = (callId: string, extra = '') => radclient({ port: rig.server.authPort,
  kind: 'auth', attributes: 'User-Name="cu1", User-Password="x", ' +
    'Calling-Station-Id="15551230000", Called-Station-Id="+442079460000", ' +
    `Acct-Session-Id="${callId}", Message-Authenticator=0x00${extra}` });
const stop = (callId: string, seconds: number) => radclient({ port: rig.server.acctPort,
  kind: 'acct', attributes: `User-Name="cu1", Acct-Status-Type=Stop, ` +
    `Acct-Session-Id="${callId}", NAS-IP-Address=127.0.0.1, Acct-Session-Time=${seconds}` });

describe('RADIUS routes (Cisco-AVPair) with radclient', () => {
  it('lists the carriers in least-cost order and fails over to a named one', async () => {
    const accepted = await access('leg-1');
    expect(accepted.output).toContain('Received Access-Accept');
    const pairs = [...accepted.output.matchAll(/Cisco-AVPair = "([^"]+)"/g)]
      .map((match) => match[1]);
    expect(pairs).toEqual([
      'tollgate-route-1=sip:cheap.carrier.example:5060', 'tollgate-carrier-1=cheap',
      'tollgate-route-2=sip:mid.carrier.example:5060', 'tollgate-carrier-2=mid',
      'tollgate-route-3=sip:dear.carrier.example:5060', 'tollgate-carrier-3=dear']);
    const attempts = async () => ((await carrierQuality(api, 'cheap'))['prefixes'] as
      Array<Record<string, number>>).reduce((sum, entry) => sum + entry['attempts']!, 0);
    const attemptsBefore = await attempts();
    // cheap fails: the NAS stops that leg unanswered and asks for mid.
    expect((await stop('leg-1', 0)).exitCode).toBe(0);
    const next = await access('leg-2', ', Cisco-AVPair="tollgate-carrier=mid"');
    expect(next.output).toContain('Received Access-Accept');
    expect((await stop('leg-2', 20)).exitCode).toBe(0);
    expect(await cdrOf(api, 'rad:127.0.0.1:leg-1')).toMatchObject({ used_seconds: 0,
      cost: '0.00', carrier: { carrier_id: 'cheap' } });
    const carried = await cdrOf(api, 'rad:127.0.0.1:leg-2');
    expect(carried).toMatchObject({ used_seconds: 20, carrier: { carrier_id: 'mid' } });
    expect(microsOf((carried['carrier'] as Record<string, unknown>)['cost'])).toBe(1200 * 20);
    expect(await attempts()).toBe(attemptsBefore + 1);
    expect(await ledgerFindings(api)).toBe(0);
  });

  it('refuses a named carrier it would not route to', async () => {
    const refused = await access('leg-3', ', Cisco-AVPair="tollgate-carrier=nobody"');
    expect(refused.output).toContain('Received Access-Reject');
    expect(refused.output).toContain('no_route');
  });
});
