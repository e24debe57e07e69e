import { micros, type CreateAccountInput } from '@tollgate/core';
import type { AppServices } from '../http/app-services.ts';

/**
 * The demo's decks by id: what each level pays the level above it, and the account that owns
 * (sells with) each, so the demo's keys see and use them: the operator prices itself and sells
 * to the admin, the admin to the reseller, the reseller to its customers.
 */
const demoDecks = {
  'demo-carrier': { owner: 'operator', rates: ['0.10', '0.12', '0.05', '0.10', '0.15', '0'] },
  'demo-wholesale': { owner: 'operator', rates: ['0.12', '0.15', '0.07', '0.12', '0.18', '0'] },
  'demo-reseller': { owner: 'admin', rates: ['0.15', '0.18', '0.09', '0.15', '0.22', '0'] },
  'demo-retail': { owner: 'r1', rates: ['0.20', '0.25', '0.12', '0.20', '0.30', '0.05'] },
} as const;

function demoDeckCsv(rates: readonly string[]): string {
  const [uk, ukMobile, us, de, deMobile, fee] = rates;
  return [
    'prefix,destination,rate,connect_fee,initial_increment_s,increment_s',
    `44,United Kingdom,${uk},${fee},30,6`,
    `447,United Kingdom Mobile,${ukMobile},${fee},30,6`,
    `1,United States and Canada,${us},${fee},30,6`,
    `49,Germany,${de},${fee},30,6`,
    `4915,Germany Mobile,${deMobile},${fee},30,6`,
    '',
  ].join('\n');
}

const unitsMicros = (units: bigint) => micros(units * 1_000_000n);

/** The demo tree, parents first. */
const demoAccounts: readonly CreateAccountInput[] = [
  { id: 'operator', tier: 'super_admin', parentId: null, name: 'Demo operator',
    currency: 'USD', mode: 'postpaid', creditLimitMicros: null, rateDeckId: 'demo-carrier' },
  { id: 'admin', tier: 'admin', parentId: 'operator', name: 'Demo admin', currency: 'USD',
    mode: 'postpaid', creditLimitMicros: unitsMicros(1_000n), rateDeckId: 'demo-wholesale' },
  { id: 'r1', tier: 'reseller', parentId: 'admin', name: 'Demo reseller', currency: 'USD',
    mode: 'postpaid', creditLimitMicros: unitsMicros(100n), rateDeckId: 'demo-reseller' },
  { id: 'c1', tier: 'customer', parentId: 'r1', name: 'Prepaid customer', currency: 'USD',
    mode: 'prepaid', rateDeckId: 'demo-retail' },
  { id: 'c2', tier: 'customer', parentId: 'r1', name: 'Postpaid customer', currency: 'USD',
    mode: 'postpaid', creditLimitMicros: unitsMicros(5n), rateDeckId: 'demo-retail' },
];

export const demoKeyLabel = 'demo';

export interface DemoSeed {
  /** A fresh key per demo account (older demo keys are revoked). */
  readonly keys: ReadonlyArray<{ accountId: string; key: string }>;
  readonly createdAccounts: number;
  /** Demo keys of an earlier run, revoked now (said in the instructions). */
  readonly revokedKeys: number;
}

/**
 * Seeds the demo: decks, the tree operator > admin > r1 > c1 (prepaid, 10.00) and c2
 * (postpaid, credit 5.00), and keys. Safe to run again: existing decks and accounts are kept,
 * the top-up is idempotent by its reference, and each run replaces the demo keys (stored keys
 * are hashes, so the old ones cannot be printed again).
 */
export async function seedDemo(services: AppServices): Promise<DemoSeed> {
  // Accounts first: a deck's owner must exist (the accounts name their decks by id only).
  let createdAccounts = 0;
  for (const input of demoAccounts) {
    const existing = await services.ledger.getAccount(input.id);
    if (existing.ok) continue;
    const created = await services.ledger.createAccount(input);
    if (!created.ok) throw new Error(`demo account ${input.id}: ${created.message}`);
    createdAccounts += 1;
  }
  for (const [id, deck] of Object.entries(demoDecks)) {
    if ((await services.deckStore.findDeckSummary(id)) !== null) continue;
    const imported = await services.decks.importDeck({ id, name: id, ownerAccountId: deck.owner,
      rootAccountId: 'operator', settings: { currency: 'USD' },
      csvText: demoDeckCsv(deck.rates), bands: null });
    if (!imported.ok) throw new Error(`demo deck ${id}: ${imported.message}`);
  }
  const topup = await services.ledger.topup({ accountId: 'c1', currency: 'USD',
    amountMicros: unitsMicros(10n), reference: 'demo-initial-topup',
    idempotencyKey: 'topup:c1:demo-initial-topup' });
  if (!topup.ok) throw new Error(`demo top-up: ${topup.message}`);
  const keys = [];
  let revokedKeys = 0;
  for (const { id } of demoAccounts) {
    revokedKeys += await services.apiKeys.revokeKeysByLabel({ accountId: id,
      label: demoKeyLabel });
    const created = await services.apiKeys.createKey({ accountId: id, label: demoKeyLabel,
      creator: { kind: 'operator' }, scope: 'full', expiresAtMs: null });
    if (!created.ok) throw new Error(`demo key ${id}: ${created.message}`);
    keys.push({ accountId: id, key: created.value.key });
  }
  return { keys, createdAccounts, revokedKeys };
}

/** What `serve --demo` prints: the keys and a test call with curl. */
export function demoInstructions(options: {
  baseUrl: string;
  seed: DemoSeed;
  sessionId: string;
}): string {
  const { baseUrl, seed, sessionId } = options;
  const keyOf = (id: string) => seed.keys.find((entry) => entry.accountId === id)?.key ?? '';
  const json = "-H 'content-type: application/json'";
  const auth = '-H "authorization: Bearer $C1_KEY"';
  const session = `${baseUrl}/v1/sessions`;
  return [
    'Demo: operator (super_admin) > admin > r1 (reseller) > c1 (prepaid, 10.00),',
    '      c2 (postpaid, credit limit 5.00); decks demo-carrier, demo-wholesale,',
    '      demo-reseller, demo-retail (UK 44/447, US 1, Germany 49/4915; 30/6 blocks).',
    'API keys (a key acts on its account and everything below it):',
    ...seed.keys.map((entry) => `  export ${entry.accountId.toUpperCase()}_KEY=${entry.key}`),
    ...(seed.revokedKeys === 0 ? [] : [`  (these replace the ${seed.revokedKeys} demo keys ` +
      'an earlier --demo run printed, which no longer work: only hashes are stored)']),
    '',
    'A test call from c1 to +44 20 7946 0000 (authorize, one update, terminate at 47 s):',
    `  curl -s ${session} ${auth} ${json} -d '{"session_id":"${sessionId}",` +
      `"account_id":"c1","caller":"15551230000","callee":"442079460000","request_number":0}'`,
    `  curl -s ${session}/${sessionId}/update ${auth} ${json} ` +
      `-d '{"request_number":1,"used_seconds":30}'`,
    `  curl -s ${session}/${sessionId}/terminate ${auth} ${json} ` +
      `-d '{"request_number":2,"used_seconds":47}'`,
    'The balance, the CDR, the reseller\'s view:',
    `  curl -s ${baseUrl}/v1/accounts/c1 ${auth}`,
    `  curl -s ${baseUrl}/v1/cdrs ${auth}`,
    `  curl -s ${baseUrl}/v1/accounts/r1/children -H "authorization: Bearer $R1_KEY"`,
    `(c1's key: ${keyOf('c1')})`,
    `The API: ${baseUrl}/openapi.json`,
  ].join('\n');
}
