import type { ExportEstimate } from '@export-service/analytics';
import type { ConvertRequest, ExportSpec } from '@export-service/contracts';
import type { ExportJobEntity, RecordedSource } from '@export-service/db';
import { errors, type ErrorDetail } from '@export-service/errors';
import { compressors } from '@export-service/export-adapters';
import { encryptionContainerFor, valueProblems } from '@export-service/export-core';
import { timeColumnOf } from './recorded-sources';
import { formatOptions, resolveEncryption, resolveSplit, type ResolvedExport } from './resolve-export-request';

/** A conversion to create: the body, the source export (completed, checked by the caller), what it recorded, and its password. */
export interface ConversionInput {
  body: ConvertRequest;
  source: ExportJobEntity;
  recorded: RecordedSource[];
  /** The source's password, verified by the caller, when its files are encrypted. */
  sourcePassword: string | null;
}

/** A conversion resolved into the spec a worker runs, with its estimate (from the source's own figures). */
export interface ResolvedConversion extends ResolvedExport {
  estimate: ExportEstimate;
}

/** Rows a conversion stages and writes per second, for the time estimate (measured in docs/decisions.md). */
const CONVERSION_ROWS_PER_SECOND = 100_000;

/**
 * Turns a conversion request into an export spec over the source's own sources and recorded schema:
 * target format and options, compression, split (the source's by default) and encryption (an
 * encrypted source's, with its password, by default). Values the target format cannot hold, as the
 * source's recorded profile shows them, are refused with 422 naming each one.
 */
export function resolveConversion(input: ConversionInput): ResolvedConversion {
  const { body, source, recorded } = input;
  const problems: ErrorDetail[] = [];
  const split = body.split_files ? resolveSplit(body, problems) : source.spec.split;
  const isInherited = body.encryption === undefined && source.spec.encryption.enabled;
  const encryption = isInherited
    ? {
        spec: { enabled: true, container: null, passwordProtected: source.spec.encryption.passwordProtected },
        password: input.sourcePassword ? { value: input.sourcePassword, isGenerated: false } : null,
      }
    : resolveEncryption(body, problems);
  const formats = formatOptions(body.target_format, body.options, split, problems);
  const periodColumns = recorded.map((own, index) => {
    if (split.by !== 'month' && split.by !== 'week') return null;
    const column = timeColumnOf(own);
    if (column) return column;
    if (source.spec.split.by !== split.by)
      problems.push({ field: 'split_files.split_by', problem: `data_sources[${index}] of the source has no time column and its files were not split by ${split.by}` });
    return null;
  });
  const notes: string[] = [];
  recorded.forEach((own, index) => {
    if (!own.profile) {
      notes.push(`data_sources[${index}]: the source recorded no value profile; values the target cannot hold fail the conversion before any file is written`);
      return;
    }
    for (const found of valueProblems(body.target_format, own.columns, own.profile))
      problems.push({ field: 'target_format', problem: `${body.target_format} cannot hold ${own.dataSource}.${found.column}: it ${found.problem}` });
    if (!own.profile.isJsonMeasured && body.target_format === 'excel' && own.columns.some((column) => column.type === 'json'))
      notes.push(`${own.dataSource}: json text lengths are checked against Excel's cell limit while converting`);
  });
  if (problems.length > 0) throw errors.validation(problems);
  if (source.spec.format === 'excel') notes.push('the source is an Excel file: its values are what Excel holds (text up to 32,767 characters, instants to the millisecond)');
  if (source.spec.sources.some((spec) => spec.formulaGuard)) notes.push("the source CSV was written with csv_formula_guard: text keeps the leading ' it was given");
  if (body.target_format !== 'parquet' && body.options?.parquet_compression) notes.push('options.parquet_compression applies to parquet only and was ignored');

  const compression = body.compression ?? (encryption.spec.enabled ? 'zip' : 'none');
  if (encryption.spec.enabled) encryption.spec.container = encryptionContainerFor(compressors[compression]);
  const spec: ExportSpec = {
    name: body.name ?? `${source.name} (${body.target_format})`.slice(0, 200),
    sources: source.spec.sources.map(({ formulaGuard: _guard, ...rest }) => rest),
    format: body.target_format,
    compression,
    split,
    parquetCompression: body.options?.parquet_compression ?? source.spec.parquetCompression,
    delivery: { method: 'download' },
    encryption: encryption.spec,
    ...formats,
    conversion: { sourceJobId: source.id, periodColumns },
  };
  const rows = recorded.reduce((sum, own) => sum + own.rows, 0);
  // The source's rows are known exactly; its size estimate stands in for the converted files'.
  const estimate: ExportEstimate = { rows, sizeMb: source.estimatedSizeMb, timeSeconds: Math.max(1, Math.ceil(rows / CONVERSION_ROWS_PER_SECOND)), isExactCount: true };
  return { spec, notes, password: encryption.password, estimate };
}
