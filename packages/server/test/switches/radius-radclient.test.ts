import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { radclient, startRadiusRig, type RadiusRig } from './radius-harness.ts';

let api: TestApi;
let rig: RadiusRig;

beforeAll(async () => {
  api = await openTestApi();
  await seedWorld(api);
  rig = await startRadiusRig(api);
});
afterAll(async () => {
  await rig.close();
  await api.close();
});

const balanceOf = async (id: string) =>
  String((await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body['balance']);
const cdrOf = async (sessionId: string) => ((await api.call({ method: 'GET',
  url: '/v1/cdrs?account_id=cu1' })).body['cdrs'] as Array<Record<string, unknown>>)
  .find((row) => row['session_id'] === sessionId);
const access = (callId: string, callee = '442079460000', secret?: string) => radclient({
  port: rig.server.authPort, kind: 'auth', ...(secret === undefined ? {} : { secret }),
  attributes: `User-Name="cu1", User-Password="x", Calling-Station-Id="15551230000", ` +
    `Called-Station-Id="+${callee}", Acct-Session-Id="${callId}", ` +
    'Message-Authenticator=0x00' });
const accounting = (callId: string, status: string, seconds?: number, secret?: string) =>
  radclient({ port: rig.server.acctPort, kind: 'acct',
    ...(secret === undefined ? {} : { secret }),
    attributes: `User-Name="cu1", Acct-Status-Type=${status}, Acct-Session-Id="${callId}", ` +
      `NAS-IP-Address=127.0.0.1${seconds === undefined ? '' : `, Acct-Session-Time=${seconds}`}` });

describe('RADIUS with the real radclient (freeradius-utils)', () => {
  it('charges start / interim / stop exactly: 47 s cost 0.21', async () => {
    const before = await balanceOf('cu1');
    const accepted = await access('call-1');
    expect(accepted.exitCode).toBe(0);
    expect(accepted.output).toContain('Received Access-Accept');
    expect(accepted.output).toContain('Session-Timeout = 60');
    expect(accepted.output).toContain('h323-credit-time = "h323-credit-time=60"');
    expect(accepted.output).toContain('Class = 0x7261643a');
    for (const [status, seconds] of [['Start', undefined], ['Interim-Update', 30],
      ['Stop', 47]] as const) {
      const answered = await accounting('call-1', status, seconds);
      expect(answered.exitCode, answered.output).toBe(0);
      expect(answered.output).toContain('Received Accounting-Response');
    }
    expect(await cdrOf('rad:127.0.0.1:call-1')).toMatchObject({ disposition: 'normal',
      used_seconds: 47, billed_seconds: 48, cost: '0.21' });
    expect((Number(before) - Number(await balanceOf('cu1'))).toFixed(2)).toBe('0.21');
    // A Stop sent again (a new request, not a retransmission) moves nothing more.
    expect((await accounting('call-1', 'Stop', 47)).exitCode).toBe(0);
    expect((Number(before) - Number(await balanceOf('cu1'))).toFixed(2)).toBe('0.21');
  });

  it('rejects a call it will not pay for, with the refusal code', async () => {
    const refused = await access('call-2', '999123');
    // radclient exits 1 on a reject; the reply is what matters.
    expect(refused.output, refused.output).toContain('Received Access-Reject');
    expect(refused.output).toContain('Reply-Message = "no_rate"');
  });

  it('drops requests signed with a wrong secret: no reply, nothing charged', async () => {
    const before = await balanceOf('cu1');
    const wrongAccess = await access('call-3', '442079460000', 'not-the-secret');
    expect(wrongAccess.exitCode).not.toBe(0);
    expect(wrongAccess.output).toContain('No reply');
    expect(rig.log.entries.map((entry) => entry.code)).toContain('bad_message_authenticator');
    const live = await api.call({ method: 'GET', url: '/v1/sessions?account_id=cu1' });
    expect(live.body['sessions']).toEqual([]);
    expect((await access('call-4')).exitCode).toBe(0);
    const wrongStop = await accounting('call-4', 'Stop', 20, 'not-the-secret');
    expect(wrongStop.exitCode).not.toBe(0);
    expect(rig.log.entries.map((entry) => entry.code)).toContain('bad_request_authenticator');
    expect(await balanceOf('cu1')).toBe(before);
    expect((await accounting('call-4', 'Stop', 20)).exitCode).toBe(0);
    expect(await cdrOf('rad:127.0.0.1:call-4')).toMatchObject({ used_seconds: 20,
      cost: '0.15' });
  });
});
