import { assert } from '../kernel/assert.ts';
import type { BillingCycle } from './billing-cycle.ts';

/**
 * What an account sets about its billing. `cycle` and `paymentTermsDays` apply to the invoices
 * the account receives and are inherited from the nearest ancestor that sets them; the issuer
 * fields (prefix, name, address, tax id) are the account's own, for the invoices it issues;
 * the tax profile is the one its issuer (the parent) applies to it and is never inherited (a
 * profile belongs to one issuer).
 */
export interface BillingSettings {
  readonly accountId: string;
  readonly cycle: BillingCycle | null;
  readonly paymentTermsDays: number | null;
  readonly taxProfileId: string | null;
  readonly invoicePrefix: string | null;
  readonly legalName: string | null;
  readonly address: string | null;
  readonly taxId: string | null;
  readonly updatedAtMs: number;
}

export interface EffectiveBillingSettings {
  readonly cycle: BillingCycle;
  readonly paymentTermsDays: number;
  readonly taxProfileId: string | null;
  /** The account in whose settings the cycle was found; null: the default. */
  readonly cycleFromAccountId: string | null;
}

export const billingDefaults = {
  cycle: { kind: 'monthly', anchorDay: 1 } as BillingCycle,
  paymentTermsDays: 30,
  invoicePrefix: 'INV',
} as const;

export function emptyBillingSettings(accountId: string, nowMs: number): BillingSettings {
  return { accountId, cycle: null, paymentTermsDays: null, taxProfileId: null,
    invoicePrefix: null, legalName: null, address: null, taxId: null, updatedAtMs: nowMs };
}

/**
 * The settings in force for an account from its chain (the account first, the root last) and
 * the stored settings of those accounts.
 */
export function effectiveBillingSettings(
  chainIds: readonly string[],
  stored: readonly BillingSettings[],
): EffectiveBillingSettings {
  assert(chainIds.length > 0, 'a chain starts with the account');
  const byId = new Map(stored.map((settings) => [settings.accountId, settings]));
  let cycle: BillingCycle | null = null;
  let cycleFromAccountId: string | null = null;
  let paymentTermsDays: number | null = null;
  for (const id of chainIds) {
    const settings = byId.get(id);
    if (settings === undefined) continue;
    if (cycle === null && settings.cycle !== null) {
      cycle = settings.cycle;
      cycleFromAccountId = id;
    }
    paymentTermsDays ??= settings.paymentTermsDays;
  }
  return { cycle: cycle ?? billingDefaults.cycle, cycleFromAccountId,
    paymentTermsDays: paymentTermsDays ?? billingDefaults.paymentTermsDays,
    taxProfileId: byId.get(chainIds[0]!)?.taxProfileId ?? null };
}
