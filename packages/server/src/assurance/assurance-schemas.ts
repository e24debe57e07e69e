import { Type } from 'typebox';
import { AccountIdText, Instant, Money } from '../http/schemas/common-schemas.ts';

export const PeriodQuery = Type.Object({
  account_id: Type.Optional(AccountIdText),
  from: Instant,
  to: Instant,
});

const Finding = Type.Object({
  kind: Type.String({ description: 'level_charge_mismatch, cdr_without_transfer, ' +
    'transfer_without_cdr, carrier_accrual_mismatch, carrier_cost_mismatch, ' +
    'session_without_hold, hold_without_session, posted_mismatch, pending_mismatch, ' +
    'negative_pending, currency_unbalanced' }),
  account_id: Type.Union([Type.String(), Type.Null()]),
  session_id: Type.Union([Type.String(), Type.Null()]),
  carrier_id: Type.Union([Type.String(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  expected: Money,
  actual: Money,
  difference: Money,
  transfer_ids: Type.Array(Type.String()),
});

export const ReconciliationView = Type.Object({
  account_id: Type.String(),
  from: Instant,
  to: Instant,
  ok: Type.Boolean({ description: 'True when nothing differs' }),
  finding_count: Type.Integer({ description: 'Exact; `findings` lists the first 1000' }),
  accounts_checked: Type.Integer(),
  cdrs_checked: Type.Integer(),
  transfers_checked: Type.Integer(),
  live_sessions_checked: Type.Integer(),
  levels: Type.Array(Type.Object({ account_id: Type.String(), currency: Type.String(),
    calls: Type.Integer(), rated: Money, charged: Money, difference: Money })),
  carriers: Type.Array(Type.Object({ carrier_id: Type.String(), currency: Type.String(),
    calls: Type.Integer(), rated: Money, accrued: Money, difference: Money })),
  journal_net: Type.Array(Type.Object({ currency: Type.String(), net: Money })),
  findings: Type.Array(Finding),
}, { description: 'Rated CDRs vs ledger charges, carrier accruals, holds vs live sessions, ' +
  'and the journal sums of a period and subtree' });
