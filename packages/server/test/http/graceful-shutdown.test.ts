import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe } from './serve-process.ts';

const directory = mkdtempSync(join(tmpdir(), 'tollgate-drain-'));
const adminKey = 'drain-operator-key-0123456789';
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown (issue 21)', () => {
  it('finishes a request in flight after SIGTERM, then exits 0', async () => {
    const server = await startServe(['--db', join(directory, 'tollgate.sqlite')],
      { TOLLGATE_ADMIN_KEY: adminKey, TOLLGATE_LOG_LEVEL: 'warn' });
    const body = JSON.stringify({ id: 'late-root', parent_id: null, tier: 'super_admin',
      mode: 'postpaid', currency: 'EUR', rate_deck_id: null });
    const url = new URL('/v1/accounts', server.baseUrl);
    // A request whose body is still arriving when the signal comes.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = request(url, { method: 'POST', headers: {
        authorization: `Bearer ${adminKey}`, 'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)) } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      outgoing.on('error', reject);
      outgoing.write(body.slice(0, 20));
      void pause(300).then(() => {
        server.child.kill('SIGTERM');
        return pause(500);
      }).then(() => outgoing.end(body.slice(20)));
    });
    const finished = await answer;
    const answeredAtMs = Date.now();
    expect([finished.status, JSON.parse(finished.text).id]).toEqual([201, 'late-root']);
    expect(await server.exited).toBe(0);
    // The drained keep-alive connection is closed at once, not at the shutdown deadline (10 s).
    expect(Date.now() - answeredAtMs).toBeLessThan(5_000);
    expect(server.output()).toContain('draining requests, then closing');
    expect(server.output()).toContain('tollgate: stopped');
  }, 30_000);
});
