export * from './tools';
export * from './test-environment';
export * from './analytics-fixtures';
export * from './readers';
export * from './parquet-readers';
export * from './xlsx-inspect';
export * from './memory-artifact-store';
