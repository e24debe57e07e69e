import { parseArgs } from 'node:util';
import {
  callDurationSMax,
  formatIsoInstant,
  formatMicros,
  formatMicrosTrimmed,
  rateCall,
  type RatedCall,
  type RateDeck,
} from '@tollgate/core';
import { exitCodes, isCommandOutcome, usageError, type CommandOutcome } from '../cli-io.ts';
import { deckFlagOptions, loadCallInput, parseWholeSeconds } from '../deck-flags.ts';

export function rateCommand(args: string[], nowMs: number): CommandOutcome {
  const parsed = parseFlags(args, { ...deckFlagOptions, duration: { type: 'string' } });
  if (isCommandOutcome(parsed)) return parsed;
  const input = loadCallInput(parsed, nowMs);
  if ('exitCode' in input) return input;
  const durationS = parseWholeSeconds(parsed.duration, '--duration');
  if (typeof durationS !== 'number') return durationS;
  if (durationS > callDurationSMax) {
    return usageError('duration_too_long', `--duration is at most ${callDurationSMax} seconds`);
  }
  const result = rateCall({ ...input, durationS });
  if (result.status === 'no_rate') {
    return {
      exitCode: exitCodes.refused,
      stdout: { status: 'no_rate', reason: result.reason, number: input.number },
    };
  }
  return { exitCode: exitCodes.ok, stdout: ratedToJson(result, input.deck, input.startedAtMs) };
}

export function ratedToJson(result: RatedCall, deck: RateDeck, startedAtMs: number) {
  const { currency, decimals } = deck.settings;
  return {
    status: 'rated',
    cost: formatMicros(result.costMicros, decimals),
    currency,
    billed_seconds: result.billedSeconds,
    prefix: result.prefix,
    destination: result.firstRow.destination,
    duration_seconds: result.durationS,
    included_seconds: result.includedSeconds,
    bundle_seconds: result.bundleSeconds,
    connect_fee: formatMicrosTrimmed(result.connectFeeMicros, decimals),
    started_at: formatIsoInstant(startedAtMs),
    parts: result.parts.map((part) => ({
      started_at: formatIsoInstant(part.startedAtMs),
      billed_seconds: part.billedSeconds,
      bundle_seconds: part.bundleSeconds,
      rate: formatMicrosTrimmed(part.row.rateMicros),
      rate_unit_s: part.row.rateUnitS,
      from_s: part.row.fromS,
      time_band: part.row.timeBand,
      deck_line: part.row.line,
    })),
  };
}

/** parseArgs with strict flags; an unknown flag or a missing value is a usage error (exit 2). */
export function parseFlags(
  args: string[],
  options: Record<string, { type: 'string' }>,
): Partial<Record<string, string>> | CommandOutcome {
  try {
    const { values } = parseArgs({
      args: joinNegativeValues(args),
      options,
      strict: true,
      allowPositionals: false,
    });
    return values as Partial<Record<string, string>>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return usageError('invalid_arguments', reason);
  }
}

/**
 * `--funds -5` is a flag and a negative number, but parseArgs reads "-5" as a flag. Joining such
 * pairs as `--funds=-5` lets the value reach its own validation (and its precise error code).
 */
function joinNegativeValues(args: string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const next = args[index + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index += 1;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}
