import fc from 'fast-check';
import {
  micros,
  reservationStates,
  type AccountId,
  type CurrencyCode,
  type EngineRecord,
  type SessionState,
} from '../src/index.ts';
import {
  accountRow,
  bookRow,
  bundleRow,
  cdrRow,
  legRow,
  reservationRow,
  sessionRow,
  transferRow,
} from './compact-batch-fixtures.ts';
import { replayRecord, type ModelTables } from './compact-batch-model.ts';

/** One random step: which record to make, and the numbers it picks its rows and amounts by. */
export interface Step {
  readonly kind: number;
  readonly pick: number;
  readonly other: number;
  readonly amount: bigint;
  readonly flag: boolean;
}

const recordKindsCount = 15;
const amountMax = 10n ** 12n;

// Edge-biased: 0, ±1 and the large amounts, as well as anything in between.
const amount = fc.oneof(fc.constantFrom(0n, 1n, -1n, amountMax, -amountMax),
  fc.bigInt({ min: -amountMax, max: amountMax }));

export const step: fc.Arbitrary<Step> = fc.record({ kind: fc.nat(recordKindsCount - 1),
  pick: fc.nat(), other: fc.nat(), amount, flag: fc.boolean() });

const periodKeys = ['D1', 'M1', 'D2'] as const;
const sessionStatesPicked: readonly SessionState[] = ['live', 'live', 'closed', 'refused'];
const ratePairs = [['USD', 'EUR', 0], ['USD', 'EUR', 1_000], ['EUR', 'USD', 0]] as const;

function pickOf<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pick from a non-empty list');
  return item;
}

const absolute = (value: bigint) => (value < 0n ? -value : value);

/** The delta itself, or the most it may take away without going below 0. */
const clampedAbove = (current: bigint, delta: bigint) => (current + delta < 0n ? -current : delta);

/**
 * Turns steps into records a decision could have made: new rows get fresh ids, updates pick
 * existing rows, and subtractions never take a balance, spend or bundle below 0. Each record
 * is replayed on `shadow` as it is made, so the next step sees what the batch did so far.
 */
export function recordsOf(steps: readonly Step[], shadow: ModelTables): EngineRecord[] {
  const records: EngineRecord[] = [];
  let nextTransferId = [...shadow.transfers.keys()].reduce((a, b) => (a > b ? a : b), 0n) + 1n;
  for (const [index, item] of steps.entries()) {
    const record = item.kind < 8 ? ledgerRecord(item, index, shadow, () => nextTransferId++)
      : chargingRecord(item, index, shadow);
    if (record === null) continue;
    replayRecord(shadow, record);
    records.push(record);
  }
  return records;
}

function ledgerRecord(item: Step, n: number, t: ModelTables, nextId: () => bigint):
  EngineRecord | null {
  const accountIds = [...t.accounts.keys()];
  const bookIds = [...t.books.keys()];
  const account = pickOf(accountIds, item.pick);
  switch (item.kind) {
    case 0: return { kind: 'account_inserted', account: accountRow(`a${n}`, account, n) };
    case 1: return { kind: 'account_updated', account: { ...accountRow(account,
      t.accounts.get(account)!.parentId, n), state: item.flag ? 'suspended' : 'active' } };
    case 2: return { kind: 'books_ensured', books: [bookRow(`${account}/main`, account),
      bookRow(`${account}/revenue/${item.flag ? 'USD' : 'EUR'}`, account)] };
    case 3: {
      const book = t.books.get(pickOf(bookIds, item.pick))!;
      const pending = clampedAbove(book.pendingMicros, item.flag ? item.amount : -item.amount);
      return { kind: 'book_deltas', deltas: [{ bookId: book.id,
        postedDeltaMicros: micros(item.amount), pendingDeltaMicros: micros(pending) }] };
    }
    case 4: {
      const debit = pickOf(bookIds, item.pick);
      const credit = pickOf(bookIds.filter((id) => id !== debit), item.other);
      const reverses = item.flag && t.transfers.size > 0
        ? pickOf([...t.transfers.keys()], item.other) : null;
      return { kind: 'transfers_inserted', transfers: [transferRow(nextId(), debit, credit,
        absolute(item.amount) + 1n, reverses), transferRow(nextId(), credit, debit, 1n)] };
    }
    case 5: return reservationRecord(item, n, t);
    case 6: {
      const window = { accountId: account as AccountId, periodKey: pickOf(periodKeys, item.other) };
      const spent = t.spend.get(`${account} ${window.periodKey}`)?.spentMicros ?? 0n;
      return { kind: 'spend_added', windows: [{ ...window,
        spentMicros: micros(clampedAbove(spent, item.amount)) }] };
    }
    default: {
      const [fromCurrency, toCurrency, validFromMs] = pickOf(ratePairs, item.pick);
      return { kind: 'exchange_rate_saved', rate: { fromCurrency: fromCurrency as CurrencyCode,
        toCurrency: toCurrency as CurrencyCode, validFromMs, rate: `1.${n}` } };
    }
  }
}

/** A new reservation, or an update of a known one (same legs, new amounts and state). */
function reservationRecord(item: Step, n: number, t: ModelTables): EngineRecord {
  const accountIds = [...t.accounts.keys()].filter((id) => t.books.has(`${id}/main`));
  const legs = [legRow(pickOf(accountIds, item.pick), absolute(item.amount)),
    legRow(pickOf(accountIds, item.other), absolute(item.amount) / 2n)].slice(0, item.flag
    ? 1 : 2);
  if (item.flag || t.reservations.size === 0) {
    return { kind: 'reservation_inserted', reservation: reservationRow(`res${n}`, legs,
      'open', n) };
  }
  const before = t.reservations.get(pickOf([...t.reservations.keys()], item.pick))!;
  const state = pickOf(reservationStates, item.other);
  return { kind: 'reservation_updated', reservation: { ...reservationRow(before.id,
    before.legs, state, n), legs: before.legs.map((leg, index) => ({ ...leg,
    pendingMicros: micros(state === 'open' ? absolute(item.amount) >> BigInt(index) : 0n),
    committedMicros: micros(leg.committedMicros + BigInt(n)) })) } };
}

function chargingRecord(item: Step, n: number, t: ModelTables): EngineRecord | null {
  const accountIds = [...t.accounts.keys()];
  const account = pickOf(accountIds, item.pick);
  switch (item.kind) {
    case 8: return { kind: 'outcome_saved', outcome: { key: `k${n}`, operation: 'topup',
      requestJson: '{}', outcomeJson: `{"n":${n}}`, createdAtMs: n } };
    case 9: case 10: return sessionRecord(item, n, t);
    case 11: return { kind: 'cdr_inserted', cdr: cdrRow(`cdr${n}`, `s${n}`, account) };
    case 12: return { kind: 'bundle_inserted',
      bundle: bundleRow(`b${n}`, account, Number(absolute(item.amount) % 1_000n)) };
    case 13: {
      if (t.bundles.size === 0) return null;
      const bundle = t.bundles.get(pickOf([...t.bundles.keys()], item.pick))!;
      const delta = Number(item.amount % 100n);
      return { kind: 'bundle_seconds_added', bundleId: bundle.id,
        deltaSeconds: bundle.secondsRemaining + delta < 0 ? -bundle.secondsRemaining : delta };
    }
    default: return { kind: 'reservation_updated', reservation: firstOpenOrAny(t) };
  }
}

/** A new session, or an update of a known one; states may go any way, levels may change. */
function sessionRecord(item: Step, n: number, t: ModelTables): EngineRecord {
  const accountIds = [...t.accounts.keys()];
  const chain = [...new Set([pickOf(accountIds, item.pick), pickOf(accountIds, item.other),
    pickOf(accountIds, item.pick + item.other)])];
  const state = pickOf(sessionStatesPicked, item.other);
  if (item.kind === 9 || t.sessions.size === 0) {
    return { kind: 'session_inserted', session: sessionRow(`s${n}`, state, chain, n) };
  }
  // Half the time one of the newest: a session updated several times in one batch.
  const ids = [...t.sessions.keys()];
  const before = t.sessions.get(pickOf(item.pick % 2 === 0 ? ids.slice(-2) : ids, item.pick))!;
  const levels = item.flag ? chain : before.levels.map((level) => level.accountId);
  return { kind: 'session_updated', session: sessionRow(before.sessionId, state, levels, n) };
}

function firstOpenOrAny(t: ModelTables) {
  const reservations = [...t.reservations.values()];
  const chosen = reservations.find((entry) => entry.state === 'open') ?? reservations[0]!;
  return { ...chosen, expiresAtMs: chosen.expiresAtMs + 1, legs: chosen.legs.map((leg) =>
    ({ ...leg, committedMicros: micros(leg.committedMicros + 1n) })) };
}
