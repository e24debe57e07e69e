import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEslAgent, type EslAgent } from '../../src/switches/freeswitch/esl-agent.ts';
import { recordingSwitchLog } from '../../src/switches/teardown/switch-log.ts';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { EslEmulator } from './esl-emulator.ts';

let api: TestApi;
let emulator: EslEmulator;
let agent: EslAgent;
const log = recordingSwitchLog();

// Grants of 3 s: the agent sends an update 1 s before each grant ends (about 2 s in).
beforeAll(async () => {
  api = await openTestApi('sqlite', { sliceSeconds: 3 });
  await seedWorld(api);
  emulator = await EslEmulator.start();
  agent = startEslAgent({ host: '127.0.0.1', port: emulator.port, password: 'ClueCon',
    authorizedContext: 'tollgate_authorized', front: { charging: api.services.charging,
      origins: api.services.switches.origins, clock: api.clock, log } });
  api.services.switches.registry.register('freeswitch', agent);
  // Subscribed: events sent before the `event plain` command would be lost.
  await until(() => emulator.commands.some((command) => command.text.startsWith('event plain')));
});
afterAll(async () => {
  await agent.stop();
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
/** The agent forgets a call when it sends the terminate; its CDR exists once that commits. */
async function cdrOnceWritten(sessionId: string): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [cdr] = await cdrsOf(sessionId);
    if (cdr !== undefined || Date.now() > deadline) return cdr;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sent = (text: string) =>
  emulator.commands.some((command) => command.text === `api ${text}`);
const balanceOf = async (id: string) =>
  Number((await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body['balance']);
const cdrsOf = async (sessionId: string) => ((await api.call({ method: 'GET',
  url: '/v1/cdrs?account_id=cu1' })).body['cdrs'] as Array<Record<string, unknown>>)
  .filter((row) => row['session_id'] === sessionId);
const startCall = async (uuid: string) => {
  emulator.park({ uuid, caller: '15551230000', destination: '442079460000',
    variables: { tollgate_account: 'cu1' } });
  await until(() => sent(`uuid_transfer ${uuid} 442079460000 XML tollgate_authorized`));
  emulator.answer(uuid);
  // +3 (the grant), or less when the agent saw the answer late on a loaded machine.
  await until(() => emulator.commands.some((command) =>
    /^api sched_hangup \+[1-3] /.test(command.text) && command.text.includes(uuid)));
};

describe('FreeSWITCH agent against the ESL emulator', () => {
  it('charges a call: authorize on park, sched_hangup per grant, update, terminate',
    async () => {
      const before = await balanceOf('cu1');
      await startCall('fs-1');
      await sleep(3_200);
      // The update near the end of the first grant re-armed the hang-up.
      expect(emulator.commands.filter((command) =>
        command.text.startsWith('api sched_hangup') && command.text.includes('fs-1')).length)
        .toBeGreaterThanOrEqual(2);
      emulator.hangup('fs-1');
      await until(() => agent.liveCalls() === 0);
      await until(() => emulator.hangups.length === 1);
      // 3 s answered (4 on a machine that stalled): billsec is what is charged, within the
      // first 30-second block at 0.20/min, plus 0.05 connect = 0.15.
      const billsec = emulator.hangups[0]!.billsec;
      expect([3, 4]).toContain(billsec);
      const cdr = await cdrOnceWritten('fs:fs-1');
      expect(cdr).toMatchObject({ disposition: 'normal', used_seconds: billsec, cost: '0.15' });
      expect((before - await balanceOf('cu1')).toFixed(2)).toBe('0.15');
    });

  it('kills a call with uuid_kill and charges it up to the kill', async () => {
    const before = await balanceOf('cu1');
    await startCall('fs-2');
    await sleep(1_100);
    const killed = await api.call({ method: 'POST',
      url: '/v1/sessions/fs:fs-2/kill?reason=test' });
    expect(killed.status).toBe(200);
    expect(killed.body).toMatchObject({ teardown: 'ended', cost: '0.15' });
    // The seconds since answer as the agent measured them (1, or 2 on a stalled machine).
    expect([1, 2]).toContain(killed.body['used_seconds']);
    expect(sent('uuid_kill fs-2 MANAGER_REQUEST')).toBe(true);
    await until(() => agent.liveCalls() === 0);
    expect(await cdrsOf('fs:fs-2')).toEqual([expect.objectContaining({
      disposition: 'killed', used_seconds: killed.body['used_seconds'] })]);
    expect((before - await balanceOf('cu1')).toFixed(2)).toBe('0.15');
  });

  it('survives a reconnect mid-call without charging twice', async () => {
    const before = await balanceOf('cu1');
    await startCall('fs-3');
    await startCall('fs-4');
    const connectionsBefore = emulator.commands.filter((c) => c.text === 'auth ClueCon').length;
    emulator.dropConnections();
    // fs-4 ends while nobody listens: its hang-up event is lost.
    emulator.hangup('fs-4', 'NORMAL_CLEARING', false);
    await until(() => emulator.commands.filter((c) => c.text === 'auth ClueCon').length >
      connectionsBefore && emulator.connections === 1);
    // FreeSWITCH may repeat a park for a known channel: it changes nothing.
    emulator.emit('CHANNEL_PARK', emulator.channels.get('fs-3')!, {});
    await until(() => sent('uuid_exists fs-4'));
    await until(() => agent.liveCalls() === 1);
    await sleep(2_000);
    emulator.hangup('fs-3');
    await until(() => agent.liveCalls() === 0);
    await cdrOnceWritten('fs:fs-3');
    await cdrOnceWritten('fs:fs-4');
    expect(await cdrsOf('fs:fs-3')).toEqual([expect.objectContaining({
      disposition: 'normal', cost: '0.15' })]);
    expect(await cdrsOf('fs:fs-4')).toEqual([expect.objectContaining({
      disposition: 'normal', used_seconds: 0 })]);
    // fs-3: 0.15; fs-4 ended before its first second: 0.00. Once each.
    expect((before - await balanceOf('cu1')).toFixed(2)).toBe('0.15');
  });

  it('drops malformed events and frames with a logged code, then reconnects', async () => {
    const before = await balanceOf('cu1');
    emulator.park({ uuid: 'bad uuid\nwith lines', caller: '1', destination: '44',
      variables: { tollgate_account: 'cu1' } });
    emulator.park({ uuid: 'fs-5', caller: '1', destination: '44; rm -rf',
      variables: { tollgate_account: 'cu1' } });
    emulator.park({ uuid: 'fs-6', caller: '1', destination: '442079460000',
      variables: { tollgate_account: 'nobody' } });
    await until(() => sent('uuid_kill fs-6 CALL_REJECTED'));
    const connected = () => log.entries.filter((entry) => entry.code === 'esl_connected').length;
    const connectedBefore = connected();
    emulator.sendRaw('Content-Length: lots\n\n');
    // The agent cannot find the next frame after a bad one: it drops the connection and
    // opens a new one.
    await until(() => connected() > connectedBefore);
    // A header block that never ends, and an event whose values are not valid
    // percent-encoding (kept as sent: the uuid is then refused).
    const connectedMid = connected();
    emulator.sendRaw('X'.repeat(70 * 1024));
    await until(() => connected() > connectedMid);
    const broken = 'Event-Name: CHANNEL_PARK\nUnique-ID: %E0%A4%A\n' +
      'variable_tollgate_account: cu1\nCaller-Destination-Number: 44%ZZ\n\n';
    emulator.sendRaw(`Content-Length: ${Buffer.byteLength(broken)}\n` +
      `Content-Type: text/event-plain\n\n${broken}`);
    await until(() => log.entries.filter((entry) => entry.code === 'bad_event').length >= 2);
    const codes = log.entries.map((entry) => entry.code);
    expect(codes).toEqual(expect.arrayContaining(['bad_event', 'invalid_number',
      'account_not_found', 'esl_disconnected']));
    expect(sent('uuid_kill fs-5 CALL_REJECTED')).toBe(true);
    expect(await balanceOf('cu1')).toBe(before);
    await startCall('fs-7');
    emulator.hangup('fs-7');
    await until(() => agent.liveCalls() === 0);
    await cdrOnceWritten('fs:fs-7');
    expect(await cdrsOf('fs:fs-7')).toHaveLength(1);
  });
});
