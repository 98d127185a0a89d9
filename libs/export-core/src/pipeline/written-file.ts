import type { DataFileInfo } from '@export-service/contracts';
import type { WrittenOutput } from './file-output';

/** A data file written by this attempt, at its key; listed once the export completes. */
export type WrittenDataFile = DataFileInfo & { storageKey: string };

/** Describes a written output as a data file of the partition. */
export function dataFile(output: WrittenOutput, facts: Omit<DataFileInfo, 'kind' | 'bytes' | 'sha256'>): WrittenDataFile {
  return { kind: 'data', ...facts, bytes: output.bytes, sha256: output.sha256, storageKey: output.key };
}

/** The file as the manifest lists it, without its storage key. */
export function withoutKey({ storageKey: _key, ...info }: WrittenDataFile): DataFileInfo {
  return info;
}
