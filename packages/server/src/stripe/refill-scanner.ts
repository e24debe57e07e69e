import {
  assert,
  afterFailure,
  microsToMinorUnits,
  claimAttempt,
  refillDue,
  refillFundsMicros,
  refillIdempotencyKey,
  type AutoRefill,
} from '@tollgate/core';
import { rootStripe, type CardPaymentDeps } from './card-payments.ts';
import { answerOfIntent, failureOf, intentMetadataKeys, type IntentAnswer } from
  './stripe-gateway.ts';

/** Bounds of one scan. */
export const refillScanLimits = {
  /** Refill rows read per page. */
  pageSizeMax: 200,
  /** Pages per scan: a larger population is finished by the next scans. */
  pagesPerScanMax: 50,
} as const;

export interface RefillScanReport {
  readonly scanned: number;
  readonly attempted: number;
}

/**
 * Auto-refill, off the charging path: a periodic scan reads each armed account's funds through
 * the ledger (a read; charging never waits for it), claims an attempt by compare-and-set (so
 * concurrent scans, on one node or several, start one), and asks Stripe for one off-session
 * payment with the attempt's idempotency key. Nothing is posted here: the signed
 * `payment_intent.succeeded` webhook posts the top-up. A Stripe outage costs this scan its
 * time-out and nothing else.
 */
export function createRefillScanner(deps: CardPaymentDeps) {
  let running: Promise<RefillScanReport> | null = null;
  const scanOnce = async (): Promise<RefillScanReport> => {
    let after = '';
    let scanned = 0;
    let attempted = 0;
    for (let page = 0; page < refillScanLimits.pagesPerScanMax; page += 1) {
      const refills = await deps.store.listArmedRefills(after, refillScanLimits.pageSizeMax);
      for (const refill of refills) {
        scanned += 1;
        if (await considerRefill(deps, refill)) attempted += 1;
      }
      if (refills.length < refillScanLimits.pageSizeMax) break;
      after = refills.at(-1)!.accountId;
    }
    return { scanned, attempted };
  };
  return {
    /** One scan; a scan asked for while one runs joins it. */
    scan: (): Promise<RefillScanReport> => {
      running ??= scanOnce().finally(() => {
        running = null;
      });
      return running;
    },
  };
}

async function considerRefill(deps: CardPaymentDeps, refill: AutoRefill): Promise<boolean> {
  const nowMs = deps.clock.nowMs();
  const view = await deps.ledger.getAccount(refill.accountId);
  if (!view.ok) return false;
  if (!refillDue(refill, refillFundsMicros(view.value), nowMs, deps.policy)) return false;
  const claimed = claimAttempt(refill, nowMs);
  if (!await deps.store.swapRefill(refill, claimed)) return false;
  const answer = await askForPayment(deps, claimed, view.value.account.currency);
  if (answer.ok) {
    await deps.store.recordPayment({ paymentIntentId: answer.intent.id,
      accountId: claimed.accountId, rootAccountId: await rootOf(deps, claimed.accountId),
      purpose: 'refill', amountMicros: claimed.amountMicros,
      currency: view.value.account.currency, status: 'pending', createdAtMs: nowMs });
    // Still in flight: the webhook settles it. The intent's id lets the webhook find it.
    await deps.store.swapRefill(claimed, { ...claimed, paymentIntentId: answer.intent.id });
    return true;
  }
  const next = afterFailure(claimed, answer.failure, deps.policy, deps.clock.nowMs());
  if (await deps.store.swapRefill(claimed, { ...next.refill,
    paymentIntentId: answer.intentId }) && next.notice !== null) {
    await deps.store.addNotice({ accountId: claimed.accountId, kind: next.notice,
      paymentIntentId: answer.intentId, detail: `${answer.failure.code}: ${answer.message}`,
      createdAtMs: deps.clock.nowMs() });
  }
  return true;
}

async function rootOf(deps: CardPaymentDeps, accountId: string): Promise<string> {
  const chain = await deps.ledger.getAccountChain(accountId);
  return chain.ok ? chain.value.at(-1)!.id : accountId;
}

async function askForPayment(deps: CardPaymentDeps, refill: AutoRefill, currency: string):
  Promise<IntentAnswer> {
  const customer = await deps.store.findCustomer(refill.accountId);
  const root = customer === null ? null : await rootStripe(deps, customer.rootAccountId);
  if (customer?.paymentMethodId == null || root === null || !root.ok) {
    return { ok: false, intentId: null, message: 'no card on file or no Stripe keys',
      failure: { kind: 'declined', code: 'card_not_on_file' } };
  }
  const unit = microsToMinorUnits(refill.amountMicros, currency);
  assert(unit !== null, 'a refill amount is whole minor units (checked when saved)');
  const key = refillIdempotencyKey(refill);
  try {
    const intent = await root.value.stripe.paymentIntents.create({ amount: Number(unit),
      currency: currency.toLowerCase(), customer: customer.customerId,
      payment_method: customer.paymentMethodId, off_session: true, confirm: true,
      metadata: { [intentMetadataKeys.accountId]: refill.accountId,
        [intentMetadataKeys.purpose]: 'refill', [intentMetadataKeys.attemptKey]: key } },
    { idempotencyKey: key });
    return answerOfIntent(intent);
  } catch (error) {
    return failureOf(error);
  }
}
