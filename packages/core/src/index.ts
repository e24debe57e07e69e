export * from './kernel/assert.ts';
export * from './kernel/result.ts';
export * from './kernel/money.ts';
export * from './kernel/currency.ts';
export * from './tariffs/rate-deck.ts';
export * from './tariffs/time-bands.ts';
