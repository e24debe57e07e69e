export * from './auto-refill.ts';
export * from './minor-units.ts';
