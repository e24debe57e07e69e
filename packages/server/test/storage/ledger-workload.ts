import {
  createLedgerService,
  micros,
  type Clock,
  type LedgerStore,
  type Micros,
} from '@tollgate/core';

/**
 * A concurrent charging workload: loops that reserve a 3-level chain (customer, reseller,
 * admin), then commit in full, commit in part, nibble (commit and hold again), release, or leave
 * the reservation open. Every loop reports what it committed and what it left held, so the test
 * can compare the ledger with what the clients saw.
 */
export interface WorkloadChain {
  readonly root: string;
  readonly admin: string;
  readonly reseller: string;
  readonly customers: readonly string[];
}

export interface WorkloadConfig {
  readonly chain: WorkloadChain;
  readonly label: string;
  readonly loops: number;
  readonly iterations: number;
  readonly seed: number;
}

export interface WorkloadReport {
  reserved: number;
  refused: Record<string, number>;
  /** Micros, as decimal strings (the report crosses process boundaries as JSON). */
  committedByAccount: Record<string, string>;
  heldByAccount: Record<string, string>;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A small deterministic PRNG (mulberry32): the same seed gives the same workload. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function add(record: Record<string, string>, id: string, amount: bigint): void {
  record[id] = (BigInt(record[id] ?? '0') + amount).toString();
}

export async function runLedgerWorkload(
  store: LedgerStore,
  config: WorkloadConfig,
): Promise<WorkloadReport> {
  const report: WorkloadReport = { reserved: 0, refused: {}, committedByAccount: {},
    heldByAccount: {} };
  const loops = Array.from({ length: config.loops }, (_unused, loop) =>
    runLoop(store, config, loop, report));
  await Promise.all(loops);
  return report;
}

async function runLoop(
  store: LedgerStore,
  config: WorkloadConfig,
  loop: number,
  report: WorkloadReport,
): Promise<void> {
  const ledger = createLedgerService({ store, clock: systemClock });
  const random = prng(config.seed * 1_000 + loop);
  const { chain } = config;
  for (let iteration = 0; iteration < config.iterations; iteration += 1) {
    const customer = chain.customers[Math.floor(random() * chain.customers.length)] ?? '';
    const customerMicros = BigInt(200_000 + Math.floor(random() * 800_000));
    const amounts = [customerMicros, (customerMicros * 6n) / 10n, (customerMicros * 4n) / 10n];
    const ids = [customer, chain.reseller, chain.admin];
    const parents = [chain.reseller, chain.admin, chain.root];
    const reservationId = `${config.label}-${loop}-${iteration}`;
    const reserved = await ledger.reserveChain({ reservationId, reference: reservationId,
      idempotencyKey: `${reservationId}#0`, expiresAtMs: Date.now() + 600_000,
      legs: ids.map((accountId, index) => ({ accountId, parentId: parents[index] ?? null,
        currency: 'USD', amountMicros: micros(amounts[index] ?? 0n) })) });
    if (!reserved.ok) {
      report.refused[reserved.code] = (report.refused[reserved.code] ?? 0) + 1;
      continue;
    }
    report.reserved += 1;
    await settle(ledger, { reservationId, ids, amounts, choice: random(), report });
  }
}

async function settle(
  ledger: ReturnType<typeof createLedgerService>,
  options: { reservationId: string; ids: string[]; amounts: bigint[]; choice: number;
    report: WorkloadReport },
): Promise<void> {
  const { reservationId, ids, amounts, choice, report } = options;
  const scaled = (numerator: bigint): Micros[] =>
    amounts.map((amount) => micros((amount * numerator) / 10n));
  const record = (committed: readonly Micros[], held: readonly Micros[]): void => {
    ids.forEach((id, index) => {
      add(report.committedByAccount, id, committed[index] ?? 0n);
      add(report.heldByAccount, id, held[index] ?? 0n);
    });
  };
  const zero = amounts.map(() => micros(0n));
  if (choice < 0.1) {
    record(zero, amounts.map((amount) => micros(amount)));
    return;
  }
  if (choice < 0.25) {
    const released = await ledger.releaseReservation({ reservationId,
      idempotencyKey: `${reservationId}#1` });
    if (!released.ok) throw new Error(`release failed: ${released.code}`);
    return;
  }
  const first = choice < 0.6 ? scaled(10n) : scaled(4n);
  const keepOpen = choice >= 0.85
    ? { amountsMicros: scaled(3n), expiresAtMs: Date.now() + 600_000 } : undefined;
  const committed = await ledger.commitReservation({ reservationId,
    idempotencyKey: `${reservationId}#1`, amountsMicros: first,
    ...(keepOpen === undefined ? {} : { keepOpen }) });
  if (!committed.ok) {
    // A nibble may be refused for lack of funds: the reservation stays as it was; settle it.
    report.refused[`nibble_${committed.code}`] = (report.refused[`nibble_${committed.code}`] ??
      0) + 1;
    const final = await ledger.commitReservation({ reservationId,
      idempotencyKey: `${reservationId}#2`, amountsMicros: first });
    if (!final.ok) throw new Error(`commit failed: ${final.code}`);
    record(first, zero);
    return;
  }
  record(first, keepOpen === undefined ? zero : keepOpen.amountsMicros);
}

export function mergeReports(reports: readonly WorkloadReport[]): WorkloadReport {
  const merged: WorkloadReport = { reserved: 0, refused: {}, committedByAccount: {},
    heldByAccount: {} };
  for (const report of reports) {
    merged.reserved += report.reserved;
    for (const [code, count] of Object.entries(report.refused)) {
      merged.refused[code] = (merged.refused[code] ?? 0) + count;
    }
    for (const [id, amount] of Object.entries(report.committedByAccount)) {
      add(merged.committedByAccount, id, BigInt(amount));
    }
    for (const [id, amount] of Object.entries(report.heldByAccount)) {
      add(merged.heldByAccount, id, BigInt(amount));
    }
  }
  return merged;
}

