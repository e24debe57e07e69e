import {
  fundsCodes,
  micros,
  revenueBookId,
  worldBookId,
  type Account,
  type ChainLegInput,
  type CurrencyCode,
  type TransferId,
} from '../../src/index.ts';
import { pick, type SimulationWorld } from './ledger-simulation.ts';

const usd = 'USD' as CurrencyCode;

function fail(message: string): never {
  throw new Error(message);
}

function account(world: SimulationWorld, id: string): Account {
  return world.accounts.get(id) ?? fail(`unknown account ${id}`);
}

function randomMicros(world: SimulationWorld, maxMicros: bigint): bigint {
  return BigInt(Math.floor(world.random() * Number(maxMicros + 1n)));
}

/** Legs from a customer up its chain; the root pays the world only sometimes. */
async function chainLegsFor(world: SimulationWorld, customerId: string): Promise<ChainLegInput[]> {
  const chain = await world.ledger.getAccountChain(customerId);
  if (!chain.ok) fail(`chain of ${customerId}: ${chain.code}`);
  let amount = 10_000n + randomMicros(world, 2_990_000n);
  const legs: ChainLegInput[] = [];
  for (const level of chain.value) {
    if (level.parentId === null && world.random() < 0.6) break;
    legs.push({ accountId: level.id, parentId: level.parentId, currency: 'USD',
      amountMicros: micros(amount) });
    amount = (amount * BigInt(50 + Math.floor(world.random() * 45))) / 100n;
    if (amount === 0n) amount = 1n;
  }
  return legs;
}

function creditBookOf(leg: ChainLegInput): string {
  return leg.parentId === null ? worldBookId(usd) : revenueBookId(leg.parentId as never, usd);
}

/** The first leg the model says cannot pay; -1 when every leg can. */
function firstShortLeg(world: SimulationWorld, legs: readonly ChainLegInput[],
  extra: (id: string) => { posted: bigint; pending: bigint; spent: bigint } = () => ({
    posted: 0n, pending: 0n, spent: 0n })): number {
  const nowMs = world.clock.nowMs();
  return legs.findIndex((leg) => {
    const shift = extra(leg.accountId);
    world.model.add(world.model.posted, leg.accountId, shift.posted);
    world.model.add(world.model.pending, leg.accountId, shift.pending);
    const available = world.model.available(account(world, leg.accountId), nowMs, shift.spent);
    world.model.add(world.model.posted, leg.accountId, -shift.posted);
    world.model.add(world.model.pending, leg.accountId, -shift.pending);
    return available !== null && available < leg.amountMicros;
  });
}

function expectRefusal(result: { ok: boolean; code?: string; legIndex?: number },
  shortLeg: number, what: string): void {
  if (shortLeg < 0 && !result.ok) fail(`${what} refused with ${result.code}, model says it fits`);
  if (shortLeg >= 0 && result.ok) fail(`${what} accepted, model says leg ${shortLeg} cannot pay`);
  if (shortLeg >= 0 && (result.legIndex !== shortLeg ||
    !(fundsCodes as readonly string[]).includes(result.code ?? ''))) {
    fail(`${what} refused with ${result.code} at leg ${result.legIndex}, model says ${shortLeg}`);
  }
}

async function stepTopup(world: SimulationWorld): Promise<void> {
  const id = pick(world.random, world.customers);
  const amount = 1n + randomMicros(world, 10_000_000n);
  world.counter += 1;
  const input = { accountId: id, currency: 'USD', amountMicros: micros(amount),
    reference: `topup-${world.counter}`, idempotencyKey: `topup-${world.counter}#0` };
  const result = await world.ledger.topup(input);
  if (!result.ok) fail(`topup refused: ${result.code}`);
  world.model.add(world.model.posted, id, amount);
  world.replays.push(async () => {
    const again = await world.ledger.topup(input);
    return again.ok && again.value.replayed;
  });
}

async function stepReserve(world: SimulationWorld): Promise<void> {
  const legs = await chainLegsFor(world, pick(world.random, world.customers));
  world.counter += 1;
  const id = `res-${world.counter}`;
  const expiresAtMs = world.clock.nowMs() + 10_000 + Math.floor(world.random() * 110_000);
  const input = { reservationId: id, reference: id, idempotencyKey: `${id}#0`, legs, expiresAtMs };
  const shortLeg = firstShortLeg(world, legs);
  const result = await world.ledger.reserveChain(input);
  expectRefusal(result, shortLeg, `reserve ${id}`);
  if (!result.ok) return;
  for (const leg of legs) world.model.hold(leg.accountId, leg.amountMicros);
  world.model.open.set(id, { expiresAtMs, legs: legs.map((leg) => ({
    accountId: leg.accountId, creditBookId: creditBookOf(leg), pendingMicros: leg.amountMicros,
  })) });
  world.replays.push(async () => {
    const again = await world.ledger.reserveChain(input);
    return again.ok && again.value.replayed;
  });
}

async function stepCommit(world: SimulationWorld): Promise<void> {
  const ids = [...world.model.open.keys()];
  if (ids.length === 0) return;
  const id = pick(world.random, ids);
  const open = world.model.open.get(id) ?? fail('open reservation');
  const amounts = open.legs.map((leg) => micros(randomMicros(world, leg.pendingMicros)));
  const nowMs = world.clock.nowMs();
  const keep = world.random() < 0.3
    ? { amountsMicros: open.legs.map((leg) => micros(randomMicros(world, leg.pendingMicros))),
      expiresAtMs: nowMs + 30_000 } : undefined;
  world.counter += 1;
  const result = await world.ledger.commitReservation({ reservationId: id,
    idempotencyKey: `${id}#c${world.counter}`, amountsMicros: amounts,
    ...(keep === undefined ? {} : { keepOpen: keep }) });
  if (nowMs >= open.expiresAtMs) {
    if (result.ok || result.code !== 'reservation_expired') fail(`commit past deadline: ${id}`);
    return;
  }
  let shortLeg = -1;
  if (keep !== undefined) {
    const legs = open.legs.map((leg, index) => ({ accountId: leg.accountId, parentId: null,
      currency: 'USD', amountMicros: keep.amountsMicros[index] ?? micros(0n) }));
    shortLeg = firstShortLeg(world, legs, (accountId) => {
      const index = open.legs.findIndex((leg) => leg.accountId === accountId);
      const leg = open.legs[index];
      const committed = amounts[index] ?? 0n;
      return { posted: -committed, pending: -(leg?.pendingMicros ?? 0n), spent: committed };
    });
  }
  expectRefusal(result, shortLeg, `commit ${id}`);
  if (!result.ok) return;
  applyCommit(world, id, amounts, keep?.amountsMicros ?? null, keep?.expiresAtMs ?? 0);
}

function applyCommit(world: SimulationWorld, id: string, amounts: readonly bigint[],
  holds: readonly bigint[] | null, expiresAtMs: number): void {
  const open = world.model.open.get(id) ?? fail('open reservation');
  const nowMs = world.clock.nowMs();
  open.legs.forEach((leg, index) => {
    const amount = amounts[index] ?? 0n;
    world.model.hold(leg.accountId, -leg.pendingMicros);
    if (amount > 0n) world.model.charge(account(world, leg.accountId), leg.creditBookId, amount,
      nowMs);
    leg.pendingMicros = holds?.[index] ?? 0n;
    world.model.hold(leg.accountId, leg.pendingMicros);
  });
  if (holds === null) world.model.open.delete(id);
  else open.expiresAtMs = expiresAtMs;
}

function releaseInModel(world: SimulationWorld, id: string): void {
  const open = world.model.open.get(id) ?? fail('open reservation');
  for (const leg of open.legs) world.model.hold(leg.accountId, -leg.pendingMicros);
  world.model.open.delete(id);
}

async function stepRelease(world: SimulationWorld): Promise<void> {
  const ids = [...world.model.open.keys()];
  if (ids.length === 0) return;
  const id = pick(world.random, ids);
  const result = await world.ledger.releaseReservation({ reservationId: id,
    idempotencyKey: `${id}#release` });
  if (!result.ok) fail(`release ${id}: ${result.code}`);
  releaseInModel(world, id);
}

async function stepExpire(world: SimulationWorld): Promise<void> {
  world.clock.advanceMs(Math.floor(world.random() * 90_000));
  const nowMs = world.clock.nowMs();
  const due = [...world.model.open].filter(([, open]) => open.expiresAtMs <= nowMs)
    .map(([id]) => id).sort();
  const result = await world.ledger.expireReservations();
  if (!result.ok) fail(`expire: ${result.code}`);
  const expired = [...result.value.expiredIds].sort();
  if (expired.join(',') !== due.join(',')) fail(`expired ${expired} but model says ${due}`);
  for (const id of due) releaseInModel(world, id);
}

async function stepCharge(world: SimulationWorld): Promise<void> {
  const legs = await chainLegsFor(world, pick(world.random, world.customers));
  world.counter += 1;
  const shortLeg = firstShortLeg(world, legs);
  const result = await world.ledger.postCharge({ reference: `cdr-${world.counter}`,
    idempotencyKey: `cdr-${world.counter}#0`, legs, overdraft: 'refuse' });
  expectRefusal(result, shortLeg, 'charge');
  if (!result.ok) return;
  const nowMs = world.clock.nowMs();
  for (const leg of legs) {
    world.model.charge(account(world, leg.accountId), creditBookOf(leg), leg.amountMicros, nowMs);
  }
  world.charges.push(...result.value.transfers.map((transfer) => transfer.id));
}

async function stepRefund(world: SimulationWorld): Promise<void> {
  if (world.charges.length === 0) return;
  const transferId = pick(world.random, world.charges) as TransferId;
  world.counter += 1;
  const amount = micros(1n + randomMicros(world, 300_000n));
  const result = await world.ledger.refund({ transferId, amountMicros: amount,
    reference: `refund-${world.counter}`, idempotencyKey: `refund-${world.counter}#0` });
  if (!result.ok) {
    if (result.code !== 'refund_exceeds_charge') fail(`refund: ${result.code}`);
    return;
  }
  const [reversal] = result.value.transfers;
  if (reversal === undefined) fail('a refund posts one transfer');
  const payer = reversal.creditBookId.slice(0, reversal.creditBookId.indexOf('/'));
  world.model.add(world.model.posted, payer, amount);
  if (!reversal.debitBookId.startsWith('@world/')) {
    world.model.add(world.model.revenue, reversal.debitBookId, -amount);
  }
}

async function stepReplay(world: SimulationWorld): Promise<void> {
  if (world.replays.length === 0) return;
  const replay = pick(world.random, world.replays);
  if (!(await replay())) fail('a replayed request was not answered from the stored outcome');
}

const steps: ReadonlyArray<[number, string, (world: SimulationWorld) => Promise<void>]> = [
  [0.18, 'topup', stepTopup],
  [0.48, 'reserve', stepReserve],
  [0.68, 'commit', stepCommit],
  [0.76, 'release', stepRelease],
  [0.86, 'expire', stepExpire],
  [0.93, 'charge', stepCharge],
  [0.97, 'refund', stepRefund],
  [1.0, 'replay', stepReplay],
];

export async function runStep(world: SimulationWorld): Promise<string> {
  const draw = world.random();
  const [, name, step] = steps.find(([upTo]) => draw < upTo) ?? steps[0] ?? fail('steps');
  await step(world);
  return name;
}

/** The invariants, after every step: the ledger verifies, and agrees with the model. */
export async function checkModel(world: SimulationWorld): Promise<void> {
  const report = await world.ledger.verifyLedger();
  if (!report.ok) fail(`verify: ${report.code}`);
  if (!report.value.ok) fail(`inconsistent: ${JSON.stringify(report.value.findings[0], big)}`);
  if (report.value.overdrawnCount > 0) fail(`overdrawn: ${report.value.overdrawn[0]?.accountId}`);
  for (const id of world.accounts.keys()) {
    const view = await world.ledger.getAccount(id);
    if (!view.ok) fail(`get ${id}: ${view.code}`);
    const posted = world.model.posted.get(id) ?? 0n;
    const pending = world.model.pending.get(id) ?? 0n;
    if (view.value.postedMicros !== posted || view.value.pendingMicros !== pending) {
      fail(`${id}: ledger ${view.value.postedMicros}/${view.value.pendingMicros}, ` +
        `model ${posted}/${pending}`);
    }
    for (const book of view.value.revenueBooks) {
      const expected = world.model.revenue.get(book.id) ?? 0n;
      if (book.postedMicros !== expected) fail(`${book.id}: ${book.postedMicros} vs ${expected}`);
    }
  }
}

function big(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
