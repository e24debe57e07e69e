import { Type } from 'typebox';
import { Instant } from './common-schemas.ts';

export const CreateBundleBody = Type.Object({
  bundle_id: Type.String({ maxLength: 64,
    description: 'Chosen by the caller: a retry with the same id creates nothing more' }),
  prefixes: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 1_000,
    description: 'Numbers starting with one of these prefixes use the bundle first' }),
  time_band: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  seconds: Type.Integer({ description: 'Free seconds' }),
  valid_until: Type.Optional(Type.Union([Instant, Type.Null()])),
}, { additionalProperties: false });

export const Bundle = Type.Object({
  id: Type.String(),
  account_id: Type.String(),
  prefixes: Type.Array(Type.String()),
  time_band: Type.Union([Type.String(), Type.Null()]),
  seconds_remaining: Type.Integer(),
  valid_until: Type.Union([Instant, Type.Null()]),
  created_at: Instant,
});

export const BundleList = Type.Object({ bundles: Type.Array(Bundle) });
