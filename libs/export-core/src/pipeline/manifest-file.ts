import { createHash } from 'node:crypto';
import type { ExportManifest } from '@export-service/contracts';
import type { ArtifactScope, ArtifactStore } from '../ports/artifact-store';
import type { WrittenFile } from './written-file';

/** Name of the manifest file every completed export ends with. */
export const MANIFEST_FILENAME = 'manifest.json';

/** Writes the manifest as a partial artifact, listed after the data files. */
export async function writeManifestFile(store: ArtifactStore, scope: ArtifactScope, manifest: ExportManifest): Promise<WrittenFile> {
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const partial = await store.createPartial(scope, MANIFEST_FILENAME);
  await partial.write(body);
  await partial.end();
  return {
    partial,
    info: {
      filename: MANIFEST_FILENAME,
      dataSource: null,
      period: null,
      part: null,
      rows: 0,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      format: 'manifest',
      compression: 'none',
      encrypted: false,
    },
  };
}
