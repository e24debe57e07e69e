import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runScript, serverDir, type TestStore } from './node-process.ts';

const verifyTimeoutMs = 30_000;

/**
 * Runs in a child process, by the same build the nodes ran (not this worker's TypeScript
 * sources, which may be newer): opens the services over the store, runs verifyLedger, prints
 * the report as one JSON line. Fraud control is off: it would start timers and is not checked.
 */
const verifyScript = `
const [servicesUrl, configUrl] = process.argv.slice(1);
const { openServices } = await import(servicesUrl);
const { loadConfig, readProcessEnv } = await import(configUrl);
const loaded = loadConfig({ env: readProcessEnv() });
if (!loaded.ok) throw new Error(loaded.message);
const services = await openServices(loaded.value);
try {
  const verified = await services.ledger.verifyLedger();
  const text = JSON.stringify(verified, (key, value) =>
    typeof value === 'bigint' ? String(value) : value instanceof Map ? [...value] : value);
  process.stdout.write(text + '\\n');
} finally {
  await services.close();
}`;

interface VerifyOutcome {
  readonly ok: boolean;
  readonly message?: string;
  readonly value?: {
    readonly findingCount: number;
    readonly findings: readonly unknown[];
    readonly overdrawnCount: number;
    readonly overdrawn: readonly unknown[];
  };
}

/**
 * `verifyLedger` over the nodes' store once every node has stopped (the API has no
 * verification route): every book equals its journal, every currency's journal sums to zero,
 * every pending amount equals its open holds, no account is below minus its credit limit.
 */
export async function ledgerFindings(store: TestStore): Promise<string[]> {
  const dist = join(serverDir, 'dist');
  const stdout = await runScript({ script: verifyScript, timeoutMs: verifyTimeoutMs,
    args: [pathToFileURL(join(dist, 'app', 'services.js')).href,
      pathToFileURL(join(dist, 'config', 'load-config.js')).href],
    env: { ...store.env, TOLLGATE_LOG_LEVEL: 'silent', TOLLGATE_FRAUD_ENABLED: 'false' } });
  const outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as VerifyOutcome;
  if (!outcome.ok || outcome.value === undefined) {
    return [`verifyLedger failed: ${outcome.message ?? stdout}`];
  }
  const report = outcome.value;
  const findings = report.findings.map((finding) => `ledger: ${JSON.stringify(finding)}`);
  if (report.findingCount > findings.length) {
    findings.push(`ledger: ${report.findingCount} findings in all`);
  }
  if (report.overdrawnCount > 0) {
    findings.push(`ledger: ${report.overdrawnCount} overdrawn: ` +
      JSON.stringify(report.overdrawn));
  }
  return findings;
}
