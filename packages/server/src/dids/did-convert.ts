import { didStateAt, type Did, type DidHolding } from '@tollgate/core';
import type { Static } from 'typebox';
import { formatMoney } from '../http/convert.ts';
import type { DidView } from './did-schemas.ts';

/**
 * A number as a key sees it. `viewerDepth` is the depth of the key's own hold (0 for the
 * operator and the operator key): holds above it (its suppliers' prices) and the carrier's
 * costs are left out.
 */
export function toApiDid(options: { did: Did; holdings: readonly DidHolding[];
  viewerDepth: number; nowMs: number }): Static<typeof DidView> {
  const { did, holdings, viewerDepth, nowMs } = options;
  const state = didStateAt(did, nowMs);
  const parents = holdings.filter((holding) => holding.kind === 'parent');
  const iso = (atMs: number) => new Date(atMs).toISOString();
  return {
    number: `+${did.number}`, country: did.country, state,
    quarantine_until: state === 'quarantine' && did.quarantineUntilMs !== null
      ? iso(did.quarantineUntilMs) : null,
    destination: did.destination,
    owner_account_id: parents.at(-1)?.accountId ?? null,
    ...(viewerDepth === 0 && did.carrierId !== null ? { carrier: { carrier_id: did.carrierId,
      setup_cost: formatMoney(did.carrierSetupMicros),
      monthly_cost: formatMoney(did.carrierMonthlyMicros) } } : {}),
    holds: holdings.filter((holding) => holding.depth >= Math.max(viewerDepth, 1) ||
      (viewerDepth === 0 && holding.kind === 'carrier')).map((holding) => ({
      account_id: holding.accountId, pays_account_id: holding.payeeAccountId,
      currency: holding.currency, setup_price: formatMoney(holding.setupMicros),
      monthly_price: formatMoney(holding.monthlyMicros),
      inbound_rate_deck_id: holding.inboundDeckId, first_period: holding.firstPeriod,
      started_at: iso(holding.startedAtMs) })),
  };
}
