import type { ApiClient } from './engine-client.ts';
import { micros } from './engine-client.ts';

// One account tree, built over the HTTP API with the operator key, and the reads the engine
// tests check it with (balances, CDRs, live calls), all through the API as a client sees them.

/**
 * op (root, no deck) > ad (admin, postpaid, credit 1000.00, pays 0.10/min)
 *   > rs (reseller, prepaid 100.00, pays 0.30/min)
 *     > c1 (customer, prepaid 50.00, pays 0.60/min), c2 (customer, postpaid, credit 50.00).
 * Funds are ample on purpose: the tests are about duplicates and crashes, not refusals, so
 * every call of their workload is granted and each outcome is deterministic.
 */
export const treeAccountIds = ['op', 'ad', 'rs', 'c1', 'c2'] as const;
export const customerIds = ['c1', 'c2'] as const;

/** A UK number: every deck below prices prefix 44. */
export const callee = '442079460000';

export interface Tree {
  /** The reseller's key, as its softswitch would hold it. */
  readonly switchKey: string;
}

export async function provisionTree(operator: ApiClient): Promise<Tree> {
  const deck = async (name: string, rate: string) => String((await operator.ok('POST',
    `/v1/rate-decks?name=${name}&currency=USD`, `prefix,rate\n44,${rate}\n`))['id']);
  const [retail, wholesale, plan] = [await deck('retail', '0.60'),
    await deck('wholesale', '0.30'), await deck('admin-plan', '0.10')];
  const account = (spec: Record<string, unknown>) =>
    operator.ok('POST', '/v1/accounts', { currency: 'USD', ...spec });
  await account({ id: 'op', parent_id: null, tier: 'super_admin', mode: 'postpaid',
    credit_limit: null, rate_deck_id: null });
  await account({ id: 'ad', parent_id: 'op', tier: 'admin', mode: 'postpaid',
    credit_limit: '1000.00', rate_deck_id: plan });
  await account({ id: 'rs', parent_id: 'ad', tier: 'reseller', mode: 'prepaid',
    rate_deck_id: wholesale });
  await account({ id: 'c1', parent_id: 'rs', tier: 'customer', mode: 'prepaid',
    rate_deck_id: retail });
  await account({ id: 'c2', parent_id: 'rs', tier: 'customer', mode: 'postpaid',
    credit_limit: '50.00', rate_deck_id: retail });
  for (const [id, amount] of [['rs', '100.00'], ['c1', '50.00']] as const) {
    await operator.ok('POST', `/v1/accounts/${id}/topups`, { amount, reference: `seed-${id}` });
  }
  const key = await operator.ok('POST', '/v1/accounts/rs/api-keys', { label: 'switch' });
  return { switchKey: String(key['key']) };
}

export interface Funds {
  readonly balance: bigint;
  readonly reserved: bigint;
  /** The lowest balance allowed (minus the credit limit); null: unlimited (a root). */
  readonly floor: bigint | null;
}

export async function readFunds(operator: ApiClient): Promise<Map<string, Funds>> {
  const funds = new Map<string, Funds>();
  for (const id of treeAccountIds) {
    const view = await operator.ok('GET', `/v1/accounts/${id}`);
    const limit = view['credit_limit'];
    funds.set(id, { balance: micros(view['balance']), reserved: micros(view['reserved']),
      floor: limit === null || limit === undefined ? null : -micros(limit) });
  }
  return funds;
}

export interface CdrLevel {
  readonly accountId: string;
  readonly cost: bigint;
}

export interface CdrView {
  readonly id: string;
  readonly sessionId: string;
  readonly accountId: string;
  readonly usedSeconds: number;
  /** The customer's cost. */
  readonly cost: bigint;
  readonly disposition: string;
  readonly levels: readonly CdrLevel[];
}

const pageSize = 1_000;
const pagesMax = 100;

/** Every CDR of the tree, page by page. */
export async function readCdrs(operator: ApiClient): Promise<CdrView[]> {
  const cdrs: CdrView[] = [];
  let after: string | null = null;
  for (let page = 0; page < pagesMax; page += 1) {
    const query = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const body = await operator.ok('GET', `/v1/cdrs?account_id=op&limit=${pageSize}${query}`);
    for (const cdr of body['cdrs'] as Array<Record<string, unknown>>) cdrs.push(cdrView(cdr));
    after = body['next_after'] as string | null;
    if (after === null) return cdrs;
  }
  throw new Error(`more than ${pagesMax * pageSize} CDRs`);
}

function cdrView(cdr: Record<string, unknown>): CdrView {
  const levels = (cdr['levels'] as Array<Record<string, unknown>>).map((level) => ({
    accountId: String(level['account_id']), cost: micros(level['cost']) }));
  // The calls are placed with tenant keys, so the operator key reads their ids in the key's
  // namespace (`<account>~<id>`, http/tenant-ids.ts): the id the switch used is the rest.
  return { id: String(cdr['id']),
    sessionId: String(cdr['session_id']).replace(/^[A-Za-z0-9_.-]+~/, ''),
    accountId: String(cdr['account_id']), usedSeconds: Number(cdr['used_seconds']),
    cost: micros(cdr['cost']), disposition: String(cdr['disposition']), levels };
}

/** The ids of the tree's live calls (at most one page: the tests keep fewer alive). */
export async function readLiveSessionIds(operator: ApiClient): Promise<string[]> {
  const body = await operator.ok('GET', `/v1/sessions?account_id=op&limit=${pageSize}`);
  return (body['sessions'] as Array<Record<string, unknown>>)
    .map((session) => String(session['session_id']));
}

/**
 * Waits until the sweeper has closed every live call (their grants ended and the grace
 * passed); returns the ids still live at the deadline.
 */
export async function waitUntilNoLiveSessions(
  operator: ApiClient,
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = await readLiveSessionIds(operator);
    if (live.length === 0 || Date.now() > deadline) return live;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
