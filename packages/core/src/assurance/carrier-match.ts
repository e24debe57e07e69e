import { micros, type Micros } from '../kernel/money.ts';
import type { CarrierRecord } from './carrier-file.ts';

/** One of our calls carried by the carrier, as its CDR states it. */
export interface CarriedCall {
  readonly sessionId: string;
  readonly startedAtMs: number;
  readonly caller: string;
  readonly callee: string;
  readonly usedSeconds: number;
  /** The carrier's deck prefix that priced it. */
  readonly prefix: string;
  /** The carrier's price for it as we rated it, in the carrier's currency. */
  readonly costMicros: Micros;
}

export interface MatchSettings {
  /** How far apart the two start times may be. */
  readonly timeWindowMs: number;
  /** How far apart the two durations may be. */
  readonly durationToleranceSeconds: number;
  /** A matched pair whose costs differ by more is listed as mispriced. */
  readonly costToleranceMicros: Micros;
}

export interface MatchedCall {
  readonly record: CarrierRecord;
  readonly call: CarriedCall;
  /** Theirs minus ours. */
  readonly differenceMicros: Micros;
}

export interface DestinationCheck {
  /** Our carrier prefix; null for their records we could not match. */
  readonly prefix: string | null;
  readonly matched: number;
  readonly theirMicros: Micros;
  readonly ourMicros: Micros;
}

export interface InvoiceMatch {
  readonly matched: number;
  readonly mispriced: readonly MatchedCall[];
  /** On their file, not in our CDRs. */
  readonly missingOurs: readonly CarrierRecord[];
  /** In our CDRs, not on their file. */
  readonly missingTheirs: readonly CarriedCall[];
  readonly byDestination: readonly DestinationCheck[];
}

/** Digits only, without the international prefix's `00` or leading zeros. */
export function numberKey(text: string): string {
  return text.replace(/\D/g, '').replace(/^0+/, '');
}

/** Same number, or one is the other with a country or trunk prefix (7 digits at least). */
function sameNumber(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 7 && long.endsWith(short);
}

/** Numbers are bucketed by their last digits, so a record looks at a few calls only. */
const bucketDigits = 7;

/**
 * Matches the carrier's records to our calls: same callee, caller too when both have one,
 * start times within the window, durations within the tolerance; each call matches once, to
 * the record closest in time (then in duration). Pure; records and calls in any order.
 */
export function matchCarrierRecords(records: readonly CarrierRecord[],
  calls: readonly CarriedCall[], settings: MatchSettings): InvoiceMatch {
  const buckets = new Map<string, CarriedCall[]>();
  for (const call of calls) {
    const key = numberKey(call.callee).slice(-bucketDigits);
    buckets.set(key, [...(buckets.get(key) ?? []), call]);
  }
  const taken = new Set<CarriedCall>();
  const pairs: MatchedCall[] = [];
  const missingOurs: CarrierRecord[] = [];
  for (const record of [...records].sort((a, b) => a.startedAtMs - b.startedAtMs)) {
    const callee = numberKey(record.callee);
    const candidates = (buckets.get(callee.slice(-bucketDigits)) ?? []).filter((call) =>
      !taken.has(call) && fits(record, call, callee, settings));
    const best = candidates.sort((a, b) => distance(record, a) - distance(record, b))[0];
    if (best === undefined) {
      missingOurs.push(record);
      continue;
    }
    taken.add(best);
    pairs.push({ record, call: best,
      differenceMicros: micros(record.costMicros - best.costMicros) });
  }
  const missingTheirs = calls.filter((call) => !taken.has(call));
  return { matched: pairs.length, missingOurs, missingTheirs,
    mispriced: pairs.filter((pair) => abs(pair.differenceMicros) >
      settings.costToleranceMicros),
    byDestination: destinationsOf(pairs, missingOurs, missingTheirs) };
}

function fits(record: CarrierRecord, call: CarriedCall, callee: string,
  settings: MatchSettings): boolean {
  if (!sameNumber(callee, numberKey(call.callee))) return false;
  const theirCaller = numberKey(record.caller);
  const ourCaller = numberKey(call.caller);
  if (theirCaller !== '' && ourCaller !== '' && !sameNumber(theirCaller, ourCaller)) {
    return false;
  }
  return Math.abs(record.startedAtMs - call.startedAtMs) <= settings.timeWindowMs &&
    Math.abs(record.durationSeconds - call.usedSeconds) <= settings.durationToleranceSeconds;
}

/** Time first, duration to break ties (a second weighs less than a millisecond of start). */
function distance(record: CarrierRecord, call: CarriedCall): number {
  return Math.abs(record.startedAtMs - call.startedAtMs) * 1_000 +
    Math.abs(record.durationSeconds - call.usedSeconds);
}

const abs = (value: bigint) => value < 0n ? -value : value;

function destinationsOf(pairs: readonly MatchedCall[], missingOurs: readonly CarrierRecord[],
  missingTheirs: readonly CarriedCall[]): DestinationCheck[] {
  const sums = new Map<string | null, { matched: number; their: bigint; our: bigint }>();
  const add = (prefix: string | null, matched: number, their: bigint, our: bigint) => {
    const sum = sums.get(prefix) ?? { matched: 0, their: 0n, our: 0n };
    sums.set(prefix, { matched: sum.matched + matched, their: sum.their + their,
      our: sum.our + our });
  };
  for (const pair of pairs) add(pair.call.prefix, 1, pair.record.costMicros, pair.call.costMicros);
  for (const record of missingOurs) add(null, 0, record.costMicros, 0n);
  for (const call of missingTheirs) add(call.prefix, 0, 0n, call.costMicros);
  return [...sums].map(([prefix, sum]) => ({ prefix, matched: sum.matched,
    theirMicros: micros(sum.their), ourMicros: micros(sum.our) }))
    .sort((a, b) => (a.prefix ?? '~') < (b.prefix ?? '~') ? -1 : 1);
}
