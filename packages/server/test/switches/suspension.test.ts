import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import radius from 'radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEslAgent, type EslAgent } from '../../src/switches/freeswitch/esl-agent.ts';
import { kamailioTeardownDriver } from '../../src/switches/kamailio/kamailio-teardown.ts';
import { startRadiusDisconnect } from '../../src/switches/radius/radius-disconnect.ts';
import { adminKey, openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { EslEmulator } from './esl-emulator.ts';
import {
  freePort,
  sipp,
  startKamailio,
  untilDialogConfirmed,
  type KamailioRig,
} from './kamailio-harness.ts';
import { radiusSecret, sendRaw, startRadiusRig, type RadiusRig } from './radius-harness.ts';

// One account with a live call on every integration; suspending its reseller must end all of
// them within 2 s: BYE at SIPp (Kamailio), Disconnect-Request at the NAS (RADIUS), uuid_kill
// at FreeSWITCH, and "0 seconds, final" to the HTTP switch's next update.
let api: TestApi;
let kamailio: KamailioRig;
let radiusRig: RadiusRig;
let emulator: EslEmulator;
let agent: EslAgent;
let uasPort: number;
const nas = createSocket('udp4');
const disconnects: Array<{ atMs: number; session: unknown }> = [];
let closeDisconnect: () => Promise<void> = async () => {};

beforeAll(async () => {
  api = await openTestApi('sqlite', { sliceSeconds: 30 });
  await seedWorld(api);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as AddressInfo;
  uasPort = await freePort('udp');
  kamailio = await startKamailio({ tollgateUrl: `http://127.0.0.1:${port}`, apiKey: adminKey,
    gateway: `127.0.0.1:${uasPort}` });
  const { registry } = api.services.switches;
  registry.register('kamailio', kamailioTeardownDriver({ rpcUrl: kamailio.rpcUrl }));
  radiusRig = await startRadiusRig(api);
  nas.on('message', (bytes, remote) => {
    const packet = radius.decode({ packet: bytes, secret: radiusSecret });
    disconnects.push({ atMs: Date.now(), session: packet.attributes['Acct-Session-Id'] });
    nas.send(radius.encode_response({ packet, code: 'Disconnect-ACK', secret: radiusSecret }),
      remote.port, remote.address);
  });
  await new Promise<void>((resolve) => nas.bind(0, '127.0.0.1', resolve));
  const disconnect = await startRadiusDisconnect({ port: nas.address().port,
    clients: new Map([['127.0.0.1', { address: '127.0.0.1',
      secret: Buffer.from(radiusSecret) }]]) });
  closeDisconnect = disconnect.close;
  registry.register('radius', disconnect);
  emulator = await EslEmulator.start();
  agent = startEslAgent({ host: '127.0.0.1', port: emulator.port, password: 'ClueCon',
    authorizedContext: 'tollgate_authorized', front: radiusRig.front });
  registry.register('freeswitch', agent);
  const deadline = Date.now() + 10_000;
  while (!emulator.commands.some((command) => command.text.startsWith('event plain'))) {
    if (Date.now() > deadline) throw new Error('the agent did not subscribe');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}, 30_000);
afterAll(async () => {
  await agent?.stop();
  await emulator?.stop();
  await closeDisconnect();
  nas.close();
  await radiusRig?.close();
  await kamailio?.stop();
  await api?.close();
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const liveIds = async () => ((await api.call({ method: 'GET',
  url: '/v1/sessions?account_id=cu1' })).body['sessions'] as Array<{ session_id: string }>)
  .map((row) => row.session_id);

describe('suspension ends live calls on every integration', () => {
  it('BYE, Disconnect-Request, uuid_kill and a final grant within 2 s', async () => {
    const callee = sipp({ scenario: 'uas.xml', localPort: uasPort, timeoutS: 30 });
    const caller = sipp({ scenario: 'uac-until-bye.xml', localPort: await freePort('udp'),
      service: '442079460000', target: `127.0.0.1:${kamailio.sipPort}`, timeoutS: 30 });
    const accessRequest = radius.encode({ code: 'Access-Request', secret: radiusSecret,
      add_message_authenticator: true, attributes: [['User-Name', 'cu1'],
        ['Called-Station-Id', '442079460000'], ['Acct-Session-Id', 'susp-1']] });
    expect(await sendRaw(radiusRig.server.authPort, [accessRequest])).toHaveLength(1);
    emulator.park({ uuid: 'susp-fs', caller: '15551230000', destination: '442079460000',
      variables: { tollgate_account: 'cu1' } });
    await until(() => emulator.commands.some((c) => c.text.startsWith('api uuid_transfer')));
    emulator.answer('susp-fs');
    const http = await api.call({ method: 'POST', url: '/v1/sessions', json: {
      session_id: 'susp-http', account_id: 'cu1', caller: '1', callee: '442079460000',
      request_number: 0 } });
    expect(http.status).toBe(200);
    await until(async () => (await liveIds()).length === 4);
    await untilDialogConfirmed(kamailio.rpcUrl);

    const suspendedAtMs = Date.now();
    const suspended = await api.call({ method: 'POST', url: '/v1/accounts/rs/suspend' });
    expect(suspended.status).toBe(200);
    expect(await caller.exited, caller.output()).toBe(0);
    const byeMs = Date.now() - suspendedAtMs;
    const killAt = emulator.commands.find((command) =>
      command.text === 'api uuid_kill susp-fs MANAGER_REQUEST');
    expect(killAt).toBeDefined();
    expect(disconnects).toEqual([expect.objectContaining({ session: 'susp-1' })]);
    const next = await api.call({ method: 'POST', url: '/v1/sessions/susp-http/update',
      json: { request_number: 1, used_seconds: 1 } });
    expect(next.body).toMatchObject({ granted_seconds: 0, final: true });
    for (const elapsedMs of [byeMs, killAt!.atMs - suspendedAtMs,
      disconnects[0]!.atMs - suspendedAtMs]) {
      expect(elapsedMs).toBeLessThan(2_000);
    }
    expect(await liveIds()).toEqual([]);
    expect(await callee.exited, callee.output()).toBe(0);
    console.log(`suspension: BYE after ${byeMs} ms, uuid_kill after ` +
      `${killAt!.atMs - suspendedAtMs} ms, Disconnect-Request after ` +
      `${disconnects[0]!.atMs - suspendedAtMs} ms`);
    await api.call({ method: 'POST', url: '/v1/accounts/rs/activate' });
  }, 40_000);
});
