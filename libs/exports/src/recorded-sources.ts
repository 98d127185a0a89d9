import { CATALOG, describeFilters, selectColumns, toColumnSchema } from '@export-service/analytics';
import type { ExportJobEntity, ExportFileEntity, ExportJobRepository, RecordedSource } from '@export-service/db';
import { sourceStems } from '@export-service/export-core';

/**
 * What an export recorded about each of its sources. Exports completed before sources were recorded
 * get the same from their spec and the catalog (columns, filters) and their files (rows); they have
 * no value profile.
 */
export async function sourcesOf(jobs: ExportJobRepository, job: ExportJobEntity, files?: ExportFileEntity[]): Promise<RecordedSource[]> {
  const recorded = await jobs.recordedSources(job.id);
  if (recorded.length > 0) return recorded;
  const listed = files ?? (await jobs.listFiles(job.id));
  const stems = sourceStems(job.spec.sources);
  return job.spec.sources.map((source, index) => {
    const def = CATALOG[source.type];
    const stem = stems[index] as string;
    const own = listed.filter((file) => file.dataSource === source.type && (file.filename.startsWith(`${stem}.`) || file.filename.startsWith(`${stem}_`)));
    return {
      dataSource: source.type,
      aggregation: source.aggregation,
      columns: selectColumns(def, source.aggregation, source.fields).map(toColumnSchema),
      filtersApplied: describeFilters({ def, spec: source, workspaceId: job.workspaceId }),
      rows: own.reduce((sum, file) => sum + file.rows, 0),
      files: own.map((file) => file.filename),
      profile: null,
    };
  });
}

/** The column that carries a source's time, when the export has it: the catalog's timestamp column, or an aggregation's period start. */
export function timeColumnOf(source: { dataSource: RecordedSource['dataSource']; aggregation: string | null; columns: RecordedSource['columns'] }): string | null {
  const name = source.aggregation ? 'period_start' : CATALOG[source.dataSource].timestampColumn;
  return source.columns.some((column) => column.name === name) ? name : null;
}

/** UTC wall-clock start of a file's period label (`2024_01`, `2024_W03`), or null. */
export function periodStartOf(label: string | null): string | null {
  if (!label) return null;
  const month = /^(\d{4})_(\d{2})$/.exec(label);
  if (month) return `${month[1]}-${month[2]}-01T00:00:00`;
  const week = /^(\d{4})_W(\d{2})$/.exec(label);
  if (!week) return null;
  // ISO week 1 holds 4 January; weeks start on Monday.
  const jan4 = Date.UTC(Number(week[1]), 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000 + (Number(week[2]) - 1) * 7 * 86_400_000;
  return new Date(monday).toISOString().slice(0, 19);
}
