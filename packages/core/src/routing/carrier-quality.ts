import { assert } from '../kernel/assert.ts';

/**
 * Live quality of a carrier towards one destination prefix: answer-seizure ratio (ASR),
 * average call duration (ACD), post-dial delay (PDD) when the switch reports it, and failures,
 * over a sliding window of one-minute buckets. Pure: the state goes in with `nowMs` and comes
 * out changed, with the events worth logging.
 */
export interface QualitySettings {
  /** Length of the sliding window. */
  readonly windowMs: number;
  /** Attempts in the window before ASR is judged at all (a few failures prove nothing). */
  readonly attemptsMin: number;
  /** ASR below this, in basis points (1/100 of a percent), takes the carrier out. */
  readonly asrMinBp: number;
  /** How long a carrier stays out for this prefix before it gets traffic again. */
  readonly coolDownMs: number;
}

export const qualityDefaults: QualitySettings = {
  windowMs: 15 * 60_000,
  attemptsMin: 10,
  asrMinBp: 2_000,
  coolDownMs: 5 * 60_000,
};

const bucketMs = 60_000;
/** Buckets per key at most, whatever the window: bounds memory per carrier and prefix. */
export const qualityBucketsMax = 24 * 60;

interface Bucket {
  startMs: number;
  attempts: number;
  answered: number;
  failures: number;
  answeredSeconds: number;
  pddMsTotal: number;
  pddCount: number;
}

export interface QualityKeyState {
  readonly buckets: Bucket[];
  /** Taken out until this instant (cool-down), or null. */
  outUntilMs: number | null;
}

export interface QualityView {
  readonly attempts: number;
  readonly answered: number;
  readonly failures: number;
  /** Basis points, null before the first attempt in the window. */
  readonly asrBp: number | null;
  /** Whole seconds (floor), null before the first answered call. */
  readonly acdS: number | null;
  readonly pddMs: number | null;
  readonly outUntilMs: number | null;
}

export type QualityEvent =
  | { readonly kind: 'carrier_out'; readonly asrBp: number; readonly untilMs: number }
  | { readonly kind: 'carrier_back' };

export interface CallOutcome {
  /** Seconds the call was up; 0 = not answered (a failed seizure). */
  readonly usedSeconds: number;
  readonly pddMs?: number;
}

export function emptyQualityState(): QualityKeyState {
  return { buckets: [], outUntilMs: null };
}

function windowBuckets(state: QualityKeyState, settings: QualitySettings, nowMs: number) {
  const fromMs = nowMs - settings.windowMs;
  return state.buckets.filter((bucket) => bucket.startMs + bucketMs > fromMs);
}

/** Drops buckets that left the window, ends a cool-down that is over. */
export function advanceQuality(
  state: QualityKeyState,
  settings: QualitySettings,
  nowMs: number,
): QualityEvent[] {
  const kept = windowBuckets(state, settings, nowMs);
  state.buckets.splice(0, state.buckets.length, ...kept);
  if (state.outUntilMs !== null && nowMs >= state.outUntilMs) {
    state.outUntilMs = null;
    // The carrier comes back with a clean slate: the failures that took it out are not held
    // against it a second time.
    state.buckets.length = 0;
    return [{ kind: 'carrier_back' }];
  }
  return [];
}

/** Records one finished attempt and judges the window. */
export function recordOutcome(
  state: QualityKeyState,
  settings: QualitySettings,
  outcome: CallOutcome,
  nowMs: number,
): QualityEvent[] {
  assert(Number.isInteger(outcome.usedSeconds) && outcome.usedSeconds >= 0, 'whole seconds');
  const events = advanceQuality(state, settings, nowMs);
  const startMs = nowMs - (nowMs % bucketMs);
  let bucket = state.buckets.at(-1);
  if (bucket === undefined || bucket.startMs !== startMs) {
    bucket = { startMs, attempts: 0, answered: 0, failures: 0, answeredSeconds: 0,
      pddMsTotal: 0, pddCount: 0 };
    state.buckets.push(bucket);
    if (state.buckets.length > qualityBucketsMax) state.buckets.shift();
  }
  bucket.attempts += 1;
  if (outcome.usedSeconds > 0) {
    bucket.answered += 1;
    bucket.answeredSeconds += outcome.usedSeconds;
  } else {
    bucket.failures += 1;
  }
  if (outcome.pddMs !== undefined) {
    bucket.pddMsTotal += outcome.pddMs;
    bucket.pddCount += 1;
  }
  const view = viewQuality(state, settings, nowMs);
  if (state.outUntilMs === null && view.asrBp !== null && view.attempts >= settings.attemptsMin
    && view.asrBp < settings.asrMinBp) {
    state.outUntilMs = nowMs + settings.coolDownMs;
    events.push({ kind: 'carrier_out', asrBp: view.asrBp, untilMs: state.outUntilMs });
  }
  return events;
}

/** The window's figures at `nowMs` (read only). */
export function viewQuality(
  state: QualityKeyState,
  settings: QualitySettings,
  nowMs: number,
): QualityView {
  let attempts = 0;
  let answered = 0;
  let failures = 0;
  let answeredSeconds = 0;
  let pddMsTotal = 0;
  let pddCount = 0;
  for (const bucket of windowBuckets(state, settings, nowMs)) {
    attempts += bucket.attempts;
    answered += bucket.answered;
    failures += bucket.failures;
    answeredSeconds += bucket.answeredSeconds;
    pddMsTotal += bucket.pddMsTotal;
    pddCount += bucket.pddCount;
  }
  const outUntilMs = state.outUntilMs !== null && nowMs < state.outUntilMs
    ? state.outUntilMs : null;
  return { attempts, answered, failures,
    asrBp: attempts === 0 ? null : Math.floor((answered * 10_000) / attempts),
    acdS: answered === 0 ? null : Math.floor(answeredSeconds / answered),
    pddMs: pddCount === 0 ? null : Math.floor(pddMsTotal / pddCount), outUntilMs };
}
