export * from './export-options';
export * from './data-sources';
export * from './export-spec';
export * from './progress';
export * from './manifest';
export * from './jobs';
export * from './xlsx';
