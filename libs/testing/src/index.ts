export * from './tools';
export * from './test-environment';
export * from './analytics-fixtures';
export * from './readers';
export * from './memory-artifact-store';
