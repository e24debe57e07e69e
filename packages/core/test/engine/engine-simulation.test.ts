import { expect, it } from 'vitest';
import { runEngineSimulation } from './engine-simulation.ts';

// A fixed list of seeds runs in CI. ENGINE_SIM_SEED replays one seed (a failure names it),
// ENGINE_SIM_STEPS makes the run long (e.g. 100000). Storage failures land anywhere: while
// decisions run and while a batch is being written (README.md).
const environment = (globalThis as { process?: { env: Record<string, string | undefined> } })
  .process?.env ?? {};
const seedFromEnvironment = Number(environment['ENGINE_SIM_SEED'] ?? 'NaN');
const stepsFromEnvironment = Number(environment['ENGINE_SIM_STEPS'] ?? 'NaN');
const seeds = Number.isInteger(seedFromEnvironment) ? [seedFromEnvironment]
  : [1, 2, 3, 4, 5, 6, 7, 8];
const steps = Number.isInteger(stepsFromEnvironment) ? stepsFromEnvironment : 300;
// About 2 ms a step on a laptop; long runs get room to spare.
const timeoutMs = Math.max(60_000, steps * 20);
const log = (line: string) =>
  (globalThis as { console?: { log(line: string): void } }).console?.log(line);

for (const seed of seeds) {
  it(`keeps every invariant after every step (seed ${seed}, ${steps} steps)`, async () => {
    const report = await runEngineSimulation({ seed, steps });
    expect(report.counts['calls granted'] ?? 0).toBeGreaterThan(0);
    // A long run reports what it exercised.
    if (Number.isInteger(stepsFromEnvironment)) {
      log(`seed ${seed}: ${JSON.stringify(report.counts)}`);
    }
  }, timeoutMs);
}

it('replays the same run from the same seed', async () => {
  const first = await runEngineSimulation({ seed: 42, steps: 150 });
  const second = await runEngineSimulation({ seed: 42, steps: 150 });
  expect(second).toEqual(first);
});
