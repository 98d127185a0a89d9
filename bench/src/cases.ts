/** One export the benchmark times: a name and the body POSTed to /api/v1/export/create. */
export interface BenchCase {
  id: string;
  label: string;
  request: ExportRequest;
}

/** The part of the create request the benchmark varies. */
export interface ExportRequest {
  format: 'csv' | 'jsonl' | 'parquet' | 'excel';
  compression: 'none' | 'gzip' | 'zip' | 'bz2';
  options?: { parquet_compression: 'snappy' };
}

/** Every case, in the order a full run measures them. */
export const CASES: readonly BenchCase[] = [
  { id: 'csv-gzip', label: 'csv + gzip', request: { format: 'csv', compression: 'gzip' } },
  { id: 'jsonl-gzip', label: 'jsonl + gzip', request: { format: 'jsonl', compression: 'gzip' } },
  { id: 'parquet', label: 'parquet (snappy)', request: { format: 'parquet', compression: 'none', options: { parquet_compression: 'snappy' } } },
  { id: 'excel', label: 'excel', request: { format: 'excel', compression: 'none' } },
  { id: 'csv-zip', label: 'csv + zip', request: { format: 'csv', compression: 'zip' } },
  { id: 'csv-bz2', label: 'csv + bz2', request: { format: 'csv', compression: 'bz2' } },
];

/** The full create body: every user_activity row of the caller's workspace, all fields. */
export function createBody(benchCase: BenchCase, rows: number): Record<string, unknown> {
  return {
    name: `bench ${benchCase.id} ${rows} rows`,
    data_sources: [{ type: 'user_activity' }],
    ...benchCase.request,
  };
}
