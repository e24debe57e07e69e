import { configReferenceMarkdown } from '../../config/config-reference.ts';
import { describeConfig, loadConfig, readProcessEnv } from '../../config/load-config.ts';
import { exitCodes, usageError, type CommandOutcome } from '../cli-io.ts';
import { parseServeFlags } from './serve.ts';

/** `tollgate config [serve flags]`: the effective configuration, secrets redacted. */
export function configCommand(args: string[]): CommandOutcome {
  const parsed = parseServeFlags(args);
  if (!parsed.ok) return parsed.outcome;
  const config = loadConfig({ env: readProcessEnv(), flags: parsed.flags });
  if (!config.ok) {
    return { ...usageError(config.code, config.message), stdout: { status: 'error',
      code: config.code, message: config.message, problems: config.problems } };
  }
  return { exitCode: exitCodes.ok, stdout: { status: 'ok', config: describeConfig(config.value) } };
}

/** `tollgate config-reference`: docs/configuration.md, written raw (not as a JSON value). */
export function configReferenceCommand(args: string[]): CommandOutcome {
  if (args.length > 0) {
    return usageError('invalid_arguments', 'config-reference takes no arguments');
  }
  process.stdout.write(configReferenceMarkdown());
  return { exitCode: exitCodes.ok };
}
