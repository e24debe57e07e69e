import {
  formatMicros,
  micros,
  type CreateAccountInput,
  type CurrencyCode,
  type Micros,
  type RateDeck,
} from '../../src/index.ts';
import { deck, type RowSpec } from '../rating-kit.ts';
import type { ModelAccount } from './engine-sim-model.ts';
import { between, call, chance, fail, pick, type World } from './engine-sim-world.ts';

const prefixes = ['1', '44', '4420', '49', '33'];
const increments: ReadonlyArray<readonly [number, number]> = [[1, 1], [6, 6], [30, 6], [60, 60]];
const zones = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata'];

/** A random amount of micros between two whole-unit bounds, as bigint. */
export function randomMicros(world: World, lowMicros: bigint, highMicros: bigint): Micros {
  const span = highMicros - lowMicros;
  const draw = BigInt(Math.floor(world.random() * 1_000_000));
  return micros(lowMicros + (span * draw) / 1_000_000n);
}

function text(amount: Micros): string {
  return formatMicros(amount, 6);
}

/** A deck of the tree's currency; some prefixes have no rate in it (no_rate refusals). */
function randomDeck(world: World, currency: string): RateDeck {
  const specs: RowSpec[] = [];
  for (const prefix of prefixes) {
    if (chance(world, 0.07)) continue;
    const [initial, increment] = pick(world.random, increments);
    specs.push({ prefix, rate: text(randomMicros(world, 10_000n, 900_000n)), initial, increment,
      ...(chance(world, 0.3) ? { connect: text(randomMicros(world, 1_000n, 60_000n)) } : {}) });
  }
  if (specs.length === 0) specs.push({ prefix: '44', rate: '0.05' });
  const built = deck(specs);
  return { ...built, settings: { ...built.settings, currency: currency as CurrencyCode } };
}

export function randomCallee(world: World): string {
  const digits = String(between(world, 1_000_000, 9_999_999));
  return chance(world, 0.03) ? `999${digits}` : `${pick(world.random, prefixes)}${digits}`;
}

async function create(world: World, input: CreateAccountInput): Promise<void> {
  const created = await call(world, `create ${input.id}`, (node) =>
    node.ledger.createAccount(input));
  if (!created.ok) fail(`create ${input.id}: ${created.code} ${created.message}`);
  const account = created.value.account;
  const model: ModelAccount = { id: account.id, tier: account.tier, parentId: account.parentId,
    currency: account.currency, mode: account.mode, creditLimitMicros: account.creditLimitMicros,
    dailyLimitMicros: account.dailyLimitMicros, concurrentCallsMax: account.concurrentCallsMax,
    timeZone: account.timeZone, rateDeckId: account.rateDeckId, state: 'active',
    topupMicros: 0n };
  world.model.accounts.set(account.id, model);
  if (account.tier === 'customer') world.model.customers.push(account.id);
}

export async function topupNow(world: World, accountId: string, amount: Micros): Promise<void> {
  world.counter += 1;
  const account = world.model.accounts.get(accountId)!;
  const result = await call(world, `topup ${accountId}`, (node) => node.ledger.topup({
    accountId, currency: account.currency, amountMicros: amount,
    reference: `topup-${world.counter}`, idempotencyKey: `topup-${world.counter}#0` }));
  if (!result.ok) fail(`topup ${accountId}: ${result.code}`);
  account.topupMicros += amount;
}

const unit = 1_000_000n;

/**
 * One operator's tree: root -> admin -> nested resellers -> customers (some under the admin),
 * prepaid and postpaid, credit limits at every level, daily limits and concurrent-call limits
 * here and there, each account priced by a deck its parent sells it.
 */
async function buildTree(world: World, tree: number, currency: string): Promise<void> {
  const id = (name: string) => `t${tree}-${name}`;
  const deckIds = [0, 1, 2, 3].map((index) => id(`deck${index}`));
  for (const deckId of deckIds) world.decks.set(deckId, randomDeck(world, currency));
  const deckOf = () => pick(world.random, deckIds);
  await create(world, { id: id('root'), tier: 'super_admin', parentId: null, name: 'root',
    currency });
  await create(world, { id: id('admin'), tier: 'admin', parentId: id('root'), name: 'admin',
    currency, mode: 'postpaid', creditLimitMicros: randomMicros(world, 20n * unit, 200n * unit),
    rateDeckId: deckOf() });
  const parents = [id('admin')];
  const resellers = between(world, 0, 3);
  for (let index = 0; index < resellers; index += 1) {
    const reseller = id(`r${index}`);
    await create(world, { id: reseller, tier: 'reseller', parentId: pick(world.random, parents),
      name: reseller, currency, mode: 'postpaid', rateDeckId: deckOf(),
      creditLimitMicros: randomMicros(world, 3n * unit, 60n * unit),
      concurrentCallsMax: chance(world, 0.3) ? between(world, 2, 6) : null,
      dailyLimitMicros: chance(world, 0.15) ? randomMicros(world, 2n * unit, 20n * unit) : null,
      timeZone: pick(world.random, zones) });
    parents.push(reseller);
  }
  const customers = between(world, 3, 7);
  for (let index = 0; index < customers; index += 1) {
    const customer = id(`c${index}`);
    const prepaid = chance(world, 0.65);
    await create(world, { id: customer, tier: 'customer', parentId: pick(world.random, parents),
      name: customer, currency, mode: prepaid ? 'prepaid' : 'postpaid', rateDeckId: deckOf(),
      creditLimitMicros: prepaid ? micros(0n) : randomMicros(world, unit, 20n * unit),
      dailyLimitMicros: chance(world, 0.2) ? randomMicros(world, 2n * unit, 20n * unit) : null,
      concurrentCallsMax: chance(world, 0.35) ? between(world, 1, 3) : null,
      timeZone: pick(world.random, zones) });
    if (prepaid) await topupNow(world, customer, randomMicros(world, 0n, 8n * unit));
  }
}

/** One or two operators, in different currencies: their journals must each sum to zero. */
export async function buildTrees(world: World): Promise<void> {
  const currencies = chance(world, 0.5) ? ['USD'] : ['USD', 'EUR'];
  for (const [tree, currency] of currencies.entries()) await buildTree(world, tree, currency);
}
