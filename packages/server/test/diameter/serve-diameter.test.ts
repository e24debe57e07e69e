import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findAvp, integer32Of, textOf, unsigned32Of } from '../../src/diameter/avp-read.ts';
import { avp } from '../../src/diameter/diameter-codec.ts';
import { TestDiameterClient } from './diameter-test-client.ts';
import { freeTcpPort } from './kamailio-rig.ts';

// The real `tollgate serve --diameter-port N` process (compiled by `npm test` first).
const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'tollgate-serve-diameter-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('tollgate serve --diameter-port', () => {
  it('serves Diameter next to HTTP and sends DPR to its peers when stopped', async () => {
    const port = await freeTcpPort();
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--diameter-port',
      String(port), '--db', join(directory, 'tollgate.sqlite')], {
      env: { ...process.env, TOLLGATE_LOG_LEVEL: 'warn',
        TOLLGATE_DIAMETER_ORIGIN_REALM: 'ocs.test' },
      stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 20_000;
    while (!output.includes('Diameter Ro/Gy on') && Date.now() < deadline &&
      child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let stopping = false;
    try {
      expect(output).toContain(`Diameter Ro/Gy on 127.0.0.1:${port}`);
      const client = await TestDiameterClient.open(port);
      const cea = await client.capabilitiesExchange();
      expect(unsigned32Of(findAvp(cea.avps, 'Result-Code')!)).toBe(2001);
      expect(textOf(findAvp(cea.avps, 'Origin-Host')!)).toBe('localhost');
      expect(textOf(findAvp(cea.avps, 'Origin-Realm')!)).toBe('ocs.test');
      const dwa = await client.request(280, 0, [avp('Origin-Host', 'client.test.local'),
        avp('Origin-Realm', 'test.local')]);
      expect(unsigned32Of(findAvp(dwa.avps, 'Result-Code')!)).toBe(2001);
      stopping = true;
      child.kill('SIGTERM');
      await client.closed;
      const dpr = client.requests.find((request) => request.commandCode === 282);
      expect(dpr).toBeDefined();
      expect(integer32Of(findAvp(dpr!.avps, 'Disconnect-Cause')!)).toBe(0);
    } finally {
      // A second SIGTERM would kill the draining process: signal only if the test failed early.
      if (!stopping) child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('tollgate: stopped');
  }, 60_000);
});
