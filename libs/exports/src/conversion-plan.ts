import { StagedRowSource, type StagedSourcePlan } from '@export-service/analytics';
import type { ExportJobEntity, ExportJobRepository } from '@export-service/db';
import { failWith, FailureCode } from '@export-service/errors';
import { decodeExportFile, isUnreadableFile, type StoredExportFile } from '@export-service/export-adapters';
import { sourceStems, type ArtifactStore } from '@export-service/export-core';
import { periodStartOf, sourcesOf, timeColumnOf } from './recorded-sources';

/** What a converting worker reads the source export with. */
export interface ConversionDeps {
  jobs: ExportJobRepository;
  store: ArtifactStore;
  /** The service's own PostgreSQL, where the source rows are staged in temporary tables. */
  stagingUrl: string;
  scratchDir: string;
}

/**
 * The row source of a conversion: the source export's files, checked against their recorded
 * checksums, decrypted with its password, decoded and staged with the recorded column types. A
 * source deleted or expired meanwhile, or a file that no longer matches its checksum, fails the
 * conversion for good (`source_unreadable`).
 */
export async function conversionRowSource(deps: ConversionDeps, conversion: ExportJobEntity, password: string | null, signal: AbortSignal): Promise<StagedRowSource> {
  const sourceJobId = conversion.spec.conversion?.sourceJobId;
  const source = sourceJobId ? await deps.jobs.findById(sourceJobId) : null;
  if (!source || source.status !== 'completed' || source.deletedAt) throw failWith(FailureCode.sourceUnreadable, `the source export ${sourceJobId ?? '?'} is no longer available`);
  const files = await deps.jobs.listFiles(source.id);
  const recorded = await sourcesOf(deps.jobs, source, files);
  const stems = sourceStems(source.spec.sources);
  const plans: StagedSourcePlan[] = conversion.spec.sources.map((spec, index) => {
    const own = recorded[index];
    if (!own) throw failWith(FailureCode.sourceUnreadable, `the source export has no source ${index}`);
    const sheetTitle = source.spec.format === 'excel' && source.spec.excelSheets ? (stems[index] as string) : null;
    return {
      spec,
      columns: own.columns,
      filtersApplied: own.filtersApplied,
      periodColumn: conversion.spec.conversion?.periodColumns[index] ?? null,
      timeColumn: timeColumnOf(own),
      files: own.files.map((name) => {
        const file = files.find((candidate) => candidate.filename === name);
        if (!file || file.format === 'manifest') throw failWith(FailureCode.sourceUnreadable, `the source export lists no file ${name}`);
        const stored: StoredExportFile = { ...file, format: file.format };
        return {
          filename: file.filename,
          periodStart: periodStartOf(file.period),
          open: async () => {
            try {
              const decoded = await decodeExportFile(deps.store, stored, { password, scratchDir: deps.scratchDir, columns: own.columns, sheetTitle });
              if (decoded.storedSha256 !== file.sha256 || decoded.storedBytes !== file.bytes) {
                await decoded.close();
                throw failWith(FailureCode.sourceUnreadable, `${file.filename} no longer matches its recorded checksum (altered or damaged in storage)`);
              }
              return { rows: decoded.rows, close: decoded.close };
            } catch (error) {
              if (isUnreadableFile(error)) throw failWith(FailureCode.sourceUnreadable, error.message, error);
              throw error;
            }
          },
        };
      }),
    };
  });
  return new StagedRowSource(deps.stagingUrl, plans, { targetFormat: conversion.spec.format, signal });
}
