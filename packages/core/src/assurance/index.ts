export * from './assurance-deps.ts';
export * from './assurance-limits.ts';
export * from './assurance-problem.ts';
export * from './reconcile-calls.ts';
export * from './reconcile-holds.ts';
export * from './reconcile-period.ts';
export * from './reconcile-types.ts';
export * from './reconcile-roots.ts';
