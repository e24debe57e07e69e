import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

// These tests run the real `tollgate` binary (compiled by `npm test` before vitest starts), so
// they check the command-line contract of rating.md end to end: JSON on stdout, exit codes.
const bin = fileURLToPath(new URL('../../bin/tollgate.js', import.meta.url));
const run = promisify(execFile);

async function tollgate(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, json: JSON.parse(stdout) as Record<string, unknown>, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, json: JSON.parse(failed.stdout) as Record<string, unknown>,
      stderr: failed.stderr };
  }
}

let dir = '';
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
  writeFileSync(file('deck.csv'), [
    '# a simple ASTPP-style deck',
    'prefix,destination,rate,connect_fee,initial_increment_s,increment_s',
    '44,United Kingdom,0.06,0,30,6',
    '447,"United Kingdom, Mobile",0.20,0.05,30,6',
  ].join('\n'));
  writeFileSync(file('banded.csv'), [
    'prefix,rate,time_band',
    '1,0.60,',
    '1,0.06,night',
  ].join('\n'));
  writeFileSync(file('bands.csv'), 'band,days,start,end\nnight,Mon-Sun,22:00,06:00\n');
  writeFileSync(file('bad.csv'), 'prefix,rate\n44,0.06\n45,-0.5\n');
  writeFileSync(file('unknown.csv'), 'prefix,rate,colour\n44,0.06,red\n');
});

describe('tollgate rate', () => {
  it('prints the rated call and exits 0', async () => {
    const out = await tollgate('rate', '--deck', file('deck.csv'), '--number', '4412345',
      '--duration', '47', '--at', '2026-11-30T12:00:00Z');
    expect(out.code).toBe(0);
    expect(out.json).toMatchObject({ status: 'rated', cost: '0.0480', currency: 'USD',
      billed_seconds: 48, prefix: '44', destination: 'United Kingdom' });
  });
  it('uses the longest prefix and the connect fee', async () => {
    const out = await tollgate('rate', '--deck', file('deck.csv'), '--number', '447700',
      '--duration', '47', '--currency', 'GBP');
    expect(out.json).toMatchObject({ cost: '0.2100', currency: 'GBP', prefix: '447' });
  });
  it('refuses an unknown destination with exit 3', async () => {
    const out = await tollgate('rate', '--deck', file('deck.csv'), '--number', '33',
      '--duration', '0');
    expect(out.code).toBe(3);
    expect(out.json).toMatchObject({ status: 'no_rate' });
  });
  it('evaluates bands in the given zone', async () => {
    const args = ['rate', '--deck', file('banded.csv'), '--bands', file('bands.csv'),
      '--zone', 'America/New_York', '--number', '1555', '--duration', '120',
      '--at', '2026-11-30T10:59:00Z'];
    expect((await tollgate(...args)).json).toMatchObject({ cost: '0.6600' });
  });
  it.each([
    { why: 'a negative price names line and column', args: ['--deck', 'bad.csv'],
      code: 'negative_amount', line: 3, column: 'rate' },
    { why: 'an unknown column', args: ['--deck', 'unknown.csv'], code: 'unknown_column' },
    { why: 'a number with non-digits', args: ['--number', '44a'], code: 'invalid_number' },
    { why: 'a negative duration', args: ['--duration', '-1'], code: 'invalid_duration' },
    { why: 'a fractional duration', args: ['--duration', '4.5'], code: 'invalid_duration' },
    { why: 'an instant without offset', args: ['--at', '2026-11-30T12:00:00'],
      code: 'invalid_instant' },
    { why: 'an unknown rounding mode', args: ['--rounding', 'bankers'], code: 'invalid_rounding' },
    { why: 'an unknown zone', args: ['--zone', 'Mars/Olympus'], code: 'invalid_zone' },
    { why: 'a missing deck file', args: ['--deck', 'nope.csv'], code: 'file_unreadable' },
    { why: 'an unknown flag', args: ['--colour', 'red'], code: 'invalid_arguments' },
  ])('exits 2 for $why', async (c) => {
    const flags: Record<string, string> = { '--deck': 'deck.csv', '--number': '44',
      '--duration': '10' };
    for (let i = 0; i < c.args.length; i += 2) flags[c.args[i]!] = c.args[i + 1]!;
    const args = Object.entries(flags).flatMap(([flag, value]) =>
      [flag, flag === '--deck' ? file(value) : value]);
    const out = await tollgate('rate', ...args);
    expect(out.code).toBe(2);
    expect(out.json).toMatchObject({ status: 'error', code: c.code });
    if (c.line !== undefined) expect(out.json).toMatchObject({ line: c.line, column: c.column });
    expect(out.stderr).toContain('tollgate:');
  });
});

describe('tollgate max-duration', () => {
  it('grants 282 s on 1.00 with connect 0.05 at 0.20/min 30/6', async () => {
    const out = await tollgate('max-duration', '--deck', file('deck.csv'), '--number', '4477',
      '--funds', '1.00');
    expect(out.code).toBe(0);
    expect(out.json).toMatchObject({ max_seconds: 282, cost: '0.9900', capped: false });
  });
  it('gives 0 for negative funds and exits 3 for an unknown number', async () => {
    const negative = await tollgate('max-duration', '--deck', file('deck.csv'), '--number', '44',
      '--funds', '-5');
    expect(negative.json).toMatchObject({ max_seconds: 0 });
    const unknown = await tollgate('max-duration', '--deck', file('deck.csv'), '--number', '1',
      '--funds', '5');
    expect(unknown.code).toBe(3);
  });
  it('rejects malformed funds', async () => {
    const out = await tollgate('max-duration', '--deck', file('deck.csv'), '--number', '44',
      '--funds', '1e3');
    expect(out).toMatchObject({ code: 2, json: { code: 'invalid_amount' } });
  });
});
