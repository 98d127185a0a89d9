export * from './resolve-export-request';
export * from './create-export';
export * from './date-range';
export * from './resolve-deliveries';
