import { success } from '../kernel/result.ts';
import type { AccountId } from '../ledger/account.ts';
import type { ChargingDeps } from './charging-ports.ts';
import type { ChargingResult } from './charging-service.ts';
import { chargingProblem, inChargingTransaction } from './charging-work.ts';
import type { BundleRecord } from './session-record.ts';

export interface CreateBundleInput {
  readonly bundleId: string;
  readonly accountId: string;
  /** Numbers starting with any of these prefixes are covered. */
  readonly prefixes: readonly string[];
  readonly timeBand: string | null;
  readonly seconds: number;
  readonly validUntilMs: number | null;
}

export const bundleLimits = {
  idLengthMax: 64,
  prefixesMax: 1_000,
  prefixDigitsMax: 32,
  /** A year of continuous calling: more is a typo. */
  secondsMax: 366 * 86_400,
} as const;

/**
 * Grants an account free seconds for some prefixes (rating.md, "Free-minute bundles"). A
 * monthly plan is a new bundle each period with its own expiry; the id makes a retry harmless
 * (`bundle_exists` for a different bundle under the same id).
 */
export async function createBundle(
  deps: ChargingDeps,
  input: CreateBundleInput,
): Promise<ChargingResult<BundleRecord>> {
  const malformed = checkBundle(input);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inChargingTransaction(deps.store, async (tx) => {
    if ((await tx.findAccount(input.accountId as AccountId)) === null) {
      return chargingProblem('account_not_found', `no account ${input.accountId}`);
    }
    const key = bundleKeyOf(input.accountId, input.bundleId);
    // Bundles stored before ids were per account kept the bare id.
    const existing = (await tx.findBundles(input.accountId))
      .find((b) => b.id === key || b.id === input.bundleId);
    const bundle: BundleRecord = { id: key, accountId: input.accountId,
      prefixes: [...input.prefixes], timeBand: input.timeBand,
      secondsRemaining: input.seconds, validUntilMs: input.validUntilMs, createdAtMs: nowMs };
    if (existing !== undefined) return success(existing);
    await tx.insertBundle(bundle);
    return success(bundle);
  });
}

/**
 * Bundle ids are chosen per account (a plan's period name such as `2026-12`), so every account
 * may use the same ones: the stored key is `<account>/<id>`, unique across the installation.
 */
export function bundleKeyOf(accountId: string, bundleId: string): string {
  return `${accountId}/${bundleId}`;
}

/** The id the account chose, from a stored bundle (old bundles stored the bare id). */
export function bundleIdOf(bundle: Pick<BundleRecord, 'id' | 'accountId'>): string {
  const prefix = `${bundle.accountId}/`;
  return bundle.id.startsWith(prefix) ? bundle.id.slice(prefix.length) : bundle.id;
}

function checkBundle(input: CreateBundleInput) {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(input.bundleId)) {
    return chargingProblem('invalid_bundle', 'bundle_id must be 1-64 of A-Z a-z 0-9 _ . -');
  }
  if (input.prefixes.length === 0 || input.prefixes.length > bundleLimits.prefixesMax ||
    input.prefixes.some((prefix) => !/^\d{1,32}$/.test(prefix))) {
    return chargingProblem('invalid_bundle', 'prefixes must be 1-1000 digit strings');
  }
  if (!Number.isInteger(input.seconds) || input.seconds <= 0 ||
    input.seconds > bundleLimits.secondsMax) {
    return chargingProblem('invalid_bundle', 'seconds must be a positive whole number');
  }
  return null;
}
