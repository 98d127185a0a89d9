export * from './app-error';
export * from './errors';
export * from './to-http';
export * from './job-failure';
