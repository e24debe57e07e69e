import fc from 'fast-check';

/**
 * How many cases each fuzz property runs and from which seed. CI runs each property with its
 * own small default, so the folder stays well under a minute on two cores;
 * `TOLLGATE_FUZZ_RUNS=100000` turns every property into a long run. The seed is fixed unless
 * `TOLLGATE_FUZZ_SEED` names another one, so a CI failure replays exactly; fast-check prints the
 * seed and the path of the failing case, and `TOLLGATE_FUZZ_PATH` replays that case alone.
 */

/** The default seed: this work's issue number, so CI always explores the same cases. */
const defaultSeed = 14;

export const fuzzSeed: number = readInteger('TOLLGATE_FUZZ_SEED') ?? defaultSeed;

const runsOverride = readInteger('TOLLGATE_FUZZ_RUNS');
const replayPath = process.env['TOLLGATE_FUZZ_PATH'];

/** Cases for one property: the override when set, else the property's CI default. */
export function fuzzRuns(ciDefault: number): number {
  return runsOverride ?? ciDefault;
}

/** fast-check parameters for one property: runs, the seed, and a replay path when given. */
export function fuzzParameters<T>(ciDefault: number): fc.Parameters<T> {
  return {
    numRuns: fuzzRuns(ciDefault),
    seed: fuzzSeed,
    ...(replayPath === undefined || replayPath === '' ? {} : { path: replayPath }),
  };
}

/**
 * A test timeout that grows with the number of cases: the CI size keeps Vitest's default, a
 * long run gets `caseMsMax` for each case on top.
 */
export function fuzzTimeoutMs(ciDefault: number, caseMsMax: number): number {
  return 60_000 + fuzzRuns(ciDefault) * caseMsMax;
}

/**
 * Counts the cases a property really ran and prints one line at the end: the numbers a long
 * run reports (cases, seconds, cases per second).
 */
export function caseCounter(name: string): { count(): void; report(): number } {
  const startedMs = Date.now();
  let cases = 0;
  return {
    count: () => {
      cases += 1;
    },
    report: () => {
      const seconds = (Date.now() - startedMs) / 1000;
      const rate = seconds === 0 ? cases : Math.round(cases / seconds);
      console.info(`fuzz ${name}: ${cases} cases in ${seconds.toFixed(1)} s ` +
        `(${rate}/s, seed ${fuzzSeed})`);
      return cases;
    },
  };
}

function readInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not "${text}"`);
  return value;
}
