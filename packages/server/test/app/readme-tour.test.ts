import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The README's "Your first ten minutes" runs here as it is written: the shell block after the
 * `first-ten-minutes` marker, from the repository root, against the built `tollgate` (npm test
 * builds first). Only the port is chosen (the block reads `PORT`, default 8090), so the
 * document cannot drift from what works.
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const tourTimeoutMs = 90_000;

function tourBlock(): string {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const marker = readme.indexOf('<!-- first-ten-minutes');
  expect(marker, 'the README marks its tour').toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  expect(block, 'a shell block follows the marker').not.toBeNull();
  return block![1]!;
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('README: your first ten minutes (issue 21)', () => {
  it('runs as written and shows the call, its CDR from both sides and the route', async () => {
    const port = await freeTcpPort();
    // `set -e`: a command that fails stops the tour; `detached` lets a stuck one be killed
    // with everything it started.
    const child = spawn('bash', ['-e', '-c', tourBlock()], { cwd: root, detached: true,
      env: { ...process.env, PORT: String(port),
        PATH: `${root}node_modules/.bin:${process.env['PATH'] ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), tourTimeoutMs);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    expect(code, output).toBe(0);
    // 47 s billed 48 s at 0.12 a minute; alice had 5.00.
    expect(output).toContain('"status":"terminated"');
    expect(output).toContain('"cost":"0.096"');
    expect(output).toContain('"balance":"4.904"');
    // acme's view of the CDR has its own level (what it paid: 47 s at 0.05) beside alice's.
    expect(output).toMatch(/"session_id":"alice~call-1".*"account_id":"acme".*"cost":"0.0392"/);
    expect(output).toMatch(/"routes":\[\{"carrier_id":"carrier-a".*"margin":"0.07"/);
    // bob pays in EUR for the USD deck: 0.096 USD at 0.92, exact to the micro.
    expect(output).toContain('"from":"USD","to":"EUR","rate":"0.92"');
    expect(output).toMatch(/"status":"terminated".*"cost":"0.08832","currency":"EUR"/);
    // acme's CDRs as CSV: its own price, cost and margin (alice's call: 0.096 - 0.0392 USD).
    expect(output).toContain('own_price,own_price_currency,own_cost,own_cost_currency,own_margin');
    expect(output).toMatch(/acme~alice~call-1,.*,0\.096,USD,0\.0392,USD,0\.0568\n/);
    expect(output).not.toMatch(/"code":"/);
  }, tourTimeoutMs + 10_000);
});
