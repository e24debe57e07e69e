import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntegrations } from '../../src/switches/start-integrations.ts';
import { recordingSwitchLog } from '../../src/switches/teardown/switch-log.ts';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { EslEmulator } from './esl-emulator.ts';
import { freePort } from './kamailio-harness.ts';
import { radclient } from './radius-harness.ts';

// The wiring `tollgate serve` uses: configuration -> running integrations and their drivers.
let api: TestApi;
let emulator: EslEmulator;
beforeAll(async () => {
  api = await openTestApi();
  await seedWorld(api);
  emulator = await EslEmulator.start('s3cret');
});
afterAll(async () => {
  await emulator.stop();
  await api.close();
});

const base = { radiusHost: '127.0.0.1', radiusAuthPort: 0, radiusAcctPort: 0,
  radiusClients: '', radiusDisconnectPort: 3799, radiusRequireMessageAuthenticator: true,
  eslHost: '', eslPort: 8021, eslPassword: 'ClueCon', kamailioRpcUrl: '',
  callDurationSecondsMax: 14_400, radiusInterimSeconds: 0, sliceSeconds: 60 };

describe('startIntegrations', () => {
  it('starts what the configuration names, registers the drivers, stops them', async () => {
    const [authPort, acctPort] = [await freePort('udp'), await freePort('udp')];
    const running = await startIntegrations({ ...base, radiusAuthPort: authPort,
      radiusAcctPort: acctPort, radiusClients: '127.0.0.1=testing123', eslHost: '127.0.0.1',
      eslPort: emulator.port, eslPassword: 's3cret',
      kamailioRpcUrl: 'http://127.0.0.1:1/RPC' }, api.services, recordingSwitchLog());
    try {
      expect(running.started).toHaveLength(3);
      expect(running.started.join('\n')).toMatch(/RADIUS .*FreeSWITCH .*Kamailio/s);
      const { registry } = api.services.switches;
      for (const name of ['radius', 'freeswitch', 'kamailio'] as const) {
        expect(registry.driverOf(name), name).toBeDefined();
      }
      const accepted = await radclient({ port: authPort, kind: 'auth', attributes:
        'User-Name="cu1", Called-Station-Id="442079460000", Acct-Session-Id="wired-1", ' +
        'Message-Authenticator=0x00' });
      expect(accepted.output).toContain('Received Access-Accept');
      const deadline = Date.now() + 5_000;
      while (!emulator.commands.some((command) => command.text === 'auth s3cret')) {
        if (Date.now() > deadline) throw new Error('the agent did not connect');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await running.stop();
    }
    expect(api.services.switches.registry.driverOf('radius')).toBeUndefined();
    const after = await radclient({ port: authPort, kind: 'auth', attributes:
      'User-Name="cu1", Acct-Session-Id="wired-2", Message-Authenticator=0x00' });
    expect(after.output).toContain('No reply');
  });

  it('refuses a bad client list before listening', async () => {
    await expect(startIntegrations({ ...base, radiusAuthPort: await freePort('udp'),
      radiusClients: 'not-an-ip=secret' }, api.services, recordingSwitchLog()))
      .rejects.toThrow(/TOLLGATE_RADIUS_CLIENTS/);
  });
});
