import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const kamailioCfg = new URL('../../../../docs/integrations/kamailio.cfg', import.meta.url)
  .pathname;
export const sippDir = new URL('./sipp/', import.meta.url).pathname;

/** A port free now on loopback (other agents run Kamailio and SIPp on this machine too). */
export async function freePort(kind: 'udp' | 'tcp'): Promise<number> {
  if (kind === 'tcp') {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return typeof address === 'object' && address !== null ? address.port : 0;
  }
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  socket.close();
  return port;
}

export interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
  stop(): Promise<void>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Running {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd === undefined ? {} : { cwd }) });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? -1 : 128)));
    child.on('error', () => resolve(-1));
  });
  return {
    child, exited, output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface KamailioRig {
  readonly sipPort: number;
  readonly rpcUrl: string;
  readonly process: Running;
  stop(): Promise<void>;
}

/**
 * The documented kamailio.cfg, run in the foreground on free loopback ports with its own
 * runtime directory; stopped by PID.
 */
export async function startKamailio(options: { tollgateUrl: string; apiKey: string;
  gateway: string }): Promise<KamailioRig> {
  const sipPort = await freePort('udp');
  const rpcPort = await freePort('tcp');
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-kamailio-'));
  const process = run('kamailio', ['-DD', '-E', '-f', kamailioCfg, '-A', 'TOLLGATE_TEST_LISTEN',
    '-l', `udp:127.0.0.1:${sipPort}`, '-l', `tcp:127.0.0.1:${rpcPort}`, '-Y', directory,
    '-P', join(directory, 'kamailio.pid'), '-m', '64', '-M', '8'],
  { PATH: globalThis.process.env['PATH'] ?? '/usr/bin:/usr/sbin:/bin',
    TOLLGATE_URL: options.tollgateUrl, TOLLGATE_API_KEY: options.apiKey,
    SIP_GATEWAY: options.gateway }, directory);
  const rpcUrl = `http://127.0.0.1:${rpcPort}/RPC`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const reply = await fetch(rpcUrl, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0',
        method: 'core.version', id: 1 }), signal: AbortSignal.timeout(500) });
      if (reply.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline || process.child.exitCode !== null) {
      await process.stop();
      throw new Error(`kamailio did not start:\n${process.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { sipPort, rpcUrl, process, stop: async () => {
    await process.stop();
    rmSync(directory, { recursive: true, force: true });
  } };
}

/**
 * SIPp (sip-tester) with a scenario of test/switches/sipp, one call. `account` is the caller's
 * SIP user (the Tollgate account, `[account]` in the scenarios; cu1 unless told), `callMs` the
 * length of a scenario's `<pause/>` (SIPp's -d).
 */
export function sipp(options: { scenario: string; localPort: number; target?: string;
  service?: string; timeoutS?: number; account?: string; callMs?: number }): Running {
  const args = ['-sf', join(sippDir, options.scenario), '-i', '127.0.0.1',
    '-p', String(options.localPort), '-m', '1', '-l', '1', '-nostdin',
    '-key', 'account', options.account ?? 'cu1'];
  if (options.callMs !== undefined) args.push('-d', String(options.callMs));
  if (options.service !== undefined) args.push('-s', options.service);
  args.push('-timeout', `${options.timeoutS ?? 30}s`, '-timeout_error');
  if (options.target !== undefined) args.push(options.target);
  return run('sipp', args, { PATH: globalThis.process.env['PATH'] ?? '/usr/bin:/bin' });
}

/** Waits until Kamailio holds a confirmed dialog (state 4: answered and ACKed). */
export async function untilDialogConfirmed(rpcUrl: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await fetch(rpcUrl, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0',
      method: 'dlg.list', id: 1 }), signal: AbortSignal.timeout(1_000) });
    if (/"state":\s*4\b/.test(await reply.text())) return;
    if (Date.now() > deadline) throw new Error('no confirmed dialog in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
