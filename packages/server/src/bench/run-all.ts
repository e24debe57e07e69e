import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readProcessEnv } from '../config/load-config.ts';
import { parseChargingBenchArgs, runChargingLoadBench } from './charging-load-bench.ts';
import { runCdrExportBench } from './cdr-export-bench.ts';
import { runDeckUploadBench } from './deck-upload-bench.ts';
import { runDiameterBenchReport } from './diameter-bench.ts';
import { runLedgerBench } from './ledger-bench.ts';
import { runLiveCallsBench } from './live-calls-bench.ts';
import { runRatingBench } from './rating-bench.ts';
import { runRoutingBench } from './routing-bench.ts';

/**
 * `npm run bench`: every benchmark in order, or those named (`npm run bench -- rating ledger`).
 * Flags after the names go to the charging load bench (`npm run bench -- charging --postgres`).
 * Benchmarks are programs, not timed tests: a shared CI machine would make a threshold flaky.
 */

const benchNames = ['rating', 'deck-import', 'deck-upload', 'ledger', 'charging', 'diameter',
  'routing', 'live-calls', 'cdr-export'] as const;
type BenchName = (typeof benchNames)[number];

/** Exit code 1: a benchmark found a broken invariant; 2: bad arguments. */
type BenchOutcome = 'ok' | 'failed';

const deckImportScript = fileURLToPath(new URL('./deck-import-bench.js', import.meta.url));

function hasExposedGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/**
 * The deck import bench measures retained heap only with forced collections, so it runs in a
 * child `node --expose-gc` unless this process already has them.
 */
async function runDeckImport(): Promise<BenchOutcome> {
  if (hasExposedGc()) {
    const { runDeckImportBench } = await import('./deck-import-bench.ts');
    await runDeckImportBench();
    return 'ok';
  }
  const child = spawnSync(process.execPath, ['--expose-gc', deckImportScript],
    { stdio: 'inherit' });
  return child.status === 0 ? 'ok' : 'failed';
}

type ChargingArgs = ReturnType<typeof parseChargingBenchArgs>;

async function runOne(name: BenchName, charging: ChargingArgs): Promise<BenchOutcome> {
  switch (name) {
    case 'diameter':
      return runDiameterBenchReport();
    case 'rating':
      await runRatingBench();
      return 'ok';
    case 'routing':
      await runRoutingBench();
      return 'ok';
    case 'cdr-export':
      await runCdrExportBench();
      return 'ok';
    case 'deck-import':
      return runDeckImport();
    case 'deck-upload': {
      const report = await runDeckUploadBench();
      return (report['upload'] as { status: number }).status === 201 ? 'ok' : 'failed';
    }
    case 'ledger': {
      const report = await runLedgerBench();
      console.log('ledger reserve+commit, 3-level chain, %d in flight', report['inFlight']);
      console.table(report['results']);
      return 'ok';
    }
    case 'live-calls': {
      const report = await runLiveCallsBench();
      console.log('live calls held by one node (SQLite, in-process):');
      console.table([report]);
      return report['liveAfterRestart'] === true ? 'ok' : 'failed';
    }
    case 'charging': {
      if (charging === 'help') return 'ok';
      const report = await runChargingLoadBench(charging);
      return report['invariantsHold'] === true ? 'ok' : 'failed';
    }
  }
}

function isBenchName(text: string): text is BenchName {
  return (benchNames as readonly string[]).includes(text);
}

export async function runAll(argv: readonly string[]): Promise<number> {
  const firstFlag = argv.findIndex((arg) => arg.startsWith('--'));
  const names = firstFlag < 0 ? [...argv] : argv.slice(0, firstFlag);
  const chargingArgs = firstFlag < 0 ? [] : argv.slice(firstFlag);
  const unknown = names.filter((name) => !isBenchName(name));
  if (unknown.length > 0) {
    console.error(`unknown bench ${unknown.join(', ')}; choose from ${benchNames.join(', ')}`);
    return 2;
  }
  const selected = names.length === 0 ? [...benchNames] : benchNames.filter((name) =>
    names.includes(name));
  if (chargingArgs.length > 0 && !selected.includes('charging')) {
    console.error('flags are for the charging bench: name it, e.g. `charging --postgres`');
    return 2;
  }
  // Flags are checked before anything runs, so a typo does not cost the earlier benches.
  let charging: ChargingArgs;
  try {
    charging = parseChargingBenchArgs(chargingArgs, readProcessEnv());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (charging === 'help') return 0;
  let failed = 0;
  for (const name of selected) {
    const startedMs = performance.now();
    console.log(`\n=== bench ${name}`);
    if ((await runOne(name, charging)) === 'failed') failed += 1;
    console.log(`=== ${name}: ${((performance.now() - startedMs) / 1_000).toFixed(1)} s`);
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await runAll(process.argv.slice(2));
