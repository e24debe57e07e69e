import {
  ManualClock,
  createLedgerService,
  ledgerLimits,
  micros,
  revenueBookId,
  type Account,
  type AccountId,
  type CurrencyCode,
  type LedgerService,
  type LedgerStore,
} from '../../src/index.ts';
import { LedgerModel } from './ledger-simulation-model.ts';
import { checkModel, runStep } from './ledger-simulation-steps.ts';

/**
 * A seeded random workload over a random reseller tree: top-ups, chain reservations, commits
 * (full, partial, nibbles), releases, expiries under a manual clock, one-shot charges, refunds
 * and replays. After every step the ledger verifies itself and is compared with an independent
 * model. A failure names the seed and the step, so the run can be replayed.
 */
export interface SimulationOptions {
  readonly store: LedgerStore;
  readonly seed: number;
  readonly steps: number;
}

export interface SimulationWorld {
  readonly ledger: LedgerService;
  readonly clock: ManualClock;
  readonly random: () => number;
  readonly model: LedgerModel;
  readonly accounts: Map<string, Account>;
  readonly customers: string[];
  readonly charges: bigint[];
  readonly replays: Array<() => Promise<boolean>>;
  counter: number;
}

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

export async function runLedgerSimulation(options: SimulationOptions): Promise<Record<string,
  number>> {
  const clock = new ManualClock(Date.UTC(2025, 9, 25, 22, 0, 0));
  const world: SimulationWorld = { ledger: createLedgerService({ store: options.store, clock }),
    clock, random: seededRandom(options.seed), model: new LedgerModel(), accounts: new Map(),
    customers: [], charges: [], replays: [], counter: 0 };
  const counts: Record<string, number> = {};
  let step = 0;
  try {
    await buildTree(world);
    for (; step < options.steps; step += 1) {
      const name = await runStep(world);
      counts[name] = (counts[name] ?? 0) + 1;
      await checkModel(world);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`ledger simulation failed: seed ${options.seed}, step ${step}: ${reason}`,
      { cause: error });
  }
  return counts;
}

const zones = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland'];

async function create(world: SimulationWorld, input: Parameters<LedgerService['createAccount']>[0])
  : Promise<Account> {
  const created = await world.ledger.createAccount(input);
  if (!created.ok) throw new Error(`create ${input.id}: ${created.code} ${created.message}`);
  world.accounts.set(created.value.account.id, created.value.account);
  world.model.revenue.set(revenueBookId(created.value.account.id, 'USD' as CurrencyCode), 0n);
  return created.value.account;
}

/** root -> admin -> a random nest of resellers -> customers (some under the admin). */
async function buildTree(world: SimulationWorld): Promise<void> {
  const { random } = world;
  const money = (maxUnits: number): bigint => BigInt(Math.floor(random() * maxUnits * 1e6));
  await create(world, { id: 'root', tier: 'super_admin', parentId: null, name: 'root',
    currency: 'USD' });
  await create(world, { id: 'admin', tier: 'admin', parentId: 'root', name: 'admin',
    currency: 'USD', mode: 'postpaid', creditLimitMicros: micros(money(80)) });
  const parents: AccountId[] = ['admin' as AccountId];
  const resellerCount = 1 + Math.floor(random() * 4);
  for (let index = 0; index < resellerCount; index += 1) {
    const parentId = pick(random, parents);
    const parent = world.accounts.get(parentId);
    const chainLength = parent === undefined ? 0 : (await world.ledger.getAccountChain(parentId));
    const depth = typeof chainLength === 'number' || !chainLength.ok ? 0
      : chainLength.value.filter((account) => account.tier === 'reseller').length;
    if (depth >= ledgerLimits.resellerDepthMax) continue;
    const reseller = await create(world, { id: `res${index}`, tier: 'reseller', parentId,
      name: `reseller ${index}`, currency: 'USD', mode: 'postpaid',
      creditLimitMicros: micros(money(40)), timeZone: pick(random, zones) });
    parents.push(reseller.id);
  }
  const customerCount = 3 + Math.floor(random() * 6);
  for (let index = 0; index < customerCount; index += 1) {
    const daily = random() < 0.3 ? micros(money(6)) : null;
    const customer = await create(world, { id: `cus${index}`, tier: 'customer',
      parentId: pick(random, parents), name: `customer ${index}`, currency: 'USD',
      dailyLimitMicros: daily, timeZone: pick(random, zones) });
    world.customers.push(customer.id);
  }
}
