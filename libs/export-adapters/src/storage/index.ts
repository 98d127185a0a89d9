import type { StorageDriver } from '@export-service/contracts';
import type { ArtifactStore } from '@export-service/export-core';
import { LocalArtifactStore, type LinkSigning } from './local.store';

/** The storage slice of the configuration. */
export interface StorageSettings {
  driver: StorageDriver;
  /** Root directory of the local driver. */
  dir: string;
}

/** What a store may need from the process that opens it. */
export interface StorageDeps {
  signLink: LinkSigning;
}

type StoreFactory = (settings: StorageSettings, deps: StorageDeps) => ArtifactStore;

/** One factory per driver; a driver without one fails to compile. */
const STORE_FACTORIES = {
  local: (settings, deps) => new LocalArtifactStore(settings.dir, deps.signLink),
} satisfies Record<StorageDriver, StoreFactory>;

/** Opens the artifact store the configuration names. */
export function createArtifactStore(settings: StorageSettings, deps: StorageDeps): ArtifactStore {
  return STORE_FACTORIES[settings.driver](settings, deps);
}

export { LocalArtifactStore, type LinkSigning } from './local.store';
