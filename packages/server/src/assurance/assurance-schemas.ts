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

export const RerateQuery = Type.Object({
  account_id: Type.Optional(AccountIdText),
  from: Instant,
  to: Instant,
  deck_id: Type.String({ minLength: 1, maxLength: 200 }),
  side: Type.Optional(Type.Union([Type.Literal('revenue'), Type.Literal('cost')], {
    default: 'revenue', description: 'revenue: the deck the level sells with is replaced; ' +
      'cost: the deck it buys with (its parent\'s, or a root\'s carrier)' })),
  carrier_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200,
    description: 'Only the calls this carrier carried (the operator and root keys)' })),
});

const RerateSums = Type.Object({
  prefix: Type.Union([Type.String(), Type.Null()]),
  calls: Type.Integer(),
  old_revenue: Money,
  new_revenue: Money,
  old_cost: Money,
  new_cost: Money,
  old_margin: Money,
  new_margin: Money,
  difference: Money,
});

export const RerateView = Type.Object({
  account_id: Type.String(),
  from: Instant,
  to: Instant,
  side: Type.String(),
  deck_id: Type.String(),
  rows: Type.Array(RerateSums),
  total: Type.Union([RerateSums, Type.Null()]),
  unprofitable_count: Type.Integer(),
  unprofitable: Type.Array(Type.Object({ session_id: Type.String(), callee: Type.String(),
    prefix: Type.Union([Type.String(), Type.Null()]), old_margin: Money, new_margin: Money,
    new_revenue: Money, new_cost: Money })),
  unrated_count: Type.Integer({ description: 'Calls the deck cannot price (no rate, ' +
    'another currency): left out of the sums' }),
}, { description: 'A level\'s calls of a period rated again with another deck; no money moves' });

export const CdrExportQuery = Type.Object({
  account_id: Type.Optional(AccountIdText),
  from: Instant,
  to: Instant,
  format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('cgrates'),
    Type.Literal('astpp')], { default: 'csv' })),
  columns: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000,
    description: 'Comma-separated column names of the chosen format (default: all)' })),
});

export const InvoiceCheckParams = Type.Object({ carrier_id: Type.String({ minLength: 1,
  maxLength: 200 }) });

const columnName = (fallback: string) => Type.Optional(Type.String({ minLength: 1,
  maxLength: 64, description: `Header of the column (default ${fallback})` }));

export const InvoiceCheckQuery = Type.Object({
  from: Instant,
  to: Instant,
  time_column: columnName('time'),
  caller_column: columnName('caller'),
  callee_column: columnName('callee'),
  duration_column: columnName('duration'),
  cost_column: columnName('cost'),
  time_window_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600, default: 60,
    description: 'How far apart the two start times may be' })),
  duration_tolerance_s: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, default: 2 })),
  cost_tolerance: Type.Optional(Money),
});

const MatchedLine = Type.Object({ line: Type.Integer(), session_id: Type.String(),
  callee: Type.String(), prefix: Type.String(), theirs: Money, ours: Money,
  difference: Money });

export const InvoiceCheckView = Type.Object({
  carrier_id: Type.String(),
  from: Instant,
  to: Instant,
  records: Type.Integer({ description: 'Lines of the carrier\'s file' }),
  calls: Type.Integer({ description: 'Our answered calls of the period it carried' }),
  matched: Type.Integer(),
  mispriced: Type.Array(MatchedLine),
  missing_ours: Type.Array(Type.Object({ line: Type.Integer(), time: Instant,
    caller: Type.String(), callee: Type.String(), duration_s: Type.Integer(), cost: Money }),
  { description: 'On the carrier\'s file, not in our CDRs' }),
  missing_theirs: Type.Array(Type.Object({ session_id: Type.String(), time: Instant,
    caller: Type.String(), callee: Type.String(), duration_s: Type.Integer(),
    prefix: Type.String(), cost: Money }), { description: 'In our CDRs, not on their file' }),
  by_destination: Type.Array(Type.Object({ prefix: Type.Union([Type.String(), Type.Null()]),
    matched: Type.Integer(), theirs: Money, ours: Money, difference: Money })),
});
