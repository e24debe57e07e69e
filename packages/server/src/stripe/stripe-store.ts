import { micros, type AutoRefill, type Micros, type RefillState } from '@tollgate/core';
import type { WithRunner } from '../storage/shared/api-store-sql.ts';

/** A root's Stripe keys as stored: the two secrets sealed (secret-box.ts). */
export interface StripeSettingsRecord {
  readonly rootAccountId: string;
  readonly secretKeySealed: string;
  readonly webhookSecretSealed: string;
  readonly publishableKey: string;
  readonly updatedAtMs: number;
}

export interface StripeCustomerRecord {
  readonly accountId: string;
  readonly rootAccountId: string;
  readonly customerId: string;
  readonly paymentMethodId: string | null;
  readonly cardBrand: string | null;
  readonly cardLast4: string | null;
}

export type PaymentPurpose = 'topup' | 'refill';
export interface StripePaymentRecord {
  readonly paymentIntentId: string;
  readonly accountId: string;
  readonly rootAccountId: string;
  readonly purpose: PaymentPurpose;
  readonly amountMicros: Micros;
  readonly currency: string;
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly createdAtMs: number;
}

export interface PaymentNotice {
  readonly id: number;
  readonly accountId: string;
  readonly kind: string;
  readonly paymentIntentId: string | null;
  readonly detail: string;
  readonly createdAtMs: number;
}

/** What card payments store; every write is one statement (atomic on both dialects). */
export interface StripeStore {
  saveSettings(record: StripeSettingsRecord): Promise<void>;
  findSettings(rootAccountId: string): Promise<StripeSettingsRecord | null>;
  /** Inserts unless the account has a customer already; answers the stored one. */
  saveCustomer(record: StripeCustomerRecord, nowMs: number): Promise<StripeCustomerRecord>;
  findCustomer(accountId: string): Promise<StripeCustomerRecord | null>;
  findCustomerByStripeId(rootAccountId: string, customerId: string):
    Promise<StripeCustomerRecord | null>;
  saveCard(accountId: string, card: { paymentMethodId: string; brand: string; last4: string },
    nowMs: number): Promise<void>;
  /** Inserts the payment unless it is known. */
  recordPayment(record: StripePaymentRecord): Promise<void>;
  findPayment(paymentIntentId: string): Promise<StripePaymentRecord | null>;
  /** Moves a payment on; a `succeeded` payment never moves again. True when it moved. */
  settlePayment(paymentIntentId: string, status: 'succeeded' | 'failed', nowMs: number):
    Promise<boolean>;
  eventSeen(rootAccountId: string, eventId: string): Promise<boolean>;
  noteEvent(rootAccountId: string, eventId: string, type: string, nowMs: number): Promise<void>;
  findRefill(accountId: string): Promise<AutoRefill | null>;
  /** Inserts or replaces the refill row unconditionally (the owner's settings). */
  putRefill(refill: AutoRefill): Promise<void>;
  /** Compare and set: writes `next` only if the row still is `expected`. True when written. */
  swapRefill(expected: AutoRefill, next: AutoRefill): Promise<boolean>;
  /** Enabled refills after `afterAccountId`, by account id: what a scan looks at. */
  listArmedRefills(afterAccountId: string, limit: number): Promise<AutoRefill[]>;
  addNotice(notice: Omit<PaymentNotice, 'id'>): Promise<void>;
  listNotices(accountId: string, limit: number): Promise<PaymentNotice[]>;
  /** Notices whose delivery is pending and due, oldest first, with their attempts so far. */
  dueNotices(nowMs: number, limit: number): Promise<Array<PaymentNotice & {
    attempts: number }>>;
  /** `nextAttemptAtMs` null: delivered when `error` is null, failed for good otherwise. */
  markNoticeAttempt(options: { id: number; attempts: number; nextAttemptAtMs: number | null;
    error: string | null }): Promise<void>;
}

type DbNumber = number | bigint;
interface RefillRow {
  account_id: string; enabled: DbNumber; threshold_micros: DbNumber; amount_micros: DbNumber;
  state: string; trigger_seq: DbNumber; attempt: DbNumber; failures: DbNumber;
  next_attempt_at_ms: DbNumber; payment_intent_id: string | null; last_error: string | null;
  updated_at_ms: DbNumber;
}

const refillColumns = `account_id, enabled, threshold_micros, amount_micros, state, trigger_seq,
  attempt, failures, next_attempt_at_ms, payment_intent_id, last_error, updated_at_ms`;
const customerColumns = `account_id, root_account_id, customer_id, payment_method_id,
  card_brand, card_last4`;
const noticeColumns = 'id, account_id, kind, payment_intent_id, detail, created_at_ms';
const paymentColumns = `payment_intent_id, account_id, root_account_id, purpose, amount_micros,
  currency, status, created_at_ms`;

const sql = {
  saveSettings: `INSERT INTO stripe_settings (root_account_id, secret_key_sealed,
    webhook_secret_sealed, publishable_key, updated_at_ms) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (root_account_id) DO UPDATE SET secret_key_sealed = excluded.secret_key_sealed,
    webhook_secret_sealed = excluded.webhook_secret_sealed,
    publishable_key = excluded.publishable_key, updated_at_ms = excluded.updated_at_ms`,
  findSettings: 'SELECT * FROM stripe_settings WHERE root_account_id = ?',
  saveCustomer: `INSERT INTO stripe_customers (${customerColumns}, updated_at_ms)
    VALUES (?, ?, ?, NULL, NULL, NULL, ?) ON CONFLICT (account_id) DO NOTHING`,
  findCustomer: `SELECT ${customerColumns} FROM stripe_customers WHERE account_id = ?`,
  findCustomerByStripeId: `SELECT ${customerColumns} FROM stripe_customers
    WHERE root_account_id = ? AND customer_id = ?`,
  saveCard: `UPDATE stripe_customers SET payment_method_id = ?, card_brand = ?, card_last4 = ?,
    updated_at_ms = ? WHERE account_id = ?`,
  recordPayment: `INSERT INTO stripe_payments (${paymentColumns}, transfer_id, updated_at_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (payment_intent_id) DO NOTHING`,
  findPayment: `SELECT ${paymentColumns} FROM stripe_payments WHERE payment_intent_id = ?`,
  settlePayment: `UPDATE stripe_payments SET status = ?, updated_at_ms = ?
    WHERE payment_intent_id = ? AND status <> 'succeeded' AND status <> ?
    RETURNING payment_intent_id`,
  eventSeen: 'SELECT event_id FROM stripe_events WHERE root_account_id = ? AND event_id = ?',
  noteEvent: `INSERT INTO stripe_events (root_account_id, event_id, event_type, received_at_ms)
    VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  findRefill: `SELECT ${refillColumns} FROM auto_refills WHERE account_id = ?`,
  putRefill: `INSERT INTO auto_refills (${refillColumns})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (account_id) DO UPDATE SET enabled = excluded.enabled,
    threshold_micros = excluded.threshold_micros, amount_micros = excluded.amount_micros,
    state = excluded.state, trigger_seq = excluded.trigger_seq, attempt = excluded.attempt,
    failures = excluded.failures, next_attempt_at_ms = excluded.next_attempt_at_ms,
    payment_intent_id = excluded.payment_intent_id, last_error = excluded.last_error,
    updated_at_ms = excluded.updated_at_ms`,
  swapRefill: `UPDATE auto_refills SET enabled = ?, threshold_micros = ?, amount_micros = ?,
    state = ?, trigger_seq = ?, attempt = ?, failures = ?, next_attempt_at_ms = ?,
    payment_intent_id = ?, last_error = ?, updated_at_ms = ?
    WHERE account_id = ? AND state = ? AND trigger_seq = ? AND attempt = ? AND failures = ?
    AND updated_at_ms = ? AND enabled = ? RETURNING account_id`,
  listArmed: `SELECT ${refillColumns} FROM auto_refills WHERE enabled = 1 AND account_id > ?
    ORDER BY account_id LIMIT ?`,
  addNotice: `INSERT INTO payment_notices (account_id, kind, payment_intent_id, detail,
    created_at_ms, delivery_status, delivery_attempts, next_attempt_at_ms)
    VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)`,
  listNotices: `SELECT ${noticeColumns} FROM payment_notices WHERE account_id = ?
    ORDER BY id DESC LIMIT ?`,
  dueNotices: `SELECT ${noticeColumns}, delivery_attempts FROM payment_notices
    WHERE delivery_status = 'pending' AND next_attempt_at_ms <= ?
    ORDER BY next_attempt_at_ms, id LIMIT ?`,
  markNotice: `UPDATE payment_notices SET delivery_status = ?, delivery_attempts = ?,
    next_attempt_at_ms = COALESCE(?, next_attempt_at_ms), last_error = ? WHERE id = ?`,
} as const;

const readOnly = { readOnly: true } as const;

function fromDbRefill(row: RefillRow): AutoRefill {
  return { accountId: row.account_id, enabled: Number(row.enabled) === 1,
    thresholdMicros: micros(BigInt(row.threshold_micros)),
    amountMicros: micros(BigInt(row.amount_micros)), state: row.state as RefillState,
    triggerSeq: Number(row.trigger_seq), attempt: Number(row.attempt),
    failures: Number(row.failures), nextAttemptAtMs: Number(row.next_attempt_at_ms),
    paymentIntentId: row.payment_intent_id, lastError: row.last_error,
    updatedAtMs: Number(row.updated_at_ms) };
}

function toDbRefillValues(refill: AutoRefill): unknown[] {
  return [refill.enabled ? 1 : 0, refill.thresholdMicros, refill.amountMicros, refill.state,
    refill.triggerSeq, refill.attempt, refill.failures, refill.nextAttemptAtMs,
    refill.paymentIntentId, refill.lastError?.slice(0, 500) ?? null, refill.updatedAtMs];
}

interface CustomerRow {
  account_id: string; root_account_id: string; customer_id: string;
  payment_method_id: string | null; card_brand: string | null; card_last4: string | null;
}
const fromDbCustomer = (row: CustomerRow): StripeCustomerRecord => ({
  accountId: row.account_id, rootAccountId: row.root_account_id, customerId: row.customer_id,
  paymentMethodId: row.payment_method_id, cardBrand: row.card_brand, cardLast4: row.card_last4 });

interface PaymentRow {
  payment_intent_id: string; account_id: string; root_account_id: string; purpose: string;
  amount_micros: DbNumber; currency: string; status: string; created_at_ms: DbNumber;
}
const fromDbPayment = (row: PaymentRow): StripePaymentRecord => ({
  paymentIntentId: row.payment_intent_id, accountId: row.account_id,
  rootAccountId: row.root_account_id, purpose: row.purpose as PaymentPurpose,
  amountMicros: micros(BigInt(row.amount_micros)), currency: row.currency,
  status: row.status as StripePaymentRecord['status'], createdAtMs: Number(row.created_at_ms) });

interface NoticeRow {
  id: DbNumber; account_id: string; kind: string; payment_intent_id: string | null;
  detail: string; created_at_ms: DbNumber;
}
const fromDbNotice = (row: NoticeRow): PaymentNotice => ({ id: Number(row.id),
  accountId: row.account_id, kind: row.kind, paymentIntentId: row.payment_intent_id,
  detail: row.detail, createdAtMs: Number(row.created_at_ms) });

/** The one adapter for both dialects (the SQL is the same). */
export function stripeStoreOver(withRunner: WithRunner): StripeStore {
  const first = async <Row>(query: string, params: unknown[]) =>
    (await withRunner((runner) => runner.all<Row>(query, params), readOnly))[0];
  const findCustomer = async (accountId: string) => {
    const row = await first<CustomerRow>(sql.findCustomer, [accountId]);
    return row === undefined ? null : fromDbCustomer(row);
  };
  return {
    saveSettings: (record) => withRunner((runner) => runner.run(sql.saveSettings, [
      record.rootAccountId, record.secretKeySealed, record.webhookSecretSealed,
      record.publishableKey, record.updatedAtMs])),
    findSettings: async (rootAccountId) => {
      const row = await first<{ root_account_id: string; secret_key_sealed: string;
        webhook_secret_sealed: string; publishable_key: string; updated_at_ms: DbNumber }>(
        sql.findSettings, [rootAccountId]);
      return row === undefined ? null : { rootAccountId: row.root_account_id,
        secretKeySealed: row.secret_key_sealed, webhookSecretSealed: row.webhook_secret_sealed,
        publishableKey: row.publishable_key, updatedAtMs: Number(row.updated_at_ms) };
    },
    saveCustomer: async (record, nowMs) => {
      await withRunner((runner) => runner.run(sql.saveCustomer, [record.accountId,
        record.rootAccountId, record.customerId, nowMs]));
      const stored = await findCustomer(record.accountId);
      if (stored === null) throw new Error(`the customer of ${record.accountId} was not stored`);
      return stored;
    },
    findCustomer,
    findCustomerByStripeId: async (rootAccountId, customerId) => {
      const row = await first<CustomerRow>(sql.findCustomerByStripeId, [rootAccountId,
        customerId]);
      return row === undefined ? null : fromDbCustomer(row);
    },
    saveCard: (accountId, card, nowMs) => withRunner((runner) => runner.run(sql.saveCard,
      [card.paymentMethodId, card.brand, card.last4, nowMs, accountId])),
    recordPayment: (record) => withRunner((runner) => runner.run(sql.recordPayment, [
      record.paymentIntentId, record.accountId, record.rootAccountId, record.purpose,
      record.amountMicros, record.currency, record.status, record.createdAtMs,
      record.createdAtMs])),
    findPayment: async (paymentIntentId) => {
      const row = await first<PaymentRow>(sql.findPayment, [paymentIntentId]);
      return row === undefined ? null : fromDbPayment(row);
    },
    settlePayment: async (paymentIntentId, status, nowMs) => (await withRunner((runner) =>
      runner.all(sql.settlePayment, [status, nowMs, paymentIntentId, status]))).length > 0,
    eventSeen: async (rootAccountId, eventId) =>
      (await first(sql.eventSeen, [rootAccountId, eventId])) !== undefined,
    noteEvent: (rootAccountId, eventId, type, nowMs) => withRunner((runner) =>
      runner.run(sql.noteEvent, [rootAccountId, eventId, type, nowMs])),
    findRefill: async (accountId) => {
      const row = await first<RefillRow>(sql.findRefill, [accountId]);
      return row === undefined ? null : fromDbRefill(row);
    },
    putRefill: (refill) => withRunner((runner) => runner.run(sql.putRefill,
      [refill.accountId, ...toDbRefillValues(refill)])),
    swapRefill: async (expected, next) => (await withRunner((runner) => runner.all(
      sql.swapRefill, [...toDbRefillValues(next), expected.accountId, expected.state,
        expected.triggerSeq, expected.attempt, expected.failures, expected.updatedAtMs,
        expected.enabled ? 1 : 0]))).length > 0,
    listArmedRefills: async (afterAccountId, limit) => (await withRunner((runner) =>
      runner.all<RefillRow>(sql.listArmed, [afterAccountId, limit]), readOnly))
      .map(fromDbRefill),
    addNotice: (notice) => withRunner((runner) => runner.run(sql.addNotice, [notice.accountId,
      notice.kind, notice.paymentIntentId, notice.detail.slice(0, 500), notice.createdAtMs,
      notice.createdAtMs])),
    listNotices: async (accountId, limit) => (await withRunner((runner) =>
      runner.all<NoticeRow>(sql.listNotices, [accountId, limit]), readOnly)).map(fromDbNotice),
    dueNotices: async (nowMs, limit) => (await withRunner((runner) =>
      runner.all<NoticeRow & { delivery_attempts: DbNumber }>(sql.dueNotices, [nowMs, limit]),
    readOnly)).map((row) => ({ ...fromDbNotice(row),
      attempts: Number(row.delivery_attempts) })),
    markNoticeAttempt: (options) => withRunner((runner) => runner.run(sql.markNotice, [
      options.nextAttemptAtMs !== null ? 'pending' : options.error === null ? 'delivered'
        : 'failed', options.attempts, options.nextAttemptAtMs,
      options.error?.slice(0, 500) ?? null, options.id])),
  };
}
