import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEslAgent, type EslAgent } from '../../src/switches/freeswitch/esl-agent.ts';
import { recordingSwitchLog } from '../../src/switches/teardown/switch-log.ts';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { documentedDialplan, readDialplanContext } from './esl-emulator-dialplan.ts';
import { EslEmulator } from './esl-emulator.ts';
import {
  carrierAccrued,
  carrierQuality,
  cdrOf,
  createSwitchCarriers,
  ledgerFindings,
  microsOf,
} from './switch-routes-world.ts';

// The documented dialplan (docs/integrations/freeswitch-dialplan.xml) run by the ESL
// emulator: the agent hands FreeSWITCH the least-cost carrier and its fallbacks as a bridge
// string; a failed leg moves the charge to the carrier that carries the call. Grants of 3 s,
// and a restarted agent keeps renewing the calls it owned.
let api: TestApi;
let emulator: EslEmulator;
const agents: EslAgent[] = [];
const log = recordingSwitchLog();
const callee = '442079460000';

const startAgent = () => {
  const agent = startEslAgent({ host: '127.0.0.1', port: emulator.port, password: 'ClueCon',
    authorizedContext: 'tollgate_authorized', front: { charging: api.services.charging,
      origins: api.services.switches.origins, clock: api.clock, log } });
  api.services.switches.registry.register('freeswitch', agent);
  agents.push(agent);
  return agent;
};

beforeAll(async () => {
  api = await openTestApi('sqlite', { sliceSeconds: 3 });
  await seedWorld(api);
  await createSwitchCarriers(api, (id) => `sofia/gateway/${id}/`);
  emulator = await EslEmulator.start();
  emulator.dialplan = { context: 'tollgate_authorized',
    extensions: readDialplanContext(documentedDialplan, 'tollgate_authorized') };
  startAgent();
  await until(() => emulator.commands.some((command) => command.text.startsWith('event plain')));
});
afterAll(async () => {
  for (const agent of agents) await agent.stop();
  await emulator.stop();
  await api.close();
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const commandsAbout = (uuid: string, verb: string) => emulator.commands
  .filter((command) => command.text.startsWith(`api ${verb} `) && command.text.includes(uuid));
const park = (uuid: string) => emulator.park({ uuid, caller: '15551230000',
  destination: callee, variables: { tollgate_account: 'cu1' } });

describe('FreeSWITCH dialplan: least-cost gateway and failover', () => {
  it('bridges to the cheapest carrier first, its fallbacks after, with | failover', async () => {
    park('fs-r1');
    await until(() => emulator.channels.get('fs-r1')?.answeredAtMs !== null &&
      emulator.channels.get('fs-r1')?.answeredAtMs !== undefined);
    expect(commandsAbout('fs-r1', 'uuid_setvar').map((command) => command.text)).toEqual([
      'api uuid_setvar fs-r1 tollgate_bridge ' +
      `[tollgate_call=fs-r1,tollgate_carrier=cheap]sofia/gateway/cheap/${callee}|` +
      `[tollgate_call=fs-r1,tollgate_carrier=mid]sofia/gateway/mid/${callee}|` +
      `[tollgate_call=fs-r1,tollgate_carrier=dear]sofia/gateway/dear/${callee}`]);
    // The dialplan read the variable and dialled the first leg, which answered.
    expect(emulator.legs.filter((leg) => leg.aLeg === 'fs-r1')).toEqual([expect.objectContaining(
      { dial: `sofia/gateway/cheap/${callee}`, outcome: 'answer' })]);
    await sleep(2_000);
    emulator.hangup('fs-r1');
    const cdr = await cdrOf(api, 'fs:fs-r1');
    const billsec = emulator.hangups.find((entry) => entry.uuid === 'fs-r1')!.billsec;
    expect(cdr).toMatchObject({ used_seconds: billsec, carrier: { carrier_id: 'cheap' } });
    expect(microsOf((cdr['carrier'] as Record<string, unknown>)['cost'])).toBe(1000 * billsec);
  });

  it('falls back to the second carrier when the first fails, charging the second',
    async () => {
      const cheapBefore = await carrierAccrued(api, 'cheap');
      const midBefore = await carrierAccrued(api, 'mid');
      const cheapQuality = await carrierQuality(api, 'cheap');
      emulator.gatewayOutcome = (dial) => dial.startsWith('sofia/gateway/cheap/')
        ? 'NORMAL_TEMPORARY_FAILURE' : 'answer';
      park('fs-r2');
      await until(() => (emulator.channels.get('fs-r2')?.answeredAtMs ?? null) !== null);
      expect(emulator.legs.filter((leg) => leg.aLeg === 'fs-r2').map((leg) => leg.outcome))
        .toEqual(['NORMAL_TEMPORARY_FAILURE', 'answer']);
      expect(emulator.legs.filter((leg) => leg.aLeg === 'fs-r2')[1]!.dial)
        .toBe(`sofia/gateway/mid/${callee}`);
      await until(() => commandsAbout('fs-r2', 'sched_hangup').length > 0);
      await sleep(2_000);
      emulator.hangup('fs-r2');
      const billsec = emulator.hangups.find((entry) => entry.uuid === 'fs-r2')!.billsec;
      // The failed try: its own session, 0 seconds, free; the call: on `mid`, at mid's price.
      expect(await cdrOf(api, 'fs:fs-r2')).toMatchObject({ used_seconds: 0, cost: '0.00',
        carrier: { carrier_id: 'cheap', cost: '0.00' } });
      const carried = await cdrOf(api, 'fs:fs-r2~r2');
      expect(carried).toMatchObject({ used_seconds: billsec, cost: '0.15',
        carrier: { carrier_id: 'mid', billed_seconds: billsec } });
      // Per second at mid's price: what the operator owes `mid` for the call, nothing to cheap.
      expect(microsOf((carried['carrier'] as Record<string, unknown>)['cost']))
        .toBe(1200 * billsec);
      expect(await carrierAccrued(api, 'cheap')).toBe(cheapBefore);
      expect(microsOf(await carrierAccrued(api, 'mid')) - microsOf(midBefore))
        .toBe(1200 * billsec);
      // The failed try fed cheap's quality: one more attempt, not answered.
      const attempts = (body: Record<string, unknown>) => (body['prefixes'] as Array<
        Record<string, number>>).reduce((sum, entry) => sum + entry['attempts']!, 0);
      const answered = (body: Record<string, unknown>) => (body['prefixes'] as Array<
        Record<string, number>>).reduce((sum, entry) => sum + entry['answered']!, 0);
      const after = await carrierQuality(api, 'cheap');
      expect(attempts(after) - attempts(cheapQuality)).toBe(1);
      expect(answered(after)).toBe(answered(cheapQuality));
      expect(await ledgerFindings(api)).toBe(0);
      emulator.gatewayOutcome = () => 'answer';
    });

  it('a busy callee is not a carrier failure: the bridge ends, no fallback', async () => {
    emulator.gatewayOutcome = () => 'USER_BUSY';
    park('fs-r3');
    await until(() => emulator.channels.get('fs-r3')?.ended === true);
    await cdrOf(api, 'fs:fs-r3');
    expect(emulator.legs.filter((leg) => leg.aLeg === 'fs-r3')).toHaveLength(1);
    expect(await api.services.switches.origins.find('fs:fs-r3~r2')).toBeNull();
    emulator.gatewayOutcome = () => 'answer';
  });
});

describe('FreeSWITCH agent restart', () => {
  it('re-attaches to its live calls and keeps charging them', async () => {
    const before = await api.call({ method: 'GET', url: '/v1/accounts/cu1' });
    park('fs-k1');
    await until(() => (emulator.channels.get('fs-k1')?.answeredAtMs ?? null) !== null);
    await until(() => commandsAbout('fs-k1', 'sched_hangup').length > 0);
    await sleep(500);
    await agents.at(-1)!.stop();
    // While no agent runs, the call goes on under the hang-up armed for its 3 s grant.
    startAgent();
    await until(() => commandsAbout('fs-k1', 'uuid_exists').length > 0);
    // Past two grants: the new agent renewed the call, it was not cut at the armed hang-up.
    await sleep(6_500);
    expect(emulator.channels.get('fs-k1')?.ended).toBe(false);
    expect(commandsAbout('fs-k1', 'sched_hangup').length).toBeGreaterThanOrEqual(3);
    emulator.hangup('fs-k1');
    const billsec = emulator.hangups.find((entry) => entry.uuid === 'fs-k1')!.billsec;
    expect(billsec).toBeGreaterThanOrEqual(7);
    const cdr = await cdrOf(api, 'fs:fs-k1');
    // Retail 0.20/min in 30/6 blocks + 0.05 connect: 7-9 s is one 30 s block, 0.15.
    expect(cdr).toMatchObject({ used_seconds: billsec, billed_seconds: 30, cost: '0.15',
      disposition: 'normal' });
    const after = await api.call({ method: 'GET', url: '/v1/accounts/cu1' });
    expect((Number(before.body['balance']) - Number(after.body['balance'])).toFixed(2))
      .toBe('0.15');
    expect(await ledgerFindings(api)).toBe(0);
  }, 20_000);
});
