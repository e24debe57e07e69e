import { spendKey, spendWindowKeys, type AccountId } from '../../src/index.ts';
import type { ModelSession } from './engine-sim-model.ts';
import { liveSessionsOf } from './memory-engine-read.ts';
import type { EngineTables } from './memory-engine-tables.ts';
import { call, fail, show, type World } from './engine-sim-world.ts';

function check(condition: boolean, message: () => string): void {
  if (!condition) fail(message());
}

function debitOf(tables: EngineTables, sessionId: string, accountId: string): bigint {
  return tables.debitsByReference.get(`s:${sessionId}`)?.get(`${accountId}/main`) ?? 0n;
}

/**
 * The invariants, after every step. Storage is compared with the model (what clients were
 * told) and with itself (journal against projection, sessions against the journal); the
 * ledger's own verification runs over committed state through the current node.
 */
export async function checkStep(world: World, touched: ReadonlySet<string>, full: boolean):
  Promise<void> {
  const tables = world.storage.tables;
  check(world.storage.violations.length === 0,
    () => `a batch broke a storage constraint: ${world.storage.violations.join('; ')}`);
  await checkVerify(world);
  checkCurrencies(tables);
  checkSpendWindows(tables);
  checkAccounts(world);
  // Storage changes only through appends, and the model only through answers: a session
  // neither touched is as it was when last checked. `full` checks every one regardless.
  const ids = full ? new Set([...world.model.sessions.keys(), ...tables.sessions.keys()])
    : new Set([...touched, ...tables.dirtySessions]);
  tables.dirtySessions.clear();
  for (const id of ids) {
    const session = world.model.sessions.get(id);
    check(session !== undefined, () => `storage holds session ${id}, no client heard of it`);
    checkSession(world, session!);
  }
  checkTopups(world, full);
}

async function checkVerify(world: World): Promise<void> {
  const report = await call(world, 'verifyLedger', (node) => node.ledger.verifyLedger());
  if (!report.ok) fail(`verifyLedger: ${report.code}`);
  check(report.value.ok && report.value.findingCount === 0,
    () => `the ledger does not verify: ${show(report.value.findings.slice(0, 3))}`);
  check(report.value.overdrawnCount === 0,
    () => `overdrawn: ${show(report.value.overdrawn.slice(0, 3))}`);
}

/** Each currency's journal sums to zero, world books included. */
function checkCurrencies(tables: EngineTables): void {
  const byCurrency = new Map<string, bigint>();
  for (const [bookId, total] of tables.journalTotals) {
    const currency = tables.books.get(bookId)?.currency ?? fail(`journal of unknown ${bookId}`);
    byCurrency.set(currency, (byCurrency.get(currency) ?? 0n) + total);
  }
  for (const [currency, sum] of byCurrency) {
    check(sum === 0n, () => `the ${currency} journal sums to ${sum}, not 0`);
  }
}

/** Every spend window holds exactly the charges its account paid in that day or month. */
function checkSpendWindows(tables: EngineTables): void {
  for (const [key, spent] of tables.spend) {
    check(spent === (tables.chargesByWindow.get(key) ?? 0n), () => `spend window ${key} ` +
      `holds ${spent}, the journal charged ${tables.chargesByWindow.get(key) ?? 0n}`);
  }
  for (const [key, charged] of tables.chargesByWindow) {
    check(tables.spend.has(key), () => `${charged} charged in ${key}, no spend window`);
  }
}

function liveCounts(tables: EngineTables): Map<string, number> {
  const counts = new Map<string, number>();
  for (const session of liveSessionsOf(tables)) {
    for (const id of new Set(session.levels.map((level) => level.accountId))) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

function checkAccounts(world: World): void {
  const tables = world.storage.tables;
  const live = liveCounts(tables);
  const nowMs = world.clock.nowMs();
  for (const account of world.model.accounts.values()) {
    const stored = tables.accounts.get(account.id) ?? fail(`account ${account.id} is gone`);
    const main = tables.books.get(`${account.id}/main`) ?? fail(`${account.id}: no main book`);
    const what = () => `${account.id} (${account.mode}): posted ${main.postedMicros}, ` +
      `pending ${main.pendingMicros}`;
    check(stored.state === account.state, () => `${account.id} is ${stored.state} in storage, ` +
      `${account.state} as its operator was told`);
    if (account.creditLimitMicros !== null) {
      check(main.postedMicros >= -account.creditLimitMicros,
        () => `${what()}: below its credit limit ${account.creditLimitMicros}`);
    }
    check(main.pendingMicros >= 0n, () => `${what()}: negative pending`);
    if (account.tier === 'customer') {
      const calls = world.model.callCostByCustomer.get(account.id) ?? 0n;
      check(main.postedMicros === account.topupMicros - calls, () => `${what()}: its clients ` +
        `were told top-ups ${account.topupMicros} and calls costing ${calls}`);
    }
    if (account.dailyLimitMicros !== null) {
      const { dayKey } = spendWindowKeys(account.timeZone, nowMs);
      const spent = tables.spend.get(spendKey({ accountId: account.id as AccountId,
        periodKey: dayKey })) ?? 0n;
      check(spent + main.pendingMicros <= account.dailyLimitMicros, () => `${what()}: spent ` +
        `${spent} today (${dayKey}) with a daily limit of ${account.dailyLimitMicros}`);
    }
    if (account.concurrentCallsMax !== null) {
      check((live.get(account.id) ?? 0) <= account.concurrentCallsMax, () => `${account.id}: ` +
        `${live.get(account.id)} live calls, limit ${account.concurrentCallsMax}`);
    }
  }
}

/** Storage holds exactly what the session's clients were told, and its money matches it. */
export function checkSession(world: World, session: ModelSession): void {
  const tables = world.storage.tables;
  const stored = tables.sessions.get(session.id);
  const where = () => `${session.id}: storage ${show(stored)}, clients were told ` +
    `${show({ ...session, lastAnswer: undefined, lastRequest: undefined })}`;
  check(stored !== undefined && stored.state === session.state &&
    stored.lastRequestNumber === session.lastNumber && stored.usedSeconds ===
    session.usedSeconds, where);
  const cdrs = tables.cdrsBySession.get(session.id) ?? 0;
  const cdr = tables.cdrs.get(`c:${session.id}`);
  const reservation = tables.reservations.get(`s:${session.id}`);
  if (session.state === 'refused') {
    check(cdrs === 0 && reservation === undefined && stored!.levels.length === 0, where);
    return;
  }
  const levels = stored!.levels;
  check(levels[0]?.accountId === session.customer && levels[0].committedMicros ===
    session.costMicros, () => `${where()}: the customer's cost differs`);
  for (const level of levels) {
    const debited = debitOf(tables, session.id, level.accountId);
    check(debited === level.committedMicros, () => `${session.id}: ${level.accountId} was ` +
      `debited ${debited} for the call, its level says ${level.committedMicros}`);
  }
  if (session.state === 'live') {
    check(cdrs === 0, () => `${session.id} is live and has a CDR`);
    check(stored!.hangupAtMs === session.hangupAtMs && stored!.grantedUntilSeconds ===
      session.grantedUntil && stored!.deadlineMs === session.hangupAtMs +
      world.settings.sessionGraceMs, where);
    checkHold(world, session.id);
    return;
  }
  check(cdrs === 1 && cdr !== undefined && cdr.sessionId === session.id,
    () => `${session.id} is closed with ${cdrs} CDRs`);
  check(cdr!.costMicros === session.costMicros, () => `${session.id}: the CDR costs ` +
    `${cdr!.costMicros}, the client was told ${session.costMicros}`);
  const disposition = { terminate: ['normal', 'out_of_credit'], kill: ['killed'],
    sweep: ['timeout'] }[session.closedBy!];
  check(disposition.includes(cdr!.disposition), () => `${session.id}: closed by ` +
    `${session.closedBy}, CDR says ${cdr!.disposition}`);
  cdr!.levels.forEach((level, index) => {
    const debited = debitOf(tables, session.id, level.accountId);
    check(debited === level.costMicros && levels[index]?.reservedMicros === 0n, () =>
      `${session.id}: ${level.accountId} was debited ${debited}, its CDR level says ` +
      `${level.costMicros}`);
  });
  check(reservation === undefined || reservation.state !== 'open',
    () => `${session.id} is closed and still holds money`);
}

/** A live call's hold is open and holds, per level, what the session says it holds. */
function checkHold(world: World, sessionId: string): void {
  const tables = world.storage.tables;
  const stored = tables.sessions.get(sessionId)!;
  const reservation = tables.reservations.get(`s:${sessionId}`);
  const holdExpired = reservation?.state === 'expired';
  if (holdExpired) return;
  check(reservation?.state === 'open', () => `${sessionId} is live without an open hold: ` +
    `${show(reservation)}`);
  stored.levels.forEach((level, index) => {
    const leg = reservation!.legs[index];
    check(leg?.accountId === level.accountId && leg.pendingMicros === level.reservedMicros,
      () => `${sessionId}: level ${level.accountId} holds ${level.reservedMicros}, ` +
        `the reservation ${show(leg)}`);
  });
}

/**
 * Every top-up an operator was told of is stored: its transfers and its outcome (a retry of it
 * must replay, on any node, however long after). Storage never deletes, so each is checked
 * once, unless `full`.
 */
function checkTopups(world: World, full: boolean): void {
  const tables = world.storage.tables;
  const topups = world.model.topups;
  for (let index = full ? 0 : world.model.topupsChecked; index < topups.length; index += 1) {
    const { input, transfers } = topups[index]!;
    check(tables.outcomes.has(input.idempotencyKey) && transfers.every((transfer) =>
      tables.transfersById.get(transfer.id)?.amountMicros === transfer.amountMicros),
    () => `top-up ${input.reference} was answered, storage does not hold all of it`);
  }
  world.model.topupsChecked = topups.length;
}

/** After every call ended and the sweeper ran: nothing is held anywhere. */
export function checkNothingHeld(world: World): void {
  const tables = world.storage.tables;
  check(tables.liveSessions.size === 0 && world.model.live.size === 0,
    () => `live calls remain: ${[...tables.liveSessions].join(' ')}`);
  check(tables.openReservations.size === 0,
    () => `holds remain open: ${[...tables.openReservations].join(' ')}`);
  for (const book of tables.books.values()) {
    check(book.pendingMicros === 0n, () => `${book.id} still holds ${book.pendingMicros}`);
  }
}
