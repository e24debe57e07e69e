import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteMigrations } from '../../src/storage/sqlite/sqlite-migrations.ts';
import { serveStartTimeoutMs, startServe as startServeProcess, type ServeProcess } from
  './serve-process.ts';

// The real `tollgate serve` process (compiled by `npm test` before vitest starts), on a free
// port with a temporary SQLite file: real sockets, real signals.
const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'tollgate-serve-'));
const adminKey = 'smoke-operator-key-0123456789';
const startTimeoutMs = serveStartTimeoutMs;

afterAll(() => rmSync(directory, { recursive: true, force: true }));

type Server = ServeProcess;

async function startServe(args: string[]): Promise<Server> {
  return startServeProcess(args, { TOLLGATE_ADMIN_KEY: adminKey, TOLLGATE_LOG_LEVEL: 'warn' });
}

/** The demo's lines may arrive in a later chunk than "listening": wait for the one needed. */
async function waitForOutput(server: Server, pattern: RegExp): Promise<RegExpExecArray> {
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    const match = pattern.exec(server.output());
    if (match !== null) return match;
    if (server.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`tollgate serve never printed ${pattern}:\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

describe('tollgate serve', () => {
  it('creates and migrates the SQLite file, answers over HTTP, stops on SIGTERM', async () => {
    const server = await startServe(['--db', join(directory, 'plain', 'tollgate.sqlite')]);
    try {
      expect(server.output()).toContain(`${sqliteMigrations.length} migrations applied`);
      const response = await fetch(`${server.baseUrl}/v1/accounts`, { method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'root', parent_id: null, tier: 'super_admin',
          mode: 'postpaid', currency: 'EUR', rate_deck_id: null }) });
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ id: 'root', balance: '0.00' });
      const anonymous = await fetch(`${server.baseUrl}/v1/accounts/root`);
      expect(anonymous.status).toBe(401);
    } finally {
      expect(await stop(server)).toBe(0);
    }
    expect(server.output()).toContain('tollgate: stopped');
  });
  it('seeds the demo idempotently and the printed key places a call', async () => {
    const db = join(directory, 'demo.sqlite');
    const first = await startServe(['--db', db, '--demo']);
    await waitForOutput(first, /export C1_KEY=(\S+)/);
    expect(await stop(first)).toBe(0);
    const server = await startServe(['--db', db, '--demo']);
    try {
      const key = (await waitForOutput(server, /export C1_KEY=(\S+)/))[1];
      expect(key).toBeDefined();
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const call = await fetch(`${server.baseUrl}/v1/sessions`, { method: 'POST', headers,
        body: JSON.stringify({ session_id: 'smoke-1', account_id: 'c1', caller: '1555',
          callee: '442079460000', request_number: 0 }) });
      expect(await call.json()).toMatchObject({ status: 'granted', granted_seconds: 60 });
      const end = await fetch(`${server.baseUrl}/v1/sessions/smoke-1/terminate`, {
        method: 'POST', headers, body: JSON.stringify({ request_number: 1, used_seconds: 47 }) });
      expect(await end.json()).toMatchObject({ status: 'terminated', cost: '0.21' });
      const account = await fetch(`${server.baseUrl}/v1/accounts/c1`, { headers });
      // Seeded twice, topped up once: 10.00 - 0.21.
      expect(await account.json()).toMatchObject({ balance: '9.79' });
      // The second run says that it replaced the keys the first one printed.
      expect(server.output()).toMatch(/these replace the 5 demo keys/);
      // The demo's decks are owned, so the demo's keys see and sell them (issue 21).
      const r1Key = (await waitForOutput(server, /export R1_KEY=(\S+)/))[1];
      const asR1 = { authorization: `Bearer ${r1Key}`, 'content-type': 'application/json' };
      const decks = await (await fetch(`${server.baseUrl}/v1/rate-decks`,
        { headers: asR1 })).json() as { rate_decks: Array<{ id: string }> };
      expect(decks.rate_decks.map((deck) => deck.id)).toEqual(['demo-retail']);
      const customer = await fetch(`${server.baseUrl}/v1/accounts`, { method: 'POST',
        headers: asR1, body: JSON.stringify({ id: 'c3', parent_id: 'r1', tier: 'customer',
          currency: 'USD', mode: 'prepaid', rate_deck_id: 'demo-retail' }) });
      expect([customer.status, await customer.json()]).toEqual([201,
        expect.objectContaining({ id: 'r1~c3', name: 'c3' })]);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });
  it('exits non-zero, HTTP closed too, when a configured port is taken (all or nothing)',
    async () => {
      // The RADIUS port is held by another socket: serve must not stay up without it, its
      // HTTP answering over a closed database (issue 21).
      const holder = createSocket('udp4');
      await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
      const taken = holder.address().port;
      try {
        const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--db',
          join(directory, 'taken', 'tollgate.sqlite')], { env: { ...process.env,
          TOLLGATE_ADMIN_KEY: adminKey, TOLLGATE_LOG_LEVEL: 'warn',
          TOLLGATE_RADIUS_PORT: String(taken), TOLLGATE_RADIUS_CLIENTS: '127.0.0.1=testing123' },
        stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
        child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
        const timer = setTimeout(() => child.kill('SIGKILL'), startTimeoutMs);
        const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
        clearTimeout(timer);
        expect([code, output]).toEqual([1, expect.stringMatching(/cannot serve: .*EADDRINUSE/)]);
        expect(output).not.toContain('listening on');
      } finally {
        holder.close();
      }
    });

  it('refuses a bad configuration with exit code 2 and the variable\'s name', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', 'eighty'], {
      env: { ...process.env, TOLLGATE_SLICE_SECONDS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(output).toContain('--port');
    expect(output).toContain('TOLLGATE_SLICE_SECONDS');
  });
});
