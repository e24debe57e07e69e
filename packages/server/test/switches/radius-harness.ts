import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { TestApi } from '../http/http-fixture.ts';
import { startRadiusServer, type RadiusServer } from '../../src/switches/radius/radius-server.ts';
import { parseRadiusClients } from '../../src/switches/radius/radius-clients.ts';
import { recordingSwitchLog } from '../../src/switches/teardown/switch-log.ts';
import type { SwitchFront } from '../../src/switches/switch-front.ts';
import type { RadiusLongCalls } from '../../src/switches/radius/radius-renewal.ts';

export const radiusSecret = 'testing123';

export interface RadclientRun {
  readonly exitCode: number;
  readonly output: string;
}

/**
 * Runs the real `radclient` (freeradius-utils) once: one request from `attributes`
 * (radclient's text form), one try, 1 s timeout. Exit code 0: a reply arrived.
 */
export function radclient(options: {
  port: number;
  kind: 'auth' | 'acct';
  secret?: string;
  attributes: string;
}): Promise<RadclientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '1',
      `127.0.0.1:${options.port}`, options.kind, options.secret ?? radiusSecret],
    { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? -1, output }));
    child.stdin.end(`${options.attributes}\n`);
  });
}

export interface RadiusRig {
  readonly server: RadiusServer;
  readonly log: ReturnType<typeof recordingSwitchLog>;
  readonly front: SwitchFront;
  close(): Promise<void>;
}

/**
 * Tollgate's RADIUS server on free loopback ports, over the test API's services. A test that
 * must know when a packet was dropped passes a log of its own that wakes it.
 */
export async function startRadiusRig(api: TestApi,
  log: RadiusRig['log'] = recordingSwitchLog(), longCalls?: RadiusLongCalls): Promise<RadiusRig> {
  const parsed = parseRadiusClients(`127.0.0.1=${radiusSecret}`);
  if (!parsed.ok) throw new Error(parsed.message);
  const front: SwitchFront = { charging: api.services.charging,
    origins: api.services.switches.origins, clock: api.clock, log };
  const server = await startRadiusServer({ host: '127.0.0.1', authPort: 0, acctPort: 0,
    clients: parsed.clients, requireMessageAuthenticator: true, front,
    ...(longCalls === undefined ? {} : { longCalls }) });
  return { server, log, front, close: () => server.close() };
}

/** Sends raw bytes and collects whatever comes back within `waitMs`. */
export async function sendRaw(port: number, datagrams: Buffer[], waitMs = 300) {
  const socket = createSocket('udp4');
  const replies: Buffer[] = [];
  socket.on('message', (bytes) => replies.push(bytes));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  for (const datagram of datagrams) socket.send(datagram, port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  socket.close();
  return replies;
}
