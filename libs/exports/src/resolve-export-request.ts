import { CATALOG, availableColumns, type DataSourceDef, type FilterDef } from '@export-service/analytics';
import {
  BYTES_PER_MB,
  SELF_COMPRESSED_FORMATS,
  SINCE_LAST_RUN,
  type Compression,
  type DataSourceRequest,
  type DateRangeRequest,
  type EncryptionSpec,
  type ExportRequest,
  type ExportSpec,
  type InstantRange,
  type SourceFilters,
  type SourceSpec,
  type SplitSpec,
} from '@export-service/contracts';
import { errors, type ErrorDetail } from '@export-service/errors';
import { compressors } from '@export-service/export-adapters';
import { encryptionContainerFor } from '@export-service/export-core';
import { resolveRelativePeriod } from '@export-service/periods';
import { generatePassword, passwordWeakness } from '@export-service/security';
import { toInstantRange } from './date-range';

/** What a request is resolved against: the caller's workspace, the moment of resolution and its options. */
interface ResolutionContext extends ResolveOptions {
  workspaceId: string;
  now: Date;
}

/** How relative date ranges are read (for schedules); by default in UTC, and `since_last_run` is refused. */
export interface ResolveOptions {
  /** IANA zone whose midnights cut `previous_day` and the other periods; UTC by default. */
  timeZone?: string;
  /** The range a `since_last_run` date range stands for in this run (from where the last successful run stopped). */
  sinceLastRun?: InstantRange;
}

/** A create request checked against the catalog and turned into what the worker runs. */
export interface ResolvedExport {
  spec: ExportSpec;
  notes: string[];
  /** The file/download password, in memory only; `isGenerated` when it must be shown to the client once. */
  password: { value: string; isGenerated: boolean } | null;
}

/**
 * Checks the parts of a request that depend on the catalog and on each other, and turns it into the
 * spec a worker runs; throws 422 listing every problem. `now` is the moment of resolution: relative
 * date ranges (`previous_month`, `last_n_days`...) are read against it.
 */
export function resolveExportRequest(dto: ExportRequest, workspaceId: string, now: Date, options: ResolveOptions = {}): ResolvedExport {
  const problems: ErrorDetail[] = [];
  const sources = dto.data_sources.map((source, index) => resolveSource(source, `data_sources[${index}]`, { workspaceId, now, ...options }, problems));
  const split = resolveSplit(dto, problems);
  // The targets themselves (settings, credentials, secrets) are resolved by resolveDeliveries.
  const delivery = dto.delivery?.method ?? dto.delivery?.targets?.[0]?.method ?? 'download';
  const encryption = resolveEncryption(dto, problems);
  const formats = formatOptions(dto.format, dto.options, split, problems);
  if (problems.length > 0) throw errors.validation(problems);

  const compression = dto.compression ?? (encryption.spec.enabled ? 'zip' : 'none');
  const notes = notesFor(dto, compression);
  if (encryption.spec.enabled) encryption.spec.container = encryptionContainerFor(compressors[compression]);
  return {
    spec: {
      name: dto.name,
      sources: (sources as SourceSpec[]).map((source) => (dto.format === 'csv' && dto.options?.csv_formula_guard ? { ...source, formulaGuard: true } : source)),
      format: dto.format,
      compression,
      split,
      parquetCompression: dto.options?.parquet_compression ?? 'snappy',
      delivery: { method: delivery },
      encryption: encryption.spec,
      ...formats,
    },
    notes,
    password: encryption.password,
  };
}

function resolveSource(dto: DataSourceRequest, path: string, at: ResolutionContext, problems: ErrorDetail[]): SourceSpec | null {
  const def: DataSourceDef = CATALOG[dto.type];
  const aggregation = dto.aggregation ?? null;
  if (aggregation !== null && !def.aggregations[aggregation]) {
    const offered = Object.keys(def.aggregations);
    problems.push({ field: `${path}.aggregation`, problem: offered.length > 0 ? `must be one of ${offered.join(', ')} for ${def.type}` : `is not offered by ${def.type}` });
    return null;
  }
  const columns = availableColumns(def, aggregation).map((column) => column.name);
  const fields = dto.fields ?? columns;
  fields.forEach((field, index) => {
    if (!columns.includes(field))
      problems.push({
        field: `${path}.fields[${index}]`,
        problem: `"${field}" is not a column of ${def.type}${aggregation ? ` (${aggregation})` : ''}; columns: ${columns.join(', ')}`,
      });
    else if (fields.indexOf(field) !== index) problems.push({ field: `${path}.fields[${index}]`, problem: `"${field}" is listed twice` });
  });
  return { type: def.type, fields, aggregation, filters: resolveFilters(def, dto.filters, `${path}.filters`, at, problems) };
}

function resolveFilters(def: DataSourceDef, dto: DataSourceRequest['filters'], path: string, at: ResolutionContext, problems: ErrorDetail[]): SourceFilters {
  const filters: SourceFilters = {};
  for (const [name, value] of Object.entries(dto ?? {})) {
    if (value === undefined) continue;
    const filter = def.filters.find((candidate) => candidate.name === name);
    if (!filter) {
      problems.push({ field: `${path}.${name}`, problem: `is not a filter of ${def.type}; filters: ${def.filters.map((f) => f.name).join(', ')}` });
      continue;
    }
    const resolved = resolveFilterValue(filter, value, `${path}.${name}`, at, problems);
    if (resolved !== undefined) filters[name] = resolved;
  }
  return filters;
}

function resolveFilterValue(filter: FilterDef, value: unknown, field: string, at: ResolutionContext, problems: ErrorDetail[]): SourceFilters[string] | undefined {
  switch (filter.kind) {
    case 'workspace':
      if (value !== at.workspaceId) problems.push({ field, problem: 'must be your own workspace (the one your API key belongs to)' });
      return undefined;
    case 'date_range':
      return resolveDateRange(value as DateRangeRequest, field, at, problems);
    case 'boolean':
      return value as boolean;
    case 'values': {
      const items = value as string[];
      if (items.length === 0) problems.push({ field, problem: 'must list at least one value (leave the filter out to keep every row)' });
      const bad = items.findIndex((item) => !filter.pattern.test(item));
      if (bad >= 0)
        problems.push({
          field: `${field}[${bad}]`,
          problem: filter.sqlType === 'uuid' ? 'must be a UUID' : 'must be an identifier (letters, digits, _ . : -, up to 128 characters)',
        });
      if (items.length > filter.maxItems) problems.push({ field, problem: `must list at most ${filter.maxItems} values` });
      return [...new Set(items)];
    }
  }
}

/** A fixed range as given, or a relative one read at `now` in the context's zone (UTC by default). */
function resolveDateRange(range: DateRangeRequest, field: string, at: ResolutionContext, problems: ErrorDetail[]): InstantRange | undefined {
  const now = at.now;
  if (range.relative !== undefined) {
    if (range.start !== undefined || range.end !== undefined)
      problems.push({ field: `${field}.relative`, problem: 'cannot be combined with start and end; give one or the other' });
    else if (range.relative === SINCE_LAST_RUN) {
      if (range.days !== undefined) problems.push({ field: `${field}.days`, problem: 'is only used with relative "last_n_days"' });
      else if (at.sinceLastRun) return at.sinceLastRun;
      else problems.push({ field: `${field}.relative`, problem: '"since_last_run" is only for scheduled exports (a template run by a schedule)' });
    } else if (range.relative === 'last_n_days' && range.days === undefined) problems.push({ field: `${field}.days`, problem: 'is required with relative "last_n_days"' });
    else if (range.relative !== 'last_n_days' && range.days !== undefined) problems.push({ field: `${field}.days`, problem: 'is only used with relative "last_n_days"' });
    else {
      const span = resolveRelativePeriod(range.relative, now, at.timeZone ?? 'UTC', range.days ?? 1);
      if (span.to > span.from) return { from: span.from.toISOString(), to: span.to.toISOString() };
      problems.push({ field: `${field}.relative`, problem: 'covers no time yet (month_to_date at the first instant of a month)' });
    }
    return undefined;
  }
  if (range.start === undefined || range.end === undefined) {
    problems.push({ field: `${field}.${range.start === undefined ? 'start' : 'end'}`, problem: 'is required (or give relative instead of start and end)' });
    return undefined;
  }
  const result = toInstantRange(range.start, range.end);
  if ('range' in result) return result.range;
  problems.push({ field: `${field}.${result.field}`, problem: result.problem });
  return undefined;
}

/** `split_files` as the worker applies it; problems are added to `problems`. */
export function resolveSplit(dto: Pick<ExportRequest, 'split_files'>, problems: ErrorDetail[]): SplitSpec {
  const split = dto.split_files;
  if (!split?.enabled) return { by: 'none', maxBytes: null };
  const maxBytes = split.max_size_mb === undefined ? null : split.max_size_mb * BYTES_PER_MB;
  if (!split.split_by) problems.push({ field: 'split_files.split_by', problem: 'is required when split_files.enabled is true (month, week or size)' });
  if (split.split_by === 'size' && maxBytes === null) problems.push({ field: 'split_files.max_size_mb', problem: 'is required when split_by is "size"' });
  return { by: split.split_by ?? 'none', maxBytes };
}

/** `encryption` as the worker applies it, and the password (generated when none is given). */
export function resolveEncryption(dto: Pick<ExportRequest, 'encryption'>, problems: ErrorDetail[]): { spec: EncryptionSpec; password: ResolvedExport['password'] } {
  const encryption = dto.encryption;
  const isEnabled = encryption?.enabled ?? false;
  const isProtected = encryption?.password_protected ?? false;
  const spec: EncryptionSpec = { enabled: isEnabled, container: null, passwordProtected: isProtected };
  if (!isEnabled && !isProtected) {
    if (encryption?.password !== undefined)
      problems.push({ field: 'encryption.password', problem: 'is only used when encryption.enabled or encryption.password_protected is true' });
    return { spec, password: null };
  }
  if (encryption?.password === undefined) return { spec, password: { value: generatePassword(), isGenerated: true } };
  const weakness = passwordWeakness(encryption.password);
  if (weakness) problems.push({ field: 'encryption.password', problem: weakness });
  return { spec, password: { value: encryption.password, isGenerated: false } };
}

/** `json_pretty` and `excel_sheets` for the formats they apply to; a workbook of every source cannot be split. */
export function formatOptions(
  format: ExportRequest['format'],
  options: ExportRequest['options'],
  split: SplitSpec,
  problems: ErrorDetail[],
): Pick<ExportSpec, 'jsonPretty' | 'excelSheets'> {
  if (options?.excel_sheets && format === 'excel' && (split.by !== 'none' || split.maxBytes !== null)) {
    problems.push({ field: 'options.excel_sheets', problem: 'puts every data source in one workbook, so it cannot be combined with split_files' });
  }
  return {
    ...(format === 'json' && options?.json_pretty ? { jsonPretty: true } : {}),
    ...(format === 'excel' && options?.excel_sheets ? { excelSheets: true } : {}),
  };
}

function notesFor(dto: ExportRequest, compression: Compression): string[] {
  const notes: string[] = [];
  const isInnerCompressed = SELF_COMPRESSED_FORMATS.includes(dto.format);
  if (isInnerCompressed && compression === 'none') notes.push(`${dto.format} files are compressed inside, so no outer compression is applied`);
  if (isInnerCompressed && compression !== 'none') notes.push(`${dto.format} files are already compressed inside; ${compression} will save little`);
  if (dto.format === 'excel') notes.push('Excel cells hold at most 32,767 characters; longer text is cut to fit');
  if (dto.format !== 'parquet' && dto.options?.parquet_compression) notes.push('options.parquet_compression applies to parquet only and was ignored');
  if (dto.format !== 'csv' && dto.options?.csv_formula_guard) notes.push('options.csv_formula_guard applies to csv only and was ignored');
  if (dto.format !== 'json' && dto.options?.json_pretty) notes.push('options.json_pretty applies to json only and was ignored');
  if (dto.format !== 'excel' && dto.options?.excel_sheets) notes.push('options.excel_sheets applies to excel only and was ignored');
  if (dto.format === 'csv' && dto.options?.csv_formula_guard) notes.push("text starting with = + - @ (or a tab or CR) has a leading ' so spreadsheets do not run it as a formula");
  return notes;
}
