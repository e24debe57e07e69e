export * from './engine-records.ts';
export * from './compact-batch.ts';
export * from './engine-storage.ts';
export * from './engine-state.ts';
export * from './charging-engine.ts';
export * from './tree-ownership.ts';
