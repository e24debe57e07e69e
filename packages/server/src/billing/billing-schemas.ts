import { Type } from 'typebox';
import { Instant, Money, NullableText } from '../http/schemas/common-schemas.ts';

const Cycle = Type.Object({
  kind: Type.Union([Type.Literal('monthly'), Type.Literal('weekly'), Type.Literal('daily')]),
  anchor_day: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 31 }), Type.Null()])),
  anchor_weekday: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 7 }),
    Type.Null()], { description: '1 Monday .. 7 Sunday' })),
}, { additionalProperties: false });

const TextOrNull = NullableText({ maxLength: 500 });

export const BillingSettingsBody = Type.Object({
  cycle: Type.Union([Cycle, Type.Null()], { description: 'null: inherited from the parent' }),
  payment_terms_days: Type.Union([Type.Integer({ minimum: 0, maximum: 365 }), Type.Null()]),
  tax_profile_id: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], {
    description: 'A tax profile of the account\'s parent (its issuer)' }),
  invoice_prefix: Type.Union([Type.String({ minLength: 1, maxLength: 20 }), Type.Null()]),
  legal_name: TextOrNull,
  address: TextOrNull,
  tax_id: TextOrNull,
}, { additionalProperties: false });

const EffectiveSettings = Type.Object({
  cycle: Cycle,
  cycle_from_account_id: Type.Union([Type.String(), Type.Null()]),
  payment_terms_days: Type.Integer(),
  tax_profile_id: Type.Union([Type.String(), Type.Null()]),
});

export const BillingSettingsView = Type.Object({
  own: BillingSettingsBody,
  effective: EffectiveSettings,
});

const TaxRate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  percent: Type.String({ maxLength: 10, description: 'Percent, such as "20" or "8.875"' }),
}, { additionalProperties: false });

export const TaxProfileBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  treatment: Type.Union([Type.Literal('standard'), Type.Literal('exempt'),
    Type.Literal('reverse_charge')]),
  prices_include_tax: Type.Boolean(),
  rates: Type.Array(TaxRate, { maxItems: 8 }),
  note: Type.String({ maxLength: 500 }),
}, { additionalProperties: false });

export const TaxProfileView = Type.Object({
  id: Type.String(),
  owner_account_id: Type.String(),
  name: Type.String(),
  treatment: Type.String(),
  prices_include_tax: Type.Boolean(),
  rates: Type.Array(Type.Object({ name: Type.String(), percent: Type.String() })),
  note: Type.String(),
});
export const TaxProfileList = Type.Object({ tax_profiles: Type.Array(TaxProfileView) });
export const TaxProfileParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  profile_id: Type.String({ minLength: 1, maxLength: 64 }),
});

const InvoiceLineView = Type.Object({
  kind: Type.String(),
  prefix: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
  calls: Type.Integer(),
  billed_seconds: Type.Integer(),
  charged: Money,
  amount: Money,
});

const Party = Type.Object({
  account_id: Type.String(),
  name: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  tax_id: Type.Union([Type.String(), Type.Null()]),
});

export const InvoiceView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  number: Type.String(),
  status: Type.String(),
  issuer: Party,
  recipient: Party,
  credits_invoice_id: Type.Union([Type.String(), Type.Null()]),
  credited_by_invoice_id: Type.Union([Type.String(), Type.Null()]),
  period: Type.Object({ key: Type.String(), start: Instant, end: Instant }),
  currency: Type.String(),
  issued_at: Instant,
  due_at: Instant,
  lines: Type.Array(InvoiceLineView),
  taxes: Type.Array(Type.Object({ name: Type.String(), percent: Type.String(), tax: Money })),
  tax_note: Type.Union([Type.String(), Type.Null()]),
  charged: Money,
  rounding: Money,
  net: Money,
  tax: Money,
  total: Money,
  paid: Money,
  open: Money,
  transfer_count: Type.Integer(),
});

export const InvoiceList = Type.Object({
  invoices: Type.Array(InvoiceView),
  next_after: Type.Union([Type.String(), Type.Null()]),
});

export const InvoiceParams = Type.Object({ invoice_id: Type.String({ minLength: 1,
  maxLength: 200 }) });

export const InvoiceQuery = Type.Object({
  account_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
});

export const ClosePeriodBody = Type.Object({
  period: Type.Optional(Type.String({ minLength: 10, maxLength: 10,
    description: 'The local date the period starts on (YYYY-MM-DD); absent: the last ended' })),
}, { additionalProperties: false });

export const PaymentBody = Type.Object({
  method: Type.String({ minLength: 1, maxLength: 32 }),
  reference: Type.String({ minLength: 1, maxLength: 100 }),
  amount: Money,
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  received_at: Type.Optional(Instant),
  invoice_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }),
    { maxItems: 100 })),
}, { additionalProperties: false });

export const PaymentView = Type.Object({
  id: Type.String(),
  account_id: Type.String(),
  method: Type.String(),
  reference: Type.String(),
  currency: Type.String(),
  amount: Money,
  credit: Money,
  received_at: Instant,
  transfer_id: Type.String(),
  allocations: Type.Array(Type.Object({ invoice_id: Type.String(), amount: Money })),
  replayed: Type.Boolean(),
});
export const PaymentList = Type.Object({ payments: Type.Array(PaymentView) });

export const CreditNoteView = Type.Object({ credit_note: InvoiceView, invoice: InvoiceView });
