import type { Cdr } from '../charging/charging-types.ts';
import type { ChargingTransaction } from '../charging/charging-ports.ts';
import { sessionOfReference } from '../billing/period-charges.ts';
import { assert } from '../kernel/assert.ts';
import type { Micros } from '../kernel/money.ts';
import type { Account, AccountId } from '../ledger/account.ts';
import { mainBookId } from '../ledger/book.ts';
import type { Transfer, TransferId } from '../ledger/transfer.ts';
import type { AssuranceDeps } from './assurance-deps.ts';
import { assuranceLimits } from './assurance-limits.ts';
import { assuranceProblem, type AssuranceResult } from './assurance-problem.ts';
import { checkPeriod, forEachPeriodCdrPage } from './period-cdrs.ts';
import { compareCallCharges, orphanChargeFindings } from './reconcile-calls.ts';
import { compareHolds } from './reconcile-holds.ts';
import type { ReconcileFinding, ReconcileReport } from './reconcile-types.ts';
import { subtreeOf } from './subtree.ts';

export interface ReconcileQuery {
  readonly scopeAccountId: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** What one read-only snapshot gives: everything but the CDR lookups and the verification. */
interface Snapshot {
  readonly accounts: readonly Account[];
  readonly cdrs: readonly Cdr[];
  readonly chargesBySession: Map<string, Transfer[]>;
  readonly transfersChecked: number;
  /** Sessions charged in the period with no CDR in it and not live. */
  readonly unmatched: Map<string, Transfer[]>;
  readonly holdFindings: ReconcileFinding[];
  readonly liveSessionsChecked: number;
}

/**
 * Reconciles a period of a subtree: rated CDRs vs ledger charges per account and level, the
 * carriers' accruals vs the carrier side of the CDRs, held money vs live sessions, and the
 * ledger's own verification (projection vs journal, every currency sums to zero). Zero
 * findings on a healthy system; each finding names the accounts, sessions and transfers.
 */
export async function reconcilePeriod(deps: AssuranceDeps, query: ReconcileQuery):
  Promise<AssuranceResult<ReconcileReport>> {
  const period = checkPeriod(query);
  if (!period.ok) return period;
  const read = await deps.store.transaction((tx) => readSnapshot(tx, query),
    { readOnly: true });
  if (!read.ok) return read;
  const snapshot = read.value;
  const scope = new Set(snapshot.accounts.map((account) => account.id as string));
  const calls = compareCallCharges({ scopeAccountIds: scope, cdrs: snapshot.cdrs,
    chargesBySession: snapshot.chargesBySession });
  const elsewhere = new Set((await deps.findCdrsBySessions([...snapshot.unmatched.keys()]))
    .map((cdr) => cdr.sessionId));
  const orphans = new Map([...snapshot.unmatched].filter(([sessionId]) =>
    !elsewhere.has(sessionId)));
  const verified = await deps.ledger.verifyLedger();
  assert(verified.ok, 'the ledger verification reads and never refuses');
  const ledgerFindings: ReconcileFinding[] = verified.value.findings
    .filter((finding) => finding.accountId === null || scope.has(finding.accountId))
    .map((finding) => ({ kind: finding.kind as ReconcileFinding['kind'],
      accountId: finding.accountId, sessionId: null, carrierId: null,
      currency: finding.currency, expectedMicros: finding.expectedMicros,
      actualMicros: finding.actualMicros, transferIds: [] }));
  const findings = [...calls.findings, ...orphanChargeFindings(orphans),
    ...snapshot.holdFindings, ...ledgerFindings];
  return { ok: true, value: { scopeAccountId: query.scopeAccountId, fromMs: query.fromMs,
    toMs: query.toMs, accountsChecked: snapshot.accounts.length,
    cdrsChecked: snapshot.cdrs.length, transfersChecked: snapshot.transfersChecked,
    liveSessionsChecked: snapshot.liveSessionsChecked, levels: calls.levels,
    carriers: calls.carriers,
    journalNetByCurrency: verified.value.transfersNetByCurrency as ReadonlyMap<string, Micros>,
    findingCount: findings.length,
    findings: findings.slice(0, assuranceLimits.findingsListedMax),
    ok: findings.length === 0 } };
}

async function readSnapshot(tx: ChargingTransaction, query: ReconcileQuery):
  Promise<AssuranceResult<Snapshot>> {
  const accounts = await subtreeOf(tx, query.scopeAccountId);
  if (!accounts.ok) return accounts;
  const cdrs = await readPeriodCdrs(tx, query);
  if (!cdrs.ok) return cdrs;
  const cdrSessions = new Set(cdrs.value.map((cdr) => cdr.sessionId));
  const chargesBySession = new Map<string, Transfer[]>();
  const unmatched = new Map<string, Transfer[]>();
  let transfersChecked = 0;
  for (const account of accounts.value) {
    const bookId = mainBookId(account.id);
    const read = await forEachBookTransfer(tx, bookId, (transfer) => {
      if (transfer.kind !== 'charge' || transfer.debitBookId !== bookId) return;
      const sessionId = sessionOfReference(transfer.reference);
      const inPeriod = transfer.createdAtMs >= query.fromMs && transfer.createdAtMs < query.toMs;
      const target = cdrSessions.has(sessionId) ? chargesBySession : inPeriod ? unmatched : null;
      if (target === null) return;
      transfersChecked += 1;
      const list = target.get(sessionId);
      if (list === undefined) target.set(sessionId, [transfer]);
      else list.push(transfer);
    });
    if (!read.ok) return read;
  }
  for (const sessionId of [...unmatched.keys()]) {
    if ((await tx.findSession(sessionId))?.state === 'live') unmatched.delete(sessionId);
  }
  const holds = await readHolds(tx, query.scopeAccountId, accounts.value);
  if (!holds.ok) return holds;
  return { ok: true, value: { accounts: accounts.value, cdrs: cdrs.value, chargesBySession,
    transfersChecked, unmatched, holdFindings: holds.value.findings,
    liveSessionsChecked: holds.value.checked } };
}

async function readPeriodCdrs(tx: ChargingTransaction, query: ReconcileQuery):
  Promise<AssuranceResult<Cdr[]>> {
  const cdrs: Cdr[] = [];
  const read = await forEachPeriodCdrPage(tx, query, (page) => cdrs.push(...page));
  return read.ok ? { ok: true, value: cdrs } : read;
}

/** Every transfer of a book, oldest first, page by page (bounded: a problem past it). */
async function forEachBookTransfer(tx: ChargingTransaction, bookId: ReturnType<typeof mainBookId>,
  visit: (transfer: Transfer) => void): Promise<AssuranceResult<null>> {
  let afterId: TransferId | null = null;
  for (let page = 0; page < assuranceLimits.pagesPerBookMax; page += 1) {
    const rows = await tx.listTransfers({ bookId, afterId, limit: assuranceLimits.pageSizeMax });
    rows.forEach(visit);
    if (rows.length < assuranceLimits.pageSizeMax) return { ok: true, value: null };
    afterId = rows.at(-1)!.id;
  }
  return assuranceProblem('too_many_transfers', `book ${bookId} holds more than ` +
    `${assuranceLimits.pagesPerBookMax * assuranceLimits.pageSizeMax} transfers`);
}

async function readHolds(tx: ChargingTransaction, scopeAccountId: string,
  accounts: readonly Account[]):
  Promise<AssuranceResult<{ findings: ReconcileFinding[]; checked: number }>> {
  const live = [];
  let afterSessionId: string | undefined;
  for (;;) {
    const page = await tx.listLiveSessions({ scopeAccountId, limit: assuranceLimits.pageSizeMax,
      ...(afterSessionId === undefined ? {} : { afterSessionId }) });
    for (const session of page) {
      live.push({ sessionId: session.sessionId, accountId: session.accountId,
        reservation: await tx.findReservation(`s:${session.sessionId}`) });
    }
    if (live.length > assuranceLimits.liveSessionsMax) {
      return assuranceProblem('too_many_live_sessions',
        `more than ${assuranceLimits.liveSessionsMax} live sessions under ${scopeAccountId}`);
    }
    if (page.length < assuranceLimits.pageSizeMax) break;
    afterSessionId = page.at(-1)!.sessionId;
  }
  const books = accounts.map((account) => mainBookId(account.id as AccountId));
  const reservedByBook = [];
  for (let start = 0; start < books.length; start += assuranceLimits.pageSizeMax) {
    reservedByBook.push(...await tx.reservationTotals(
      books.slice(start, start + assuranceLimits.pageSizeMax)));
  }
  return { ok: true, value: { findings: compareHolds({ live, reservedByBook }),
    checked: live.length } };
}

