/** One export the benchmark times: a name and the body POSTed to /api/v1/export/create. */
export interface BenchCase {
  id: string;
  label: string;
  request: ExportRequest;
  /** Also delivered to this target (the benchmark starts an S3-compatible server, s3rver, on loopback); the time then runs until it is delivered. */
  delivery?: 's3';
}

/** Where an S3 delivery case uploads to. */
export interface BenchS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
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
  { id: 'csv-gzip-s3', label: 'csv + gzip, delivered to S3', request: { format: 'csv', compression: 'gzip' }, delivery: 's3' },
];

/** The full create body: every user_activity row of the caller's workspace, all fields. */
export function createBody(benchCase: BenchCase, rows: number, s3: BenchS3 | null = null): Record<string, unknown> {
  const delivery =
    benchCase.delivery === 's3' && s3
      ? {
          method: 's3',
          s3_config: {
            bucket: s3.bucket,
            prefix: `bench/${rows}/`,
            endpoint: s3.endpoint,
            force_path_style: true,
            access_key_id: s3.accessKeyId,
            secret_access_key: s3.secretAccessKey,
          },
        }
      : undefined;
  return {
    name: `bench ${benchCase.id} ${rows} rows`,
    data_sources: [{ type: 'user_activity' }],
    ...benchCase.request,
    ...(delivery ? { delivery } : {}),
  };
}
