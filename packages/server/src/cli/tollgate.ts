import { exitCodes, usageError, type CommandOutcome } from './cli-io.ts';
import { configCommand, configReferenceCommand } from './commands/config-print.ts';
import { maxDurationCommand } from './commands/max-duration.ts';
import { openApiCommand } from './commands/openapi.ts';
import { backupCommand, migrateCommand, restoreCommand } from './commands/database-commands.ts';
import { rateCommand } from './commands/rate.ts';
import { reconcileCommand } from './commands/reconcile.ts';
import { serveCommand } from './commands/serve.ts';

const usage = `Usage: tollgate <command> [flags]

Commands:
  rate          --deck FILE --number DIGITS --duration SECONDS [--at ISO] [--bands FILE]
                [--zone Z] [--currency C] [--decimals N] [--rounding up|down|half_up|half_even]
  max-duration  the same deck flags, --funds AMOUNT [--cap SECONDS]
  serve         [--port 8080] [--host H] [--db FILE.sqlite | postgres://...] [--demo]
                runs the HTTP API until SIGINT/SIGTERM (settings: tollgate config)
  reconcile     --account ID --from ISO --to ISO [--db FILE.sqlite | postgres://...]
                rated CDRs vs the ledger, carrier accruals, holds, journal sums (JSON);
                exit 0 when nothing differs, 3 when something does
  migrate       [--db FILE.sqlite | postgres://...] applies the schema migrations and exits
  backup        --to FILE [--db FILE.sqlite]: an online copy of a SQLite database (server running)
  restore       --from FILE [--db FILE.sqlite] [--replace]: puts a backup in place (server stopped)
  config        the effective configuration (TOLLGATE_* variables and serve flags)
  config-reference  prints docs/configuration.md (every setting, from the schema)
  openapi       prints the OpenAPI document of the HTTP API
  help          this text

Exit codes: 0 rated, 3 refused (no_rate), 2 bad input, 1 failure.`;

type Command = (args: string[], nowMs: number) => CommandOutcome | Promise<CommandOutcome>;

const commands: Record<string, Command> = {
  rate: rateCommand,
  'max-duration': maxDurationCommand,
  serve: (args) => serveCommand(args),
  reconcile: (args) => reconcileCommand(args),
  config: (args) => configCommand(args),
  openapi: (args) => openApiCommand(args),
  migrate: (args) => migrateCommand(args),
  backup: (args) => backupCommand(args),
  restore: (args, nowMs) => restoreCommand(args, nowMs),
  'config-reference': (args) => configReferenceCommand(args),
};

/** Runs one CLI command and writes its outcome; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage}\n`);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const command = commands[name];
  const outcome = command === undefined
    ? usageError('unknown_command', `unknown command "${name}"; try "tollgate help"`)
    : await command(args, Date.now());
  if (outcome.stdout !== undefined) process.stdout.write(`${JSON.stringify(outcome.stdout)}\n`);
  if (outcome.stderr !== undefined) process.stderr.write(`${outcome.stderr}\n`);
  return outcome.exitCode;
}
