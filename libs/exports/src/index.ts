export * from './resolve-export-request';
export * from './create-export';
export * from './date-range';
export * from './delete-export';
export * from './file-availability';
