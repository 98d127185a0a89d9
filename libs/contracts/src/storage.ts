/**
 * Artifact store drivers that are built. The config's `STORAGE_DRIVER` takes these; the worker and
 * API build their store from a registry keyed by this type, so a driver without a factory fails to compile.
 */
export const STORAGE_DRIVERS = ['local', 's3'] as const;
export type StorageDriver = (typeof STORAGE_DRIVERS)[number];
