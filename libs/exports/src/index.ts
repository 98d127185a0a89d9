export * from './resolve-export-request';
export * from './create-export';
export * from './date-range';
