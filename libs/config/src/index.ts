export { loadConfig, ConfigError, type AppConfig } from './load-config';
export { loadConfigOrExit } from './exit-on-config-error';
export { ENV_SCHEMA, type EnvName } from './env-schema';
export { renderConfigTable, writeReadmeConfigTable } from './config-table';
export { parseRedisUrl, queuePrefixFor, type RedisTopology, type HostPort } from './redis-url';
