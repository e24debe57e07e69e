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

export const MarginQuery = Type.Object({
  account_id: Type.Optional(AccountIdText),
  from: Instant,
  to: Instant,
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], {
    description: 'csv: the rows as text/csv (also with Accept: text/csv)' })),
});

const MarginLine = Type.Object({
  prefix: Type.Union([Type.String(), Type.Null()]),
  carrier_id: Type.Union([Type.String(), Type.Null()]),
  calls: Type.Integer(),
  answered: Type.Integer(),
  minutes: Type.String({ description: 'Used seconds / 60, two decimals, rounded down' }),
  asr: Type.Union([Type.String(), Type.Null()], { description: 'Answered / calls, percent' }),
  acd: Type.Union([Type.String(), Type.Null()],
    { description: 'Used seconds per answered call, one decimal, rounded down' }),
  revenue_currency: Type.Union([Type.String(), Type.Null()]),
  revenue: Money,
  cost_currency: Type.String(),
  cost: Money,
  margin: Type.Union([Money, Type.Null()],
    { description: 'Revenue - cost; null when they are in different currencies' }),
});

export const MarginView = Type.Object({
  account_id: Type.String(),
  from: Instant,
  to: Instant,
  rows: Type.Array(MarginLine),
  totals: Type.Array(MarginLine),
}, { description: 'One level\'s revenue (from the level below), cost (to its parent or ' +
  'carrier) and traffic per destination, over the CDRs ended in the period' });
