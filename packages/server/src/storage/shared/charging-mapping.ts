import {
  decodeLedgerJson,
  encodeLedgerJson,
  micros,
  type BundleRecord,
  type Cdr,
  type CurrencyCode,
  type LiveSessionView,
  type SessionRecord,
} from '@tollgate/core';

/** Integers come back as bigint from better-sqlite3 (safe integers) and int8 from pg. */
export type DbNumber = number | bigint;

export interface SessionRow {
  session_id: string;
  account_id: string;
  state: string;
  caller: string;
  callee: string;
  started_at_ms: DbNumber;
  last_request_number: DbNumber;
  used_seconds: DbNumber;
  granted_until_seconds: DbNumber;
  hangup_at_ms: DbNumber;
  deadline_ms: DbNumber;
  data_json: string;
  last_answer_json: string;
  updated_at_ms: DbNumber;
  carrier_id: string | null;
}

export const sessionColumns = ['session_id', 'account_id', 'state', 'caller', 'callee',
  'started_at_ms', 'last_request_number', 'used_seconds', 'granted_until_seconds',
  'hangup_at_ms', 'deadline_ms', 'data_json', 'last_answer_json', 'updated_at_ms',
  'carrier_id'] as const;

/** What does not need its own column: the chain levels and the bundle hold, as JSON. */
interface SessionData {
  levels: SessionRecord['levels'];
  bundleId: string | null;
  bundleSecondsHeld: number;
}

export function toDbSession(session: SessionRecord): unknown[] {
  const data: SessionData = { levels: session.levels, bundleId: session.bundleId,
    bundleSecondsHeld: session.bundleSecondsHeld };
  return [session.sessionId, session.accountId, session.state, session.caller, session.callee,
    session.startedAtMs, session.lastRequestNumber, session.usedSeconds,
    session.grantedUntilSeconds, session.hangupAtMs, session.deadlineMs,
    encodeLedgerJson(data), session.lastAnswerJson, session.updatedAtMs, session.carrierId];
}

export function fromDbSession(row: SessionRow): SessionRecord {
  const data = decodeLedgerJson(row.data_json) as SessionData;
  return {
    sessionId: row.session_id,
    accountId: row.account_id,
    state: row.state as SessionRecord['state'],
    caller: row.caller,
    callee: row.callee,
    startedAtMs: Number(row.started_at_ms),
    lastRequestNumber: Number(row.last_request_number),
    usedSeconds: Number(row.used_seconds),
    grantedUntilSeconds: Number(row.granted_until_seconds),
    hangupAtMs: Number(row.hangup_at_ms),
    deadlineMs: Number(row.deadline_ms),
    levels: data.levels.map((level) => ({ ...level,
      committedMicros: micros(BigInt(level.committedMicros)),
      reservedMicros: micros(BigInt(level.reservedMicros)),
      rateNumerator: BigInt(level.rateNumerator),
      rateDenominator: BigInt(level.rateDenominator),
      // Sessions stored before least-cost routing have no payee: they pay the world.
      payeeAccountId: level.payeeAccountId ?? null })),
    carrierId: row.carrier_id,
    bundleId: data.bundleId,
    bundleSecondsHeld: data.bundleSecondsHeld,
    lastAnswerJson: row.last_answer_json,
    updatedAtMs: Number(row.updated_at_ms),
  };
}

export function fromDbLiveSession(row: SessionRow): LiveSessionView {
  return {
    sessionId: row.session_id,
    accountId: row.account_id,
    caller: row.caller,
    callee: row.callee,
    startedAtMs: Number(row.started_at_ms),
    usedSeconds: Number(row.used_seconds),
    grantedUntilSeconds: Number(row.granted_until_seconds),
    hangupAtMs: Number(row.hangup_at_ms),
  };
}

export interface CdrRow {
  id: string;
  session_id: string;
  account_id: string;
  caller: string;
  callee: string;
  started_at_ms: DbNumber;
  ended_at_ms: DbNumber;
  used_seconds: DbNumber;
  billed_seconds: DbNumber;
  bundle_seconds: DbNumber;
  cost_micros: DbNumber;
  currency: string;
  disposition: string;
  levels_json: string;
  carrier_id: string | null;
  carrier_json: string | null;
}

export const cdrColumns = ['id', 'session_id', 'account_id', 'caller', 'callee',
  'started_at_ms', 'ended_at_ms', 'used_seconds', 'billed_seconds', 'bundle_seconds',
  'cost_micros', 'currency', 'disposition', 'levels_json', 'carrier_id', 'carrier_json'] as const;

export function toDbCdr(cdr: Cdr): unknown[] {
  return [cdr.id, cdr.sessionId, cdr.accountId, cdr.caller, cdr.callee, cdr.startedAtMs,
    cdr.endedAtMs, cdr.usedSeconds, cdr.billedSeconds, cdr.bundleSeconds, cdr.costMicros,
    cdr.currency, cdr.disposition, encodeLedgerJson(cdr.levels), cdr.carrier?.carrierId ?? null,
    cdr.carrier === null ? null : encodeLedgerJson(cdr.carrier)];
}

/** The accounts a CDR is listed under (cdr_levels): its customer and every level. */
export function cdrLevelAccountIds(cdr: Cdr): Set<string> {
  const accounts = new Set(cdr.levels.map((level) => level.accountId));
  accounts.add(cdr.accountId);
  return accounts;
}

export function fromDbCdr(row: CdrRow): Cdr {
  const levels = decodeLedgerJson(row.levels_json) as Cdr['levels'];
  return {
    id: row.id,
    sessionId: row.session_id,
    accountId: row.account_id,
    caller: row.caller,
    callee: row.callee,
    startedAtMs: Number(row.started_at_ms),
    endedAtMs: Number(row.ended_at_ms),
    usedSeconds: Number(row.used_seconds),
    billedSeconds: Number(row.billed_seconds),
    bundleSeconds: Number(row.bundle_seconds),
    costMicros: micros(BigInt(row.cost_micros)),
    currency: row.currency as CurrencyCode,
    disposition: row.disposition as Cdr['disposition'],
    levels: levels.map((level) => ({ ...level, costMicros: micros(BigInt(level.costMicros)) })),
    carrier: carrierOfRow(row.carrier_json),
  };
}

function carrierOfRow(json: string | null): Cdr['carrier'] {
  if (json === null) return null;
  const carrier = decodeLedgerJson(json) as NonNullable<Cdr['carrier']>;
  return { ...carrier, costMicros: micros(BigInt(carrier.costMicros)) };
}

export interface BundleRow {
  id: string;
  account_id: string;
  prefixes_json: string;
  time_band: string | null;
  seconds_remaining: DbNumber;
  valid_until_ms: DbNumber | null;
  created_at_ms: DbNumber;
}

export const bundleColumns = ['id', 'account_id', 'prefixes_json', 'time_band',
  'seconds_remaining', 'valid_until_ms', 'created_at_ms'] as const;

/** The values of a bundle in `bundleColumns` order. */
export function toDbBundle(bundle: BundleRecord): unknown[] {
  return [bundle.id, bundle.accountId, JSON.stringify(bundle.prefixes), bundle.timeBand,
    bundle.secondsRemaining, bundle.validUntilMs, bundle.createdAtMs];
}

export function fromDbBundle(row: BundleRow): BundleRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    prefixes: JSON.parse(row.prefixes_json) as string[],
    timeBand: row.time_band,
    secondsRemaining: Number(row.seconds_remaining),
    validUntilMs: row.valid_until_ms === null ? null : Number(row.valid_until_ms),
    createdAtMs: Number(row.created_at_ms),
  };
}
