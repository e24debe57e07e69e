import { micros, type Did, type DidHolding } from '@tollgate/core';

type DbNumber = number | bigint;

export interface DidRow {
  operator_id: string;
  number: string;
  country: string;
  carrier_id: string | null;
  carrier_setup_micros: DbNumber;
  carrier_monthly_micros: DbNumber;
  state: Did['state'];
  quarantine_until_ms: DbNumber | null;
  destination_kind: 'sip_uri' | 'extension' | 'account' | null;
  destination_value: string | null;
  created_at_ms: DbNumber;
}

export interface HoldingRow {
  id: string;
  operator_id: string;
  number: string;
  kind: DidHolding['kind'];
  depth: DbNumber;
  account_id: string;
  payee_account_id: string;
  currency: string;
  setup_micros: DbNumber;
  monthly_micros: DbNumber;
  inbound_deck_id: string | null;
  first_period: DidHolding['firstPeriod'];
  started_at_ms: DbNumber;
  ended_at_ms: DbNumber | null;
  setup_charged: DbNumber;
  charged_through_ms: DbNumber;
}

const numberOrNull = (value: DbNumber | null) => value === null ? null : Number(value);

export function fromDbDid(row: DidRow): Did {
  return { operatorId: row.operator_id, number: row.number, country: row.country,
    carrierId: row.carrier_id, carrierSetupMicros: micros(BigInt(row.carrier_setup_micros)),
    carrierMonthlyMicros: micros(BigInt(row.carrier_monthly_micros)), state: row.state,
    quarantineUntilMs: numberOrNull(row.quarantine_until_ms),
    destination: row.destination_kind === null || row.destination_value === null ? null
      : { kind: row.destination_kind, value: row.destination_value },
    createdAtMs: Number(row.created_at_ms) };
}

export function toDbDid(did: Did): unknown[] {
  return [did.operatorId, did.number, did.country, did.carrierId, did.carrierSetupMicros,
    did.carrierMonthlyMicros, did.state, did.quarantineUntilMs, did.destination?.kind ?? null,
    did.destination?.value ?? null, did.createdAtMs];
}

export function fromDbHolding(row: HoldingRow): DidHolding {
  return { id: row.id, operatorId: row.operator_id, number: row.number, kind: row.kind,
    depth: Number(row.depth), accountId: row.account_id, payeeAccountId: row.payee_account_id,
    currency: row.currency, setupMicros: micros(BigInt(row.setup_micros)),
    monthlyMicros: micros(BigInt(row.monthly_micros)), inboundDeckId: row.inbound_deck_id,
    firstPeriod: row.first_period, startedAtMs: Number(row.started_at_ms),
    endedAtMs: numberOrNull(row.ended_at_ms), setupCharged: Number(row.setup_charged) === 1,
    chargedThroughMs: Number(row.charged_through_ms) };
}

export function toDbHolding(holding: DidHolding): unknown[] {
  return [holding.id, holding.operatorId, holding.number, holding.kind, holding.depth,
    holding.accountId, holding.payeeAccountId, holding.currency, holding.setupMicros,
    holding.monthlyMicros, holding.inboundDeckId, holding.firstPeriod, holding.startedAtMs,
    holding.endedAtMs, holding.setupCharged ? 1 : 0, holding.chargedThroughMs];
}
