import modesl from 'modesl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EslEmulator } from './esl-emulator.ts';

// The emulator must speak FreeSWITCH's wire format, or the agent's tests prove nothing: an
// independent client (the npm `modesl` library) must understand it.
let emulator: EslEmulator;
beforeAll(async () => {
  emulator = await EslEmulator.start();
});
afterAll(async () => emulator.stop());

const connect = () => new Promise<InstanceType<typeof modesl.Connection>>((resolve) => {
  const connection: InstanceType<typeof modesl.Connection> = new modesl.Connection('127.0.0.1',
    emulator.port, 'ClueCon', () => resolve(connection));
});
const api = (connection: InstanceType<typeof modesl.Connection>, command: string) =>
  new Promise<string>((resolve) => connection.api(command, (reply) => resolve(reply.getBody())));

describe('the ESL emulator, read by modesl', () => {
  it('authenticates, sends plain events with URL-encoded headers, answers api commands',
    async () => {
      const connection = await connect();
      await new Promise<void>((resolve) => connection.events('plain',
        'CHANNEL_PARK CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE', () => resolve()));
      expect(emulator.commands.map((command) => command.text)).toEqual(expect.arrayContaining([
        'auth ClueCon', 'event json BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
        'event plain CHANNEL_PARK CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB ' +
        'CHANNEL_EXECUTE_COMPLETE']));
      const parked = new Promise<{ account: string | null; destination: string | null }>(
        (resolve) => connection.on('esl::event::CHANNEL_PARK::*', (event) => resolve({
          account: event.getHeader('variable_tollgate_account'),
          destination: event.getHeader('Caller-Destination-Number') })));
      const hungUp = new Promise<string | null>((resolve) =>
        connection.on('esl::event::CHANNEL_HANGUP_COMPLETE::*', (event) =>
          resolve(event.getHeader('Hangup-Cause'))));
      emulator.park({ uuid: 'm-1', caller: '15551230000', destination: '442079460000',
        variables: { tollgate_account: 'a b&c=d%e: f' } });
      expect(await parked).toEqual({ account: 'a b&c=d%e: f', destination: '442079460000' });
      emulator.answer('m-1');
      expect(await api(connection, 'sched_hangup +1 m-1 ALLOTTED_TIMEOUT'))
        .toMatch(/^\+OK Hangup scheduled/);
      expect(await api(connection, 'uuid_kill no-such-uuid')).toMatch(/^-ERR/);
      expect(await hungUp).toBe('ALLOTTED_TIMEOUT');
      expect(await api(connection, 'uuid_exists m-1')).toBe('false');
      connection.socket?.destroy();
    });
});
