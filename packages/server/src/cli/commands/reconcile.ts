import { parseArgs } from 'node:util';
import { parseIsoInstantMs, reconcilePeriod } from '@tollgate/core';
import { toApiReconciliation } from '../../assurance/assurance-convert.ts';
import { openAssurance } from '../../assurance/open-assurance.ts';
import { loadConfig, readProcessEnv } from '../../config/load-config.ts';
import { exitCodes, usageError, type CommandOutcome } from '../cli-io.ts';

const flagOptions = {
  db: { type: 'string' },
  account: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

/**
 * `tollgate reconcile --account ID --from ISO --to ISO [--db FILE | postgres://...]`: the
 * reconciliation report of `GET /v1/reconciliation` as JSON, read straight from the database.
 * Exit 0 when nothing differs, 3 when something does (for cron and CI), 2 bad input.
 */
export async function reconcileCommand(args: string[]): Promise<CommandOutcome> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args, options: flagOptions, strict: true,
      allowPositionals: false }));
  } catch (error) {
    return usageError('invalid_arguments', error instanceof Error ? error.message : String(error));
  }
  const { account, from, to } = values;
  if (account === undefined || from === undefined || to === undefined) {
    return usageError('invalid_arguments', '--account, --from and --to are required');
  }
  const fromMs = parseIsoInstantMs(from);
  const toMs = parseIsoInstantMs(to);
  if (!fromMs.ok) return usageError(fromMs.code, `--from: ${fromMs.message}`);
  if (!toMs.ok) return usageError(toMs.code, `--to: ${toMs.message}`);
  const config = loadConfig({ env: readProcessEnv(),
    flags: values.db === undefined ? {} : { db: values.db } });
  if (!config.ok) return usageError(config.code, config.message);
  const opened = await openAssurance(config.value);
  try {
    const report = await reconcilePeriod(opened.deps, { scopeAccountId: account,
      fromMs: fromMs.value, toMs: toMs.value });
    if (!report.ok) return usageError(report.code, report.message);
    return { exitCode: report.value.ok ? exitCodes.ok : exitCodes.refused,
      stdout: toApiReconciliation(report.value, (id) => id) };
  } finally {
    await opened.close();
  }
}
