import { createHash } from 'node:crypto';
import type { ExportManifest, ManifestFileInfo, StoredFile } from '@export-service/contracts';
import { artifactKey, type ArtifactScope, type ArtifactStore } from '../ports/artifact-store';
import { fileExtension } from './file-naming';
import { FileOutput, type OutputStages } from './file-output';

/** Name of the manifest file every completed export ends with (before any encryption suffix). */
export const MANIFEST_FILENAME = 'manifest.json';

/**
 * Writes the manifest beside the data files, listed after them. An encrypted export's manifest is
 * encrypted the same way as its data (it lists filter values): `manifest.json.zip` (AES) or
 * `manifest.json.gpg`; otherwise it is plain `manifest.json`.
 */
export async function writeManifestFile(store: ArtifactStore, scope: ArtifactScope, manifest: ExportManifest, encrypted: OutputStages | null): Promise<StoredFile> {
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  if (encrypted) return writeEncryptedManifest(encrypted, body);
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

async function writeEncryptedManifest(stages: OutputStages, body: Buffer): Promise<StoredFile> {
  const filename = fileExtension(MANIFEST_FILENAME, stages.compressor.extension, stages.outer ? stages.outer.encryptor.extension : null);
  const output = await FileOutput.open(stages, filename, MANIFEST_FILENAME);
  try {
    await output.head.write(body);
    await output.head.end();
  } catch (error) {
    await output.head.destroy(error as Error);
    throw error;
  }
  const result = output.result();
  const info: ManifestFileInfo = {
    kind: 'manifest',
    filename,
    rows: 0,
    bytes: result.bytes,
    sha256: result.sha256,
    format: 'manifest',
    compression: stages.compressor.compression,
    encrypted: true,
  };
  return { ...info, storageKey: result.key };
}
