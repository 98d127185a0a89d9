export * from './zoned-time';
export * from './relative-period';
export * from './next-run';
export * from './cron';
