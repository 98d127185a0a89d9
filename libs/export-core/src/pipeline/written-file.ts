import type { ExportFileInfo } from '@export-service/contracts';
import type { PartialArtifact } from '../ports/artifact-store';

/** A file written by this export but not yet moved into place. */
export interface WrittenFile {
  info: Omit<ExportFileInfo, 'storageKey'>;
  partial: PartialArtifact;
}
