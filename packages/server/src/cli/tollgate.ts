import { exitCodes, usageError, type CommandOutcome } from './cli-io.ts';
import { maxDurationCommand } from './commands/max-duration.ts';
import { rateCommand } from './commands/rate.ts';

const usage = `Usage: tollgate <command> [flags]

Commands:
  rate          --deck FILE --number DIGITS --duration SECONDS [--at ISO] [--bands FILE]
                [--zone Z] [--currency C] [--decimals N] [--rounding up|down|half_up|half_even]
  max-duration  the same deck flags, --funds AMOUNT [--cap SECONDS]
  help          this text

Exit codes: 0 rated, 3 refused (no_rate), 2 bad input.`;

type Command = (args: string[], nowMs: number) => CommandOutcome | Promise<CommandOutcome>;

const commands: Record<string, Command> = {
  rate: rateCommand,
  'max-duration': maxDurationCommand,
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
