import {
  formatMicros,
  maxCallDuration,
  parseMicros,
  callDurationSMax,
  micros,
} from '@tollgate/core';
import { exitCodes, isCommandOutcome, usageError, type CommandOutcome } from '../cli-io.ts';
import { deckFlagOptions, loadCallInput, parseWholeSeconds } from '../deck-flags.ts';
import { parseFlags } from './rate.ts';

/** Without --cap the answer is bounded by one day: no call is granted longer in one piece. */
const capSDefault = 86_400;

export function maxDurationCommand(args: string[], nowMs: number): CommandOutcome {
  const parsed = parseFlags(args, {
    ...deckFlagOptions,
    funds: { type: 'string' },
    cap: { type: 'string' },
  });
  if (isCommandOutcome(parsed)) return parsed;
  const input = loadCallInput(parsed, nowMs);
  if ('exitCode' in input) return input;
  if (parsed.funds === undefined) return usageError('missing_flag', '--funds is required');
  const funds = parseMicros(parsed.funds, { allowNegative: true });
  if (!funds.ok) return usageError(funds.code, `--funds: ${funds.message}`);
  const capS = parsed.cap === undefined ? capSDefault : parseWholeSeconds(parsed.cap, '--cap');
  if (typeof capS !== 'number') return capS;
  if (capS > callDurationSMax) {
    return usageError('cap_too_long', `--cap is at most ${callDurationSMax} seconds`);
  }
  const result = maxCallDuration({ ...input, fundsMicros: micros(funds.value), capS });
  if (result.status === 'no_rate') {
    return {
      exitCode: exitCodes.refused,
      stdout: { status: 'no_rate', reason: result.reason, number: input.number },
    };
  }
  const { currency, decimals } = input.deck.settings;
  return {
    exitCode: exitCodes.ok,
    stdout: {
      status: 'ok',
      max_seconds: result.maxSeconds,
      cost: formatMicros(result.costMicros, decimals),
      funds: parsed.funds,
      currency,
      prefix: result.prefix,
      capped: result.capped,
      cap_seconds: capS,
      no_rate_from_seconds: result.noRateFromS,
    },
  };
}
