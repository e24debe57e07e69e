export * from './engine-records.ts';
export * from './engine-storage.ts';
export * from './engine-state.ts';
export * from './charging-engine.ts';
