import type { ColumnProfile, ColumnSchema, SourceProfile } from '@export-service/contracts';
import type { DownloadEntry, ExportFileEntity, ExportJobEntity, RecordedSource } from '@export-service/db';
import { sourceStems } from '@export-service/export-core';
import { toMegabytes, type CleanupResult } from '@export-service/exports';
import { presentLineage } from './export.presenter';

/** SQL spelling of each column type, as the spec's metadata shows it. */
const SQL_TYPE: Record<ColumnSchema['type'], string> = {
  uuid: 'UUID',
  text: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  numeric: 'DECIMAL',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'JSON',
};

function presentColumn(column: ColumnSchema) {
  const type = column.type === 'numeric' && column.precision !== undefined ? `DECIMAL(${column.precision},${column.scale ?? 0})` : SQL_TYPE[column.type];
  return {
    name: column.name,
    type,
    logical_type: column.type,
    nullable: column.nullable,
    ...(column.precision !== undefined ? { precision: column.precision, scale: column.scale ?? 0 } : {}),
  };
}

/** The API's snake_case names of a column profile's facts (each present when the export measured it). */
const PROFILE_FACTS: ReadonlyArray<[keyof ColumnProfile, string]> = [
  ['maxChars', 'max_chars'],
  ['min', 'min'],
  ['max', 'max'],
  ['firstSubMillisecond', 'first_sub_millisecond'],
  ['firstBeyond15Digits', 'first_beyond_15_digits'],
  ['firstNonFinite', 'first_non_finite'],
];

/** A source's recorded value profile as the API spells it (the record keeps the contract's names). */
function presentProfile(profile: SourceProfile | null) {
  if (!profile) return null;
  return {
    rows: profile.rows,
    time_range: { column: profile.timeRange.column, start: profile.timeRange.start, end: profile.timeRange.end },
    json_lengths_measured: profile.isJsonMeasured,
    columns: profile.columns.map((column) => ({
      name: column.name,
      nulls: column.nulls,
      ...Object.fromEntries(PROFILE_FACTS.filter(([key]) => column[key] !== undefined).map(([key, name]) => [name, column[key]])),
    })),
  };
}

/** GET /export/metadata/{job_id}: the spec's schema, statistics and lineage from what the export recorded, and each file's download log. */
export function presentMetadata(job: ExportJobEntity, sources: RecordedSource[], files: ExportFileEntity[], downloads: DownloadEntry[], sourceDatabase: string | null) {
  const stems = sourceStems(job.spec.sources);
  const starts = sources.map((source) => source.profile?.timeRange.start).filter((value): value is string => typeof value === 'string');
  const ends = sources.map((source) => source.profile?.timeRange.end).filter((value): value is string => typeof value === 'string');
  const prefix = (index: number, line: string) => (sources.length > 1 ? `${stems[index]}: ${line}` : line);
  return {
    job_id: job.id,
    status: job.status,
    metadata: {
      schema: {
        tables: sources.map((source, index) => ({
          name: stems[index],
          data_source: source.dataSource,
          aggregation: source.aggregation,
          columns: source.columns.map(presentColumn),
          row_count: source.rows,
          files: source.files,
          filters_applied: source.filtersApplied,
          value_profile: presentProfile(source.profile),
        })),
      },
      statistics: {
        total_rows: sources.reduce((sum, source) => sum + source.rows, 0),
        total_columns: sources.reduce((sum, source) => sum + source.columns.length, 0),
        total_files: files.length,
        total_size_mb: toMegabytes(files.reduce((sum, file) => sum + file.bytes, 0)),
        date_range: starts.length > 0 ? { start: starts.sort()[0], end: ends.sort()[ends.length - 1] ?? null } : null,
      },
      lineage: {
        source_database: sourceDatabase,
        export_timestamp: (job.completedAt ?? job.createdAt).toISOString(),
        filters_applied: sources.flatMap((source, index) => source.filtersApplied.map((line) => prefix(index, line))),
        ...presentLineage(job),
      },
      files: files.map((file) => {
        const own = downloads.filter((entry) => entry.fileIndex === file.fileIndex);
        return {
          file_index: file.fileIndex,
          filename: file.filename,
          data_source: file.dataSource,
          rows: file.rows,
          bytes: file.bytes,
          checksum: `sha256:${file.sha256}`,
          download_count: own.length,
          downloads: own.map((entry) => ({
            at: entry.startedAt.toISOString(),
            user_id: entry.userId,
            api_key_hint: entry.apiKeyHint,
            via: entry.via,
            ip: entry.ip,
            range: entry.range ? `bytes=${entry.range.start}-${entry.range.end}` : null,
            bytes_sent: entry.bytesSent,
            complete: entry.isComplete,
          })),
        };
      }),
    },
  };
}

/** POST /export/cleanup: the spec's answer with real counts, and what went (or would go). */
export function presentCleanup(result: CleanupResult, isDryRun: boolean) {
  return {
    exports_deleted: result.exportsDeleted,
    space_freed_gb: Math.round((result.bytesFreed / 1e9) * 1e6) / 1e6,
    dry_run: isDryRun,
    files_removed: result.filesRemoved,
    space_freed_mb: toMegabytes(result.bytesFreed),
    kept_scheduled: result.keptScheduled,
    skipped_unfinished: result.skippedUnfinished,
    has_more: result.hasMore,
    exports: result.exports.map((entry) => ({
      job_id: entry.id,
      name: entry.name,
      status: entry.status,
      created_at: new Date(entry.createdAt).toISOString(),
      schedule_id: entry.scheduleId,
      size_mb: entry.sizeMb,
    })),
  };
}
