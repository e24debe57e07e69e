export * from './package.ts';
export * from './package-use-cases.ts';
