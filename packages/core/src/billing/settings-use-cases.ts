import type { BillingDeps } from './billing-deps.ts';
import { billingLimits } from './billing-limits.ts';
import { billingProblem, type BillingResult } from './billing-problem.ts';
import { parseBillingCycle } from './billing-cycle.ts';
import type { BillingSettings } from './billing-settings.ts';
import { checkTaxProfile, type TaxProfile } from './tax-profile.ts';

/** The settings as a caller states them: the cycle not yet parsed, no time stamp. */
export type BillingSettingsInput = Omit<BillingSettings, 'cycle' | 'updatedAtMs'> & {
  /** null: inherit from the parent. */
  readonly cycle: { kind: string; anchorDay?: number | null; anchorWeekday?: number | null }
    | null;
};

/** Replaces an account's billing settings (each null field inherits or takes the default). */
export async function putBillingSettings(deps: BillingDeps, input: BillingSettingsInput):
  Promise<BillingResult<BillingSettings>> {
  const cycle = input.cycle === null ? null : parseBillingCycle(input.cycle);
  if (cycle !== null && !cycle.ok) return cycle;
  const bad = (why: string) => billingProblem('invalid_billing_settings', why);
  const terms = input.paymentTermsDays;
  if (terms !== null && (!Number.isInteger(terms) || terms < 0 ||
    terms > billingLimits.paymentTermsDaysMax)) {
    return bad(`payment_terms_days is 0..${billingLimits.paymentTermsDaysMax}`);
  }
  if (input.invoicePrefix !== null && !/^[A-Za-z0-9]{1,20}$/.test(input.invoicePrefix)) {
    return bad(`invoice_prefix is 1..${billingLimits.prefixCharsMax} letters or digits`);
  }
  for (const text of [input.legalName, input.address, input.taxId]) {
    if (text !== null && text.length > billingLimits.noteCharsMax) {
      return bad(`texts are at most ${billingLimits.noteCharsMax} characters`);
    }
  }
  const chain = await deps.ledger.getAccountChain(input.accountId);
  if (!chain.ok) return billingProblem('account_not_found', `no account ${input.accountId}`);
  if (input.taxProfileId !== null) {
    const profile = await deps.store.findTaxProfile(input.taxProfileId);
    const parentId = chain.value[1]?.id;
    // A profile is its owner's: only the account's issuer (its parent) applies one to it.
    if (profile === null || profile.ownerAccountId !== parentId) {
      return billingProblem('tax_profile_not_found', `no tax profile ${input.taxProfileId} ` +
        'of this account\'s parent');
    }
  }
  const settings: BillingSettings = { accountId: input.accountId,
    cycle: cycle === null ? null : cycle.value, paymentTermsDays: terms,
    taxProfileId: input.taxProfileId, invoicePrefix: input.invoicePrefix,
    legalName: input.legalName, address: input.address, taxId: input.taxId,
    updatedAtMs: deps.clock.nowMs() };
  await deps.store.saveSettings(settings);
  return { ok: true, value: settings };
}

export async function putTaxProfile(deps: BillingDeps, profile: TaxProfile):
  Promise<BillingResult<TaxProfile>> {
  // Ids are chosen by the owner; the edge may qualify them (`<owner>:<id>`).
  if (!/^[A-Za-z0-9_.~:-]{1,200}$/.test(profile.id)) {
    return billingProblem('invalid_tax_profile', 'id is 1..64 of A-Z a-z 0-9 _ . -');
  }
  const checked = checkTaxProfile(profile);
  if (!checked.ok) return checked;
  const existing = await deps.store.findTaxProfile(profile.id);
  if (existing !== null && existing.ownerAccountId !== profile.ownerAccountId) {
    // Another issuer's profile: answered like a missing one would be on write.
    return billingProblem('tax_profile_not_found', `tax profile ${profile.id} is taken`);
  }
  await deps.store.saveTaxProfile(profile);
  return { ok: true, value: profile };
}
