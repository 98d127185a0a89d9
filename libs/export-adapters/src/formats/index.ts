import type { ExportFormat } from '@export-service/contracts';
import type { FormatEncoder } from '@export-service/export-core';
import { csvEncoder } from './csv.encoder';
import { jsonEncoder, jsonlEncoder } from './json.encoder';
import { createParquetEncoder } from './parquet.encoder';
import { xlsxEncoder } from './xlsx/xlsx.encoder';

/** Every format of the spec; a missing encoder is a compile error. `workDir` holds Parquet staging. */
export function createEncoders(workDir: string): Record<ExportFormat, FormatEncoder> {
  return {
    csv: csvEncoder,
    json: jsonEncoder,
    jsonl: jsonlEncoder,
    excel: xlsxEncoder,
    parquet: createParquetEncoder(workDir),
  } satisfies Record<ExportFormat, FormatEncoder>;
}

export { csvEncoder, jsonEncoder, jsonlEncoder, xlsxEncoder, createParquetEncoder };
export { duckdbType } from './parquet.encoder';
