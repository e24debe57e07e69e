export * from './fraud-types.ts';
export * from './fraud-limits.ts';
export * from './fraud-config.ts';
export * from './fraud-ports.ts';
export * from './fraud-rules.ts';
export * from './fraud-monitor.ts';
export * from './destination-key.ts';
export * from './with-fraud-control.ts';
export * from './ledger-fraud-accounts.ts';
export { fraudSettingsDefault, type FraudSettings, type FraudMonitorDeps } from
  './monitor-state.ts';
export type { RebuildReport } from './fraud-rebuild.ts';
