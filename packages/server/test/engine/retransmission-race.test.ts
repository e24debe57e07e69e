import { isDeepStrictEqual } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, micros, money, type ApiClient, type Sent } from './engine-client.ts';
import { cdrsBySession, moneyFindings, paidPerAccount } from './engine-checks.ts';
import {
  callee,
  provisionTree,
  readCdrs,
  readFunds,
  readLiveSessionIds,
  type CdrView,
} from './engine-world.ts';
import { ledgerFindings } from './ledger-check.ts';
import {
  adminKey,
  errorFindings,
  postgresStore,
  sqliteStore,
  startNode,
  stopAllNodes,
  type TestStore,
  type TollgateNode,
} from './node-process.ts';

// Issue 15, "Must show": a switch that retransmits before the answer arrives. Each call is
// authorized once; then every update and the terminate are sent twice at the same instant
// (same session, same request_number), to two nodes on one PostgreSQL schema, or twice to one
// node. Whatever the interleaving, each call is charged exactly once, both copies get the one
// stored answer (200, the same body; never 409), one CDR per session, nothing stays held and
// the ledger verifies. Calls run one after another so each call's debit can be read alone.

const callCount = 50;
const updatesPerCall = 3;
const usedPerUpdateSeconds = 20;
const usedAfterLastUpdateSeconds = 7;
const examplesShown = 5;

interface Variant {
  readonly name: string;
  readonly store: 'sqlite' | 'postgres';
  readonly nodeCount: 1 | 2;
}

const variants: readonly Variant[] = [
  { name: 'PostgreSQL, two nodes on one schema', store: 'postgres', nodeCount: 2 },
  { name: 'PostgreSQL, one node', store: 'postgres', nodeCount: 1 },
  { name: 'SQLite, one node', store: 'sqlite', nodeCount: 1 },
];

/** One request sent twice at once, with both answers. */
interface TwinRequest {
  readonly requestNumber: number;
  readonly first: Sent;
  readonly second: Sent;
}

interface RaceCall {
  readonly sessionId: string;
  readonly customerId: string;
  readonly twins: readonly TwinRequest[];
  /** What the customer's balance fell by during this call. */
  readonly debited: bigint;
}

const stores: TestStore[] = [];
afterEach(async () => {
  await stopAllNodes();
  for (const store of stores.splice(0)) await store.remove();
});

describe('retransmission race (issue 15)', () => {
  it.each(variants)('$name: every duplicate gets the stored answer, each call is charged once',
    async (variant) => {
      const store = variant.store === 'postgres' ? await postgresStore('race')
        : sqliteStore('race');
      stores.push(store);
      const nodes: TollgateNode[] = [];
      // One at a time: the first node migrates the schema, the second finds it up to date.
      for (const name of ['A', 'B'].slice(0, variant.nodeCount)) {
        nodes.push(await startNode({ name, store }));
      }
      const operator = apiClient(nodes[0]!.baseUrl, adminKey);
      const { switchKey } = await provisionTree(operator);
      const switches = nodes.map((node) => apiClient(node.baseUrl, switchKey));
      const first = switches[0]!;
      const second = switches[1] ?? first;
      const before = await readFunds(operator);
      const calls: RaceCall[] = [];
      for (let index = 0; index < callCount; index += 1) {
        calls.push(await raceCall(operator, first, second, index));
      }
      const after = await readFunds(operator);
      const cdrs = await readCdrs(operator);
      const live = await readLiveSessionIds(operator);
      for (const node of nodes) await node.stop();
      const findings = [...callFindings(calls, cdrs), ...moneyFindings(before, after, cdrs),
        ...(live.length === 0 ? [] : [`${live.length} sessions still live`]),
        ...await ledgerFindings(store), ...nodes.flatMap(errorFindings)];
      console.log(`race, ${variant.name}: ${summary(calls, cdrs, before, after)}`);
      expect(findings).toEqual([]);
    });
});

/** Authorize once, then each update and the terminate twice at once. */
async function raceCall(
  operator: ApiClient,
  first: ApiClient,
  second: ApiClient,
  index: number,
): Promise<RaceCall> {
  const sessionId = `race-${index}`;
  const customerId = index % 2 === 0 ? 'c1' : 'c2';
  const balanceBefore = await balanceOf(operator, customerId);
  await first.ok('POST', '/v1/sessions', { session_id: sessionId, account_id: customerId,
    caller: '15550001', callee, request_number: 0 });
  const twins: TwinRequest[] = [];
  const twice = async (path: string, body: { request_number: number; used_seconds: number }) => {
    const [a, b] = await Promise.all([first.send('POST', path, body),
      second.send('POST', path, body)]);
    twins.push({ requestNumber: body.request_number, first: a, second: b });
  };
  let used = 0;
  for (let request = 1; request <= updatesPerCall; request += 1) {
    used += usedPerUpdateSeconds;
    await twice(`/v1/sessions/${sessionId}/update`, { request_number: request,
      used_seconds: used });
  }
  await twice(`/v1/sessions/${sessionId}/terminate`, { request_number: updatesPerCall + 1,
    used_seconds: used + usedAfterLastUpdateSeconds });
  const debited = balanceBefore - await balanceOf(operator, customerId);
  return { sessionId, customerId, twins, debited };
}

async function balanceOf(operator: ApiClient, accountId: string): Promise<bigint> {
  return micros((await operator.ok('GET', `/v1/accounts/${accountId}`))['balance']);
}

/** Per call: twins answered 200 with one body, one CDR, debited exactly its CDR's cost. */
function callFindings(calls: readonly RaceCall[], cdrs: readonly CdrView[]): string[] {
  const { bySession, findings } = cdrsBySession(cdrs);
  const notOk = calls.flatMap((call) => call.twins.flatMap((twin) =>
    [twin.first, twin.second].flatMap((sent) => statusOf(sent) === 200 ? []
      : [`${call.sessionId} #${twin.requestNumber}: ${describeSent(sent)}`])));
  const differing = calls.flatMap((call) => call.twins.flatMap((twin) =>
    bothAnswered(twin) && !isDeepStrictEqual(bodyOf(twin.first), bodyOf(twin.second))
      ? [`${call.sessionId} #${twin.requestNumber}`] : []));
  const withoutCdr = calls.filter((call) => !bySession.has(call.sessionId));
  const overCharged = calls.filter((call) => call.debited !== costOf(bySession, call.sessionId));
  if (notOk.length > 0) findings.push(listed(`${notOk.length} duplicate answers not 200`, notOk));
  if (differing.length > 0) {
    findings.push(listed(`${differing.length} duplicate pairs answered differently`, differing));
  }
  if (withoutCdr.length > 0) findings.push(`${withoutCdr.length} calls without a CDR`);
  if (overCharged.length > 0) {
    findings.push(listed(`${overCharged.length} of ${calls.length} calls debited other than ` +
      'their CDR', overCharged.map((call) => `${call.sessionId} debited ` +
        `${money(call.debited)}, CDR ${money(costOf(bySession, call.sessionId))}`)));
  }
  return findings;
}


function costOf(bySession: ReadonlyMap<string, CdrView[]>, sessionId: string): bigint {
  return (bySession.get(sessionId) ?? []).reduce((sum, cdr) => sum + cdr.cost, 0n);
}

function statusOf(sent: Sent): number | null {
  return sent.answered ? sent.reply.status : null;
}

function bodyOf(sent: Sent): unknown {
  return sent.answered ? sent.reply.body : null;
}

function bothAnswered(twin: TwinRequest): boolean {
  return statusOf(twin.first) === 200 && statusOf(twin.second) === 200;
}

function describeSent(sent: Sent): string {
  if (!sent.answered) return `no answer (${sent.reason})`;
  return `${sent.reply.status} ${String(sent.reply.body['code'] ?? '')}`;
}

function listed(headline: string, items: readonly string[]): string {
  const shown = items.slice(0, examplesShown).join('; ');
  return `${headline}: ${shown}${items.length > examplesShown ? '; ...' : ''}`;
}

/** The numbers of the run, printed whatever the outcome (the issue asks for them). */
function summary(
  calls: readonly RaceCall[],
  cdrs: readonly CdrView[],
  before: ReadonlyMap<string, { balance: bigint }>,
  after: ReadonlyMap<string, { balance: bigint }>,
): string {
  const { bySession } = cdrsBySession(cdrs);
  const twins = calls.flatMap((call) => call.twins);
  const conflicts = twins.flatMap((twin) => [twin.first, twin.second])
    .filter((sent) => statusOf(sent) === 409).length;
  const differing = twins.filter((twin) => bothAnswered(twin) &&
    !isDeepStrictEqual(bodyOf(twin.first), bodyOf(twin.second))).length;
  const overCharged = calls.filter((call) => call.debited !== costOf(bySession, call.sessionId));
  const debited = calls.reduce((sum, call) => sum + call.debited, 0n);
  const billed = cdrs.reduce((sum, cdr) => sum + cdr.cost, 0n);
  const paid = paidPerAccount(cdrs);
  const levels = ['rs', 'ad'].map((id) => `${id} debited ` +
    `${money((before.get(id)?.balance ?? 0n) - (after.get(id)?.balance ?? 0n))} vs CDRs ` +
    money(paid.get(id) ?? 0n)).join(', ');
  return `${overCharged.length} of ${calls.length} calls charged other than their CDR; ` +
    `customers debited ${money(debited)} vs CDRs ${money(billed)} (${levels}); ` +
    `${differing} of ${twins.length} duplicate pairs answered differently, ${conflicts} ` +
    `answers 409; ${cdrs.length} CDRs`;
}
