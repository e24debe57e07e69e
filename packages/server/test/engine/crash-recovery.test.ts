import { afterEach, describe, expect, it } from 'vitest';
import {
  ackedCount,
  driveCall,
  killSwitch,
  startLoad,
  waitForAcks,
  type CallLog,
  type Transport,
} from './call-driver.ts';
import { cdrsBySession, moneyFindings } from './engine-checks.ts';
import { apiClient, type ApiClient, type Sent } from './engine-client.ts';
import {
  provisionTree,
  readCdrs,
  readFunds,
  waitUntilNoLiveSessions,
  type Funds,
} from './engine-world.ts';
import { ackFindings, unansweredFindings, unexpectedAnswerFindings } from './crash-checks.ts';
import { ledgerFindings } from './ledger-check.ts';
import {
  adminKey,
  errorFindings,
  postgresStore,
  sqliteStore,
  startNode,
  stopAllNodes,
  type TestStore,
} from './node-process.ts';

// Issue 15, "Must show": `kill -9` under load. Eight switches place calls; a node dies in the
// middle of whatever it was doing. Afterwards (restart on the same SQLite file, or the
// surviving PostgreSQL node taking over) and once the silent calls' grace has passed: every
// acknowledged request is reflected, no call is charged twice, no level is below its limit,
// no money is held, and verifyLedger is clean. Short grants and grace keep the test fast.

const callers = 8;
const callsPerCallerMax = 400;
const ackedBeforeKill = 200;
const loadBeforeKillMsMax = 15_000;
const sweepWaitMsMax = 25_000;
/** Once armed, the kill waits for the next request to the node at most this long. */
const armedKillMsMax = 5_000;
/** Every 5th call's switch goes silent after its first update: those calls must time out. */
const silentEvery = 5;

const stores: TestStore[] = [];
afterEach(async () => {
  await stopAllNodes();
  for (const store of stores.splice(0)) await store.remove();
});

describe('crash recovery (issue 15)', () => {
  it('SQLite, one node: kill -9 under load, restart on the same file', async () => {
    const store = sqliteStore('crash');
    stores.push(store);
    // Grants of 4 s, 3 s of grace: a silent call is swept 7 s after its last grant at most,
    // and never in the first 3 s after the restart, while the switches retransmit.
    const env = { TOLLGATE_SLICE_SECONDS: '4', TOLLGATE_SESSION_GRACE_MS: '3000',
      TOLLGATE_SWEEP_INTERVAL_MS: '200' };
    const first = await startNode({ name: 'A', store, env });
    const { switchKey } = await provisionTree(apiClient(first.baseUrl, adminKey));
    const before = await readFunds(apiClient(first.baseUrl, adminKey));
    let target = apiClient(first.baseUrl, switchKey);
    const killer = killSwitch(() => first.kill('SIGKILL'), armedKillMsMax);
    const transport: Transport = (step) => {
      killer.onSent();
      return target.send('POST', step.path, step.body);
    };
    const calls: CallLog[] = [];
    const load = startLoad({ callers, callsPerCallerMax, usedPerStepSeconds: 3, silentEvery,
      transport, keepCalling: () => true, label: 'sq' }, calls);
    await waitForAcks(calls, ackedBeforeKill, loadBeforeKillMsMax);
    killer.arm();
    const killedAt = await killer.killed;
    await load;
    const acked = ackedCount(calls);
    const second = await startNode({ name: 'A-restarted', store, env });
    const downMs = Date.now() - killedAt;
    target = apiClient(second.baseUrl, switchKey);
    // Half the switches whose request was lost retransmit it to the restarted node and finish
    // their call; the other half went silent: their calls must time out.
    const lost = calls.filter((call) => call.lost !== null);
    const resumed = lost.filter((_, index) => index % 2 === 0);
    await Promise.all(resumed.map((call) => driveCall(call, transport,
      { fromRequest: call.lost?.requestNumber ?? 0 })));
    const outcome = await settle(apiClient(second.baseUrl, adminKey), before, calls);
    await second.stop();
    const findings = [...outcome.findings, ...await ledgerFindings(store),
      ...unansweredFindings(resumed, 'from the restarted node'),
      ...[first, second].flatMap(errorFindings)];
    console.log(`crash, SQLite: ${acked} requests acknowledged before the kill ` +
      `(${killer.delayMs} ms after a request left), ` +
      `${lost.length} lost at the kill, restarted and healthy ${downMs} ms after it, ` +
      `${resumed.length} retransmitted after the restart; ${outcome.summary}`);
    expect(findings).toEqual([]);
  });

  it('PostgreSQL, two nodes: kill -9 one under load, the survivor serves every call',
    async () => {
      const store = await postgresStore('crash');
      stores.push(store);
      // Grants of 8 s and 3 s of grace: no call the switches still drive can time out while
      // they wait for the survivor (takeoverMsMax), yet silent calls end within the test.
      const env = { TOLLGATE_SLICE_SECONDS: '8', TOLLGATE_SESSION_GRACE_MS: '3000',
        TOLLGATE_SWEEP_INTERVAL_MS: '200' };
      const victim = await startNode({ name: 'A', store, env });
      const survivor = await startNode({ name: 'B', store, env });
      const operator = apiClient(victim.baseUrl, adminKey);
      const { switchKey } = await provisionTree(operator);
      const before = await readFunds(operator);
      const failover = twoNodeTransport(apiClient(victim.baseUrl, switchKey),
        apiClient(survivor.baseUrl, switchKey), () => victim.kill('SIGKILL'));
      const calls: CallLog[] = [];
      let stopAt = Number.POSITIVE_INFINITY;
      const load = startLoad({ callers, callsPerCallerMax, usedPerStepSeconds: 6, silentEvery,
        transport: failover.transport, keepCalling: () => Date.now() < stopAt, label: 'pg' },
      calls);
      await waitForAcks(calls, ackedBeforeKill, loadBeforeKillMsMax);
      failover.killer.arm();
      const killedAt = await failover.killer.killed;
      stopAt = killedAt + postKillLoadMs;
      await load;
      const outcome = await settle(apiClient(survivor.baseUrl, adminKey), before, calls);
      await survivor.stop();
      const findings = [...outcome.findings, ...await ledgerFindings(store),
        ...unansweredFindings(calls, `from the survivor within ${takeoverMsMax} ms of the kill`),
        ...[victim, survivor].flatMap(errorFindings)];
      console.log(`crash, PostgreSQL: ${ackedBefore(calls, killedAt)} requests acknowledged ` +
        `before the kill (${failover.killer.delayMs} ms after a request to it left), ` +
        `${ackedCount(calls)} in all; ${failover.unanswered()} requests lost at the kill, ` +
        `${failover.retried()} retransmissions to the survivor, the longest wait ` +
        `${failover.longestWaitMs()} ms; ${outcome.summary}`);
      expect(findings).toEqual([]);
    });
});

/** How long the switches keep placing calls on the survivor after the kill. */
const postKillLoadMs = 3_000;
/** How long a switch retransmits to the survivor (the engine's lease is at most 5 s). */
const takeoverMsMax = 10_000;
const retransmitEveryMs = 100;

/**
 * Before the kill, a call's requests alternate between the nodes (any node accepts any
 * request). After it, everything goes to the survivor, and a request that got no answer, or a
 * 502/503/504 while ownership moves, is retransmitted there (same request_number) until
 * `takeoverMsMax` after the kill.
 */
function twoNodeTransport(
  victim: ApiClient,
  survivor: ApiClient,
  killVictim: () => Promise<unknown>,
) {
  let killedAt: number | null = null;
  // killedAt is set just before the SIGKILL, so a request the victim drops is retransmitted.
  const killer = killSwitch(async () => {
    killedAt = Date.now();
    await killVictim();
  }, armedKillMsMax);
  let retried = 0;
  let unanswered = 0;
  let longestWaitMs = 0;
  const transport: Transport = async (step, call) => {
    const index = Number(call.sessionId.split('-').at(-1));
    let target = killedAt === null && (index + step.requestNumber) % 2 === 0 ? victim : survivor;
    if (target === victim) killer.onSent();
    let sent = await target.send('POST', step.path, step.body);
    if (!sent.answered) unanswered += 1;
    const startedAt = Date.now();
    while (needsRetransmission(sent) && killedAt !== null &&
      Date.now() < killedAt + takeoverMsMax) {
      retried += 1;
      target = survivor;
      await new Promise((resolve) => setTimeout(resolve, retransmitEveryMs));
      sent = await target.send('POST', step.path, step.body);
    }
    longestWaitMs = Math.max(longestWaitMs, Date.now() - startedAt);
    return sent;
  };
  return {
    transport,
    killer,
    retried: () => retried,
    /** Requests that got no answer the first time (the victim's, at the kill). */
    unanswered: () => unanswered,
    longestWaitMs: () => longestWaitMs,
  };
}

function needsRetransmission(sent: Sent): boolean {
  return !sent.answered || [502, 503, 504].includes(sent.reply.status);
}

/**
 * Waits for the sweeper to close the silent calls, then reads what the API says and checks
 * it against what the switches were told.
 */
async function settle(
  operator: ApiClient,
  before: ReadonlyMap<string, Funds>,
  calls: readonly CallLog[],
): Promise<{ findings: string[]; summary: string }> {
  const live = await waitUntilNoLiveSessions(operator, sweepWaitMsMax);
  const after = await readFunds(operator);
  const cdrs = await readCdrs(operator);
  const { bySession, findings } = cdrsBySession(cdrs);
  const timedOut = cdrs.filter((cdr) => cdr.disposition === 'timeout').length;
  return {
    findings: [...findings, ...unexpectedAnswerFindings(calls), ...ackFindings(calls, bySession),
      ...moneyFindings(before, after, cdrs),
      ...(live.length === 0 ? [] : [`calls still live: ${live.join(', ')}`])],
    summary: `${calls.length} calls placed, ${cdrs.length} CDRs (${timedOut} timed out)`,
  };
}

/** The requests acknowledged by an instant (the kill's). */
function ackedBefore(calls: readonly CallLog[], atMs: number): number {
  return calls.reduce((sum, call) => sum + call.acked.filter((ack) => ack.atMs <= atMs).length,
    0);
}

