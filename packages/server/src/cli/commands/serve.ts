import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { runServer } from '../../app/run-server.ts';
import { loadConfig, readProcessEnv } from '../../config/load-config.ts';
import { exitCodes, usageError, type CommandOutcome } from '../cli-io.ts';

const serveFlagOptions = {
  port: { type: 'string' },
  host: { type: 'string' },
  db: { type: 'string' },
  demo: { type: 'boolean' },
  'diameter-port': { type: 'string' },
} as const;

export type ServeFlags =
  | { readonly ok: true; readonly flags: Record<string, string | boolean | undefined> }
  | { readonly ok: false; readonly outcome: CommandOutcome };

/** Flags of `serve` and `config`: the few settings one changes per run. */
export function parseServeFlags(args: string[]): ServeFlags {
  try {
    const { values } = parseArgs({ args, options: serveFlagOptions, strict: true,
      allowPositionals: false });
    return { ok: true, flags: values };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, outcome: usageError('invalid_arguments', reason) };
  }
}

/**
 * `tollgate serve [--port 8080] [--db FILE.sqlite | postgres://...] [--demo]
 * [--diameter-port 3868]`: runs the API (and the Diameter Ro/Gy server) until SIGINT or
 * SIGTERM, then drains and exits 0. Unlike the other commands it writes to the process streams
 * while it runs: it is the long-lived one.
 */
export async function serveCommand(args: string[]): Promise<CommandOutcome> {
  const parsed = parseServeFlags(args);
  if (!parsed.ok) return parsed.outcome;
  const config = loadConfig({ env: readProcessEnv(), flags: parsed.flags });
  if (!config.ok) return usageError(config.code, config.message);
  const stopRequested = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')])
    .then(() => 'stopping');
  try {
    await runServer(config.value, {
      io: { out: (text) => process.stdout.write(`${text}\n`),
        err: (text) => process.stderr.write(`${text}\n`) },
      stopRequested,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { exitCode: exitCodes.failure, stderr: `tollgate: cannot serve: ${reason}` };
  }
  return { exitCode: exitCodes.ok };
}
