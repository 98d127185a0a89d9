export * from './service-metrics';
export * from './metrics-server';
export * from './metrics-auth';
