/** Live progress of a running export, published through Redis and shown by the status endpoint. */
export interface ExportProgress {
  percentage: number;
  rows_processed: number;
  total_rows: number;
  current_table: string | null;
  files_created: number;
}

/** Progress of a job that has not started. */
export const EMPTY_PROGRESS: ExportProgress = Object.freeze({
  percentage: 0,
  rows_processed: 0,
  total_rows: 0,
  current_table: null,
  files_created: 0,
});
