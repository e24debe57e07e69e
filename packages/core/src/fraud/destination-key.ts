import type { DestinationGranularity } from './fraud-types.ts';

/**
 * Two-digit country calling codes of ITU-T E.164 (zones 2-9). Zone 1 (NANP) and zone 7 are one
 * digit; every other assigned code in zones 2-9 has three digits. The set is prefix-free, so
 * the code of a number is read off its first digits without a table of all 200-odd codes.
 */
const twoDigitCodes = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47',
  '48', '49', '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65',
  '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

/** The country calling code of an E.164 number (digits only), or null when it has too few. */
export function countryCodeOf(number: string): string | null {
  const first = number.charAt(0);
  if (first === '1' || first === '7') return first;
  if (first === '' || first === '0') return null;
  const two = number.slice(0, 2);
  if (two.length < 2) return null;
  if (twoDigitCodes.has(two)) return two;
  const three = number.slice(0, 3);
  return three.length === 3 ? three : null;
}

/** The destination a call goes to, at the granularity of the anomaly rule. */
export function destinationKeyOf(
  callee: string,
  granularity: DestinationGranularity,
  prefixDigits: number,
): string {
  if (granularity === 'prefix') return callee.slice(0, prefixDigits);
  return countryCodeOf(callee) ?? callee.slice(0, 3);
}
