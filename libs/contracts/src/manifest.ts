import type { ColumnSchema, DataSourceType } from './data-sources';
import type { Compression, ExportFormat } from './export-options';
import type { SourceFilters } from './export-spec';
import type { SourceProfile } from './profile';

/** What every written file is, wherever it is stored. */
interface FileFacts {
  filename: string;
  rows: number;
  bytes: number;
  /** Lower-case hex SHA-256 of the file's bytes as stored. */
  sha256: string;
  compression: Compression;
  encrypted: boolean;
}

/** A file of rows from one data source. */
export interface DataFileInfo extends FileFacts {
  kind: 'data';
  dataSource: DataSourceType;
  /** `2024_01`, `2024_W03`, or null when the source is not split by period. */
  period: string | null;
  part: number | null;
  format: ExportFormat;
}

/** `manifest.json`, listed after the data files. */
export interface ManifestFileInfo extends FileFacts {
  kind: 'manifest';
  format: 'manifest';
}

/** One produced file, as the manifest and the status describe it. */
export type ExportFileInfo = DataFileInfo | ManifestFileInfo;

/** A produced file and the storage key it was written to (recorded when the export completes). */
export type StoredFile = ExportFileInfo & { storageKey: string };

/** `manifest.json`, written last: downstream loaders use it to know a set of files is complete. */
export interface ExportManifest {
  manifest_version: 1;
  job_id: string;
  name: string;
  workspace_id: string;
  created_at: string;
  completed_at: string;
  format: ExportFormat;
  compression: Compression;
  encryption: { enabled: boolean; container: 'zip-aes' | 'openpgp' | null };
  notes: string[];
  sources: Array<{
    data_source: DataSourceType;
    aggregation: string | null;
    filters: SourceFilters;
    /** The filters as the database applied them, workspace and soft deletes included. */
    filters_applied: string[];
    columns: ColumnSchema[];
    rows: number;
    files: string[];
    /** Facts about the values (date range, longest text, precision), recorded while counting. */
    profile?: SourceProfile;
  }>;
  files: Array<{
    filename: string;
    data_source: DataSourceType;
    period: string | null;
    part: number | null;
    rows: number;
    bytes: number;
    sha256: string;
    format: ExportFormat;
    compression: Compression;
    encrypted: boolean;
  }>;
  totals: { files: number; rows: number; bytes: number };
  /** For a conversion: the export whose files were converted. */
  source_job_id?: string;
}
