import { readFileSync } from 'node:fs';
import {
  parseIsoInstantMs,
  parseRateDeckCsv,
  parseRateDeckSettings,
  parseTimeBandsCsv,
  type RateDeck,
} from '@tollgate/core';
import { usageError, type CommandOutcome } from './cli-io.ts';

/** Flags shared by `rate` and `max-duration`: which deck, its settings, the number and start. */
export const deckFlagOptions = {
  deck: { type: 'string' },
  bands: { type: 'string' },
  zone: { type: 'string' },
  currency: { type: 'string' },
  decimals: { type: 'string' },
  rounding: { type: 'string' },
  number: { type: 'string' },
  at: { type: 'string' },
} as const;

export interface DeckFlags {
  deck?: string | undefined;
  bands?: string | undefined;
  zone?: string | undefined;
  currency?: string | undefined;
  decimals?: string | undefined;
  rounding?: string | undefined;
  number?: string | undefined;
  at?: string | undefined;
}

export interface CallInput {
  readonly deck: RateDeck;
  readonly number: string;
  readonly startedAtMs: number;
}

const numberDigitsMax = 32;

/** Loads the deck and validates number and instant, or explains the first problem found. */
export function loadCallInput(flags: DeckFlags, nowMs: number): CallInput | CommandOutcome {
  if (flags.deck === undefined) return usageError('missing_flag', '--deck FILE is required');
  if (flags.number === undefined) return usageError('missing_flag', '--number is required');
  if (!/^\d+$/.test(flags.number) || flags.number.length > numberDigitsMax) {
    return usageError('invalid_number', `--number "${flags.number}" must be 1-32 digits`);
  }
  let startedAtMs = nowMs;
  if (flags.at !== undefined) {
    const at = parseIsoInstantMs(flags.at);
    if (!at.ok) return usageError(at.code, `--at: ${at.message}`);
    startedAtMs = at.value;
  }
  const settings = parseRateDeckSettings({
    currency: flags.currency ?? 'USD',
    ...(flags.decimals === undefined ? {} : { decimals: flags.decimals }),
    ...(flags.rounding === undefined ? {} : { rounding: flags.rounding }),
    ...(flags.zone === undefined ? {} : { zone: flags.zone }),
  });
  if (!settings.ok) return usageError(settings.code, settings.message);
  let bands;
  if (flags.bands !== undefined) {
    const text = readText(flags.bands);
    if (typeof text !== 'string') return text;
    const parsed = parseTimeBandsCsv(text);
    if (!parsed.ok) return fileProblem(flags.bands, parsed);
    bands = parsed.value;
  }
  const text = readText(flags.deck);
  if (typeof text !== 'string') return text;
  const deck = parseRateDeckCsv(text, {
    settings: settings.value,
    ...(bands === undefined ? {} : { bands }),
  });
  if (!deck.ok) return fileProblem(flags.deck, deck);
  return { deck: deck.value, number: flags.number, startedAtMs };
}

function readText(path: string): string | CommandOutcome {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return usageError('file_unreadable', `cannot read ${path}: ${reason}`);
  }
}

function fileProblem(
  path: string,
  problem: { code: string; message: string; line?: number; column?: string },
): CommandOutcome {
  const where = {
    ...(problem.line === undefined ? {} : { line: problem.line }),
    ...(problem.column === undefined ? {} : { column: problem.column }),
  };
  return usageError(problem.code, `${path}: ${problem.message}`, where);
}

/** Whole non-negative seconds written as digits only ("47"; not "4.5", "-1" or "1e3"). */
export function parseWholeSeconds(text: string | undefined, flag: string): number | CommandOutcome {
  if (text === undefined) return usageError('missing_flag', `${flag} is required`);
  if (!/^\d{1,9}$/.test(text)) {
    return usageError('invalid_duration', `${flag} "${text}" must be whole seconds (0-999999999)`);
  }
  return Number(text);
}
