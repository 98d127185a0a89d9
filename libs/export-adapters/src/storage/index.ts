import type { StorageDriver } from '@export-service/contracts';
import type { ArtifactStore } from '@export-service/export-core';
import { createS3Client, type S3Connection } from '../s3/s3-client';
import { LocalArtifactStore, type LinkSigning } from './local.store';
import { S3ArtifactStore } from './s3.store';

/** The storage slice of the configuration. */
export interface StorageSettings {
  driver: StorageDriver;
  /** Root directory of the local driver. */
  dir: string;
  /** The bucket of the s3 driver. */
  s3: Omit<S3Connection, 'connectTimeoutMs'> & { bucket: string; prefix: string; partSizeBytes: number };
}

/** What a store may need from the process that opens it. */
export interface StorageDeps {
  signLink: LinkSigning;
}

type StoreFactory = (settings: StorageSettings, deps: StorageDeps) => ArtifactStore;

/** One factory per driver; a driver without one fails to compile. */
const STORE_FACTORIES = {
  local: (settings, deps) => new LocalArtifactStore(settings.dir, deps.signLink),
  s3: (settings, deps) => new S3ArtifactStore(createS3Client(settings.s3), settings.s3, deps.signLink),
} satisfies Record<StorageDriver, StoreFactory>;

/** Opens the artifact store the configuration names. */
export function createArtifactStore(settings: StorageSettings, deps: StorageDeps): ArtifactStore {
  return STORE_FACTORIES[settings.driver](settings, deps);
}

export { LocalArtifactStore, type LinkSigning } from './local.store';
export { S3ArtifactStore, type S3StoreSettings } from './s3.store';
