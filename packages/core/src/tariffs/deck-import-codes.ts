/**
 * Stable codes of every import problem in a rate deck, a time-band file or the deck settings.
 * Clients and the HTTP error table key on these, so a code is never renamed or reused; add new
 * ones at the end. The list is a value so that tables over it can be checked for completeness.
 */
export const deckImportCodes = [
  // The file as CSV.
  'invalid_csv',
  'missing_header',
  'unknown_column',
  'duplicate_column',
  'missing_column',
  'wrong_field_count',
  // Rate deck fields.
  'missing_value',
  'invalid_prefix',
  'value_too_long',
  'invalid_amount',
  'negative_amount',
  'amount_too_precise',
  'amount_too_large',
  'invalid_integer',
  'value_out_of_range',
  'invalid_instant',
  'invalid_effective_window',
  'unknown_time_band',
  // Rate deck as a whole.
  'duplicate_rate',
  'too_many_rows',
  'empty_deck',
  // Time-band file.
  'invalid_band_name',
  'invalid_band_days',
  'invalid_band_time',
  'too_many_band_lines',
  'empty_band_file',
  // Deck settings.
  'invalid_currency',
  'invalid_decimals',
  'invalid_rounding',
  'invalid_zone',
] as const;

export type DeckImportCode = (typeof deckImportCodes)[number];
