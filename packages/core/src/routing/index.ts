export * from './carrier.ts';
export * from './carrier-input.ts';
export * from './carrier-quality.ts';
export * from './route-rules.ts';
export * from './select-routes.ts';
export * from './routing-ports.ts';
export * from './route-candidates.ts';
export * from './list-routes.ts';
