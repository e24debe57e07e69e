import { ledgerLimits } from '@tollgate/core';
import { Type } from 'typebox';
import { Instant, PageQuery } from './common-schemas.ts';

const OwnerId = Type.String({ minLength: 1, maxLength: ledgerLimits.accountIdLengthMax,
  description: 'The account that ' +
  'sells with it (default: the key\'s account; the operator key owns none): it and the ' +
  'accounts above it may see and assign it' });

export const DeckUploadQuery = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  currency: Type.String({ maxLength: 8, description: 'ISO 4217 code of the prices' }),
  decimals: Type.Optional(Type.String({ maxLength: 8,
    description: 'Decimals a rated call is rounded to: 0-6 (default 4)' })),
  rounding: Type.Optional(Type.String({ maxLength: 16,
    description: 'up, down, half_up (default) or half_even' })),
  zone: Type.Optional(Type.String({ maxLength: 64,
    description: 'IANA time zone of the time bands (default UTC)' })),
  bands_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64,
    description: 'A time-band upload (POST /v1/time-bands) the deck\'s time_band column names' })),
  owner_id: Type.Optional(OwnerId),
}, { additionalProperties: false });

export const CsvBody = Type.String({ description: 'The CSV file (rating.md formats)' });

export const RateDeck = Type.Object({
  id: Type.String(),
  name: Type.String(),
  rows: Type.Integer(),
  currency: Type.String(),
  decimals: Type.Integer(),
  rounding: Type.String(),
  zone: Type.String(),
  bands_id: Type.Union([Type.String(), Type.Null()]),
  owner_id: Type.Union([Type.String(), Type.Null()], {
    description: 'The account that uploaded it; null: the operator' }),
  created_at: Instant,
  memory_bytes: Type.Union([Type.Integer(), Type.Null()], { description: 'What the deck ' +
    'takes in this node\'s memory while loaded, in bytes (estimated from its rows and index); ' +
    'null: not loaded on this node now' }),
});

export const DeckListQuery = Type.Object(PageQuery, { additionalProperties: false });

export const RateDeckPage = Type.Object({
  rate_decks: Type.Array(RateDeck),
  next_after: Type.Union([Type.String(), Type.Null()]),
  decks_loaded: Type.Optional(Type.Integer({ description: 'The operator key only: decks ' +
    'loaded in this node\'s memory now (every tenant\'s)' })),
  memory_bytes_loaded: Type.Optional(Type.Integer({ description: 'The operator key only: ' +
    'what they take, in bytes (the sum of their memory_bytes)' })),
});

export const DeckIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const BandsUploadQuery = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  owner_id: Type.Optional(OwnerId),
}, { additionalProperties: false });

export const TimeBands = Type.Object({
  id: Type.String(),
  name: Type.String(),
  bands: Type.Integer({ description: 'Distinct band names in the file' }),
  owner_id: Type.Union([Type.String(), Type.Null()]),
  created_at: Instant,
});
