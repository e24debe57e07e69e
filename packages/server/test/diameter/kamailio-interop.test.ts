import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cdr } from '@tollgate/core';
import { account, balances, money } from '../charging/charging-harness.ts';
import { deckOf, openDiameterHarness, perSecondDeck, type DiameterHarness } from
  './diameter-harness.ts';
import {
  counterOf,
  freeTcpPort,
  freeUdpPort,
  kamailioLog,
  placeCalls,
  startCallee,
  startKamailio,
  type CallerOptions,
  type KamailioPorts,
  type RunningKamailio,
} from './kamailio-rig.ts';

/**
 * Interop with real third-party software (issue 5): Kamailio's ims_charging and cdp are the
 * Ro client, SIPp places the calls through Kamailio, Tollgate is the OCS. The slice is the
 * default 60 s; Kamailio asks for 10 s (RSU CC-Time) and gets 10 s (issue 16), and asks again
 * 2 s before a grant ends, so calls stay short.
 */

let harness: DiameterHarness;
let kamailio: RunningKamailio | undefined;
let directory: string;
let ports: KamailioPorts;
let callerPort: number;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tollgate-kamailio-'));
  harness = await openDiameterHarness({ settings: { sliceSeconds: 60 },
    originHost: 'localhost', originRealm: 'test.local' });
  harness.decks.set('d1', deckOf(perSecondDeck));
  // 0.60 a minute in one-second blocks: 1.20 pays 120 s, ten calls of 12 s.
  harness.decks.set('d10', deckOf('prefix,rate,initial_increment_s,increment_s\n44,0.60,1,1\n'));
  await account(harness, { id: 'root', tier: 'super_admin' });
  for (const [id, topup] of [['normal', '1.00'], ['short', '0.012'], ['broke', undefined],
    ['busy', '2.00']] as const) {
    await account(harness, { id, tier: 'customer', parentId: 'root', deck: 'd1',
      ...(topup === undefined ? {} : { topup }) });
    await harness.identify('sip_uri', `sip:${id}@127.0.0.1`, id);
  }
  await account(harness, { id: 'crowd', tier: 'customer', parentId: 'root', deck: 'd10',
    topup: '1.20' });
  await harness.identify('sip_uri', 'sip:crowd@127.0.0.1', 'crowd');
  await account(harness, { id: 'victim', tier: 'customer', parentId: 'root', deck: 'd1',
    topup: '1.00' });
  await harness.identify('sip_uri', 'sip:victim@127.0.0.1', 'victim');
  ports = { ocs: harness.server.port, acceptor: await freeTcpPort(), sip: await freeUdpPort(),
    callee: await freeUdpPort() };
  callerPort = await freeUdpPort();
  kamailio = await startKamailio(directory, ports);
  // cdp connects a moment after start-up; the CER makes it a live peer.
  const deadline = Date.now() + 20_000;
  while (harness.server.connectionCount() === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}, 60_000);

afterAll(async () => {
  await kamailio?.stop();
  await harness?.close();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

async function calls(options: Omit<CallerOptions, 'sipPort' | 'callerPort' | 'directory'>) {
  const callee = options.scenario === 'uac-refused.xml' ? null
    : startCallee(ports.callee, options.calls, directory);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const caller = await placeCalls({ ...options, sipPort: ports.sip, callerPort, directory });
  if (callee === null) return { caller, callee: null };
  // A call the caller gave up on never reaches the callee: do not wait for it forever.
  const timer = setTimeout(() => callee.stop(), 10_000);
  const answered = await callee.done;
  clearTimeout(timer);
  return { caller, callee: answered };
}

/**
 * The account's CDRs once `expected` are written, or what there is after 10 s: Kamailio sends
 * a call's CCR-T after the BYE's 200, so SIPp may be done before the last CDR is.
 */
async function cdrsOf(accountId: string, expected = 1): Promise<Cdr[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const listed = await harness.charging.listCdrs({ scopeAccountId: accountId, limit: 100 });
    expect(listed.ok).toBe(true);
    const cdrs = listed.ok ? listed.value : [];
    if (cdrs.length >= expected || Date.now() > deadline) return cdrs;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function diagnostics(): string {
  const peer = kamailio === undefined ? ''
    : kamailioLog(kamailio).split('\n').slice(-40).join('\n');
  // SIPp writes the messages it did not expect (and why it gave up a call) to *-errors.log.
  const sippErrors = readdirSync(directory).filter((name) => name.endsWith('-errors.log'))
    .map((name) => `${name}:\n${readFileSync(join(directory, name), 'utf8').slice(-4_000)}`);
  return `${peer}\n${sippErrors.join('\n')}\nTollgate's last charging calls:\n` +
    harness.chargingTrail().slice(-40).join('\n');
}

/**
 * Kamailio's counters once `settled` matches them (or after 5 s): a CDR is readable as soon as
 * Tollgate commits the terminate, a moment before Kamailio has read its CCA and counted it.
 */
async function statisticsOnce(settled: RegExp): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const statistics = await kamailio!.statistics();
    if (settled.test(statistics) || Date.now() > deadline) return statistics;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Kamailio ims_charging + SIPp against Tollgate\'s Diameter server', () => {
  it('Kamailio\'s cdp peers with Tollgate (CER/CEA)', () => {
    expect(harness.server.connectionCount(), diagnostics()).toBe(1);
  });

  it('a normal 10 s call (CCR-I, CCR-U, CCR-T) is charged exactly what Kamailio reports',
    async () => {
      const run = await calls({ scenario: 'uac-call.xml', user: 'normal', callMs: 10_000,
        calls: 1, callsPerSecond: 1 });
      expect(run.caller.exitCode, run.caller.output + diagnostics()).toBe(0);
      expect(run.callee?.exitCode).toBe(0);
      const [cdr] = await cdrsOf('normal');
      expect(cdr).toBeDefined();
      // Kamailio rounds each report with rint: up to one second more per request (1.5).
      expect(cdr!.usedSeconds).toBeGreaterThanOrEqual(10);
      expect(cdr!.usedSeconds).toBeLessThanOrEqual(12);
      expect(cdr!.billedSeconds).toBe(cdr!.usedSeconds);
      expect(cdr!.disposition).toBe('normal');
      const after = await balances(harness, 'normal');
      expect(after.postedMicros).toBe(money('1.00') - BigInt(cdr!.billedSeconds) * 1_000n);
      expect(after.pendingMicros).toBe(0n);
      // Kamailio's own count: the 10 s grant needed one CCR-U, and nothing failed.
      const statistics = await statisticsOnce(/successful_final_ccrs = 1\b/);
      expect(statistics).toMatch(/successful_initial_ccrs = 1\b/);
      expect(statistics).toMatch(/successful_interim_ccrs = 1\b/);
      expect(statistics).toMatch(/successful_final_ccrs = 1\b/);
      expect(statistics).toMatch(/ccr_timeouts = 0\b/);
    }, 60_000);

  it('a prepaid balance that runs out: Kamailio cuts the call (BYE, Reason: outofcredit), ' +
    'the balance ends at zero, not below', async () => {
    const run = await calls({ scenario: 'uac-cut.xml', user: 'short', callMs: 0, calls: 1,
      callsPerSecond: 1 });
    expect(run.caller.exitCode, run.caller.output + diagnostics()).toBe(0);
    expect(run.callee?.exitCode).toBe(0);
    const after = await balances(harness, 'short');
    expect(after.postedMicros).toBe(0n);
    expect(after.pendingMicros).toBe(0n);
    const [cdr] = await cdrsOf('short');
    expect(cdr!.billedSeconds).toBe(12);
    expect(cdr!.costMicros).toBe(money('0.012'));
    expect(cdr!.disposition).toBe('out_of_credit');
    const statistics = await kamailio!.statistics();
    expect(statistics).toMatch(/killed_calls = 1\b/);
    expect(statistics).toMatch(/failed_interim_ccrs = 0\b/);
  }, 60_000);

  it('no credit: the call is refused with SIP 402', async () => {
    const run = await calls({ scenario: 'uac-refused.xml', user: 'broke', callMs: 0, calls: 1,
      callsPerSecond: 1 });
    expect(run.caller.exitCode, run.caller.output + diagnostics()).toBe(0);
    const after = await balances(harness, 'broke');
    expect(after.postedMicros).toBe(0n);
    expect(after.pendingMicros).toBe(0n);
  }, 30_000);

  it('20 concurrent calls on one account are each charged once, exactly', async () => {
    // 10 calls a second for 2 s, each 5 s long: all 20 are up together for 3 s.
    const run = await calls({ scenario: 'uac-call.xml', user: 'busy', callMs: 5_000, calls: 20,
      callsPerSecond: 10 });
    expect(run.caller.exitCode, run.caller.output + diagnostics()).toBe(0);
    expect(run.callee?.exitCode).toBe(0);
    const cdrs = await cdrsOf('busy', 20);
    expect(cdrs).toHaveLength(20);
    let billedSeconds = 0;
    for (const cdr of cdrs) {
      expect(cdr.usedSeconds).toBeGreaterThanOrEqual(5);
      expect(cdr.usedSeconds).toBeLessThanOrEqual(7);
      expect(cdr.disposition).toBe('normal');
      billedSeconds += cdr.billedSeconds;
    }
    const after = await balances(harness, 'busy');
    expect(after.postedMicros).toBe(money('2.00') - BigInt(billedSeconds) * 1_000n);
    expect(after.pendingMicros).toBe(0n);
    const statistics = await kamailio!.statistics();
    expect(statistics).toMatch(/ccr_timeouts = 0\b/);
    expect(statistics).toMatch(/failed_final_ccrs = 0\b/);
  }, 90_000);

  it('20 concurrent calls asking 10 s on money for ten 12 s calls: about ten are admitted, ' +
    'none overdraws (issue 16)', async () => {
    const before = await kamailio!.statistics();
    // 20 calls in one second, each 12 s long unless its money runs out first.
    const run = await calls({ scenario: 'uac-maybe.xml', user: 'crowd', callMs: 12_000,
      calls: 20, callsPerSecond: 20 });
    expect(run.caller.exitCode, run.caller.output + diagnostics()).toBe(0);
    const statistics = await statisticsOnce(/./);
    const admitted = counterOf(statistics, 'successful_initial_ccrs') -
      counterOf(before, 'successful_initial_ccrs');
    // Before requested units: 2 admitted (each held a 60 s slice), 0.94 of 1.20 unused.
    expect(admitted, diagnostics()).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(12);
    const cdrs = await cdrsOf('crowd', admitted);
    expect(cdrs).toHaveLength(admitted);
    const billedSeconds = cdrs.reduce((total, cdr) => total + cdr.billedSeconds, 0);
    expect(billedSeconds).toBeLessThanOrEqual(120);
    const after = await balances(harness, 'crowd');
    expect(after.postedMicros).toBe(money('1.20') - BigInt(billedSeconds) * 10_000n);
    expect(after.postedMicros).toBeGreaterThanOrEqual(0n);
    expect(after.pendingMicros).toBe(0n);
    // Nearly all the money was used: at most one 10 s grant's worth is left.
    expect(after.postedMicros).toBeLessThanOrEqual(money('0.10'));
    const verified = await harness.ledger.verifyLedger();
    expect(verified.ok && verified.value.findingCount).toBe(0);
  }, 90_000);

  it('a kill reaches a Kamailio Ro session: settled at once, and the call ends at its grant ' +
    '(ims_charging serves no ASR), charged exactly once', async () => {
    const placed = calls({ scenario: 'uac-maybe.xml', user: 'victim', callMs: 12_000,
      calls: 1, callsPerSecond: 1 });
    let live: string | undefined;
    const deadline = Date.now() + 10_000;
    while (live === undefined && Date.now() < deadline) {
      const listed = await harness.charging.listLiveSessions({ scopeAccountId: 'victim',
        limit: 1 });
      live = listed.ok ? listed.value[0]?.sessionId : undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(live, diagnostics()).toBeDefined();
    const killed = await harness.switches.teardown.killSession({ sessionId: live!,
      reason: 'operator_kill' });
    expect(killed.ok).toBe(true);
    // Kamailio 5.6's cdp leaves an ASR unanswered (measured): the kill is logged
    // teardown_timeout after 0.7 s; the money was settled before it.
    const teardown = killed.ok ? killed.value.teardown : null;
    expect(teardown).toMatchObject({ status: 'failed' });
    expect(['teardown_timeout', 'switch_refused']).toContain(
      teardown?.status === 'failed' ? teardown.code : null);
    const settled = await balances(harness, 'victim');
    expect(settled.pendingMicros).toBe(0n);
    const run = await placed;
    expect(run.caller.exitCode, run.caller.output + diagnostics()).toBe(0);
    const cdrs = await cdrsOf('victim');
    expect(cdrs.map((cdr) => cdr.disposition)).toEqual(['killed']);
    // Kamailio's CCR-U after the kill got 4012 and its CCR-T the kill's settlement.
    const after = await balances(harness, 'victim');
    expect(after).toEqual(settled);
    expect(after.postedMicros).toBe(money('1.00') - cdrs[0]!.costMicros);
  }, 60_000);
});
