import type { ColumnSchema, DataFileInfo, ExportManifest, ExportSpec, SourceProfile } from '@export-service/contracts';

/** What the manifest needs to know about one data source. */
export interface ManifestSource {
  spec: ExportSpec['sources'][number];
  columns: ColumnSchema[];
  filtersApplied: string[];
  rows: number;
  files: DataFileInfo[];
  profile?: SourceProfile;
}

/** Identity of the export the manifest describes. */
export interface ManifestHeader {
  jobId: string;
  workspaceId: string;
  createdAt: Date;
  completedAt: Date;
  notes: string[];
}

/** Builds `manifest.json`: every file with its rows, bytes and checksum, the schema, filters and totals. */
export function buildManifest(spec: ExportSpec, header: ManifestHeader, sources: ManifestSource[]): ExportManifest {
  // A workbook is listed by every source it holds; the file list names it once.
  const files = [...new Map(sources.flatMap((source) => source.files).map((file) => [file.filename, file])).values()];
  return {
    manifest_version: 1,
    job_id: header.jobId,
    name: spec.name,
    workspace_id: header.workspaceId,
    created_at: header.createdAt.toISOString(),
    completed_at: header.completedAt.toISOString(),
    format: spec.format,
    compression: spec.compression,
    encryption: { enabled: spec.encryption.enabled, container: spec.encryption.container },
    notes: header.notes,
    sources: sources.map((source) => ({
      data_source: source.spec.type,
      aggregation: source.spec.aggregation,
      filters: source.spec.filters,
      filters_applied: source.filtersApplied,
      columns: source.columns,
      rows: source.rows,
      files: source.files.map((file) => file.filename),
      ...(source.profile ? { profile: source.profile } : {}),
    })),
    files: files.map((file) => ({
      filename: file.filename,
      data_source: file.dataSource,
      period: file.period,
      part: file.part,
      rows: file.rows,
      bytes: file.bytes,
      sha256: file.sha256,
      format: file.format,
      compression: file.compression,
      encrypted: file.encrypted,
    })),
    totals: {
      files: files.length,
      rows: files.reduce((sum, file) => sum + file.rows, 0),
      bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    },
    ...(spec.conversion ? { source_job_id: spec.conversion.sourceJobId } : {}),
  };
}
