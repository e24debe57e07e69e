import { parseCurrency } from '../kernel/currency.ts';
import { isRoundingMode, moneyDecimalsMax, roundingModes } from '../kernel/money.ts';
import { problem, success, type Result } from '../kernel/result.ts';
import { isValidTimeZone } from '../kernel/time-zone.ts';
import type { DeckImportCode } from './deck-import-codes.ts';
import { rateDeckDefaults, type RateDeckSettings } from './rate-deck.ts';

/** Deck-level settings as they arrive from API fields or CLI flags: text, each optional. */
export interface RateDeckSettingsInput {
  readonly currency?: string | undefined;
  readonly decimals?: string | undefined;
  readonly rounding?: string | undefined;
  readonly zone?: string | undefined;
}

/**
 * Validates deck settings (rating.md, "The rate deck"). An absent field takes its default; a
 * field that is present but empty is an error, because an empty flag is a mistake, not a wish for
 * the default. The currency has no default: guessing a currency would misprice every call.
 * Problems name the field in `column`.
 */
export function parseRateDeckSettings(
  input: RateDeckSettingsInput,
): Result<RateDeckSettings, DeckImportCode> {
  if (input.currency === undefined) {
    return problem('invalid_currency', 'currency: is required (ISO 4217, such as USD)', {
      column: 'currency',
    });
  }
  const currency = parseCurrency(input.currency);
  if (!currency.ok) {
    return problem(currency.code, `currency: ${currency.message}`, { column: 'currency' });
  }
  const decimals =
    input.decimals === undefined ? rateDeckDefaults.decimals : parseDecimals(input.decimals);
  if (decimals === -1) {
    const detail = `"${input.decimals}" is not a whole number from 0 to ${moneyDecimalsMax}`;
    return problem('invalid_decimals', `decimals: ${detail}`, { column: 'decimals' });
  }
  const rounding = input.rounding ?? rateDeckDefaults.rounding;
  if (!isRoundingMode(rounding)) {
    const detail = `"${rounding}" is not one of ${roundingModes.join(', ')}`;
    return problem('invalid_rounding', `rounding: ${detail}`, { column: 'rounding' });
  }
  const zone = input.zone ?? rateDeckDefaults.zone;
  if (!isValidTimeZone(zone)) {
    const detail = `"${zone}" is not an IANA time zone such as Europe/London`;
    return problem('invalid_zone', `zone: ${detail}`, { column: 'zone' });
  }
  return success({ currency: currency.value, decimals, rounding, zone });
}

/** A single digit 0..6, or -1. "04" and "+4" are refused: decimals is a setting, not data. */
function parseDecimals(text: string): number {
  if (text.length !== 1) return -1;
  const value = text.charCodeAt(0) - 0x30;
  return value >= 0 && value <= moneyDecimalsMax ? value : -1;
}
