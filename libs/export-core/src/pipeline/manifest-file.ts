import { createHash } from 'node:crypto';
import type { ExportManifest, ManifestFileInfo, StoredFile } from '@export-service/contracts';
import { artifactKey, type ArtifactScope, type ArtifactStore } from '../ports/artifact-store';

/** Name of the manifest file every completed export ends with. */
export const MANIFEST_FILENAME = 'manifest.json';

/** Writes `manifest.json` beside the data files, listed after them. */
export async function writeManifestFile(store: ArtifactStore, scope: ArtifactScope, manifest: ExportManifest): Promise<StoredFile> {
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const writer = await store.create(artifactKey(scope, MANIFEST_FILENAME));
  try {
    await writer.write(body);
    await writer.end();
  } catch (error) {
    await writer.destroy(error as Error);
    throw error;
  }
  const info: ManifestFileInfo = {
    kind: 'manifest',
    filename: MANIFEST_FILENAME,
    rows: 0,
    bytes: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    format: 'manifest',
    compression: 'none',
    encrypted: false,
  };
  return { ...info, storageKey: writer.key };
}
