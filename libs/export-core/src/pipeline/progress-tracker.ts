import type { ExportProgress } from '@export-service/contracts';
import type { ProgressSink } from '../ports/progress';

/** Counts rows and files as an export runs and hands progress to a sink. */
export class ProgressTracker {
  private rowsProcessed = 0;
  private filesCreated = 0;
  private currentTable: string | null = null;

  constructor(
    private readonly sink: ProgressSink,
    private readonly totalRows: number,
  ) {}

  startTable(name: string): void {
    this.currentTable = name;
    this.publish();
  }

  addRows(rows: number): void {
    this.rowsProcessed += rows;
    this.publish();
  }

  addFiles(files: number): void {
    this.filesCreated += files;
    this.publish();
  }

  /** Progress now; the percentage stays below 100 until the export is finalised. */
  snapshot(): ExportProgress {
    const share = this.totalRows === 0 ? 1 : this.rowsProcessed / this.totalRows;
    return {
      percentage: Math.min(99, Math.floor(share * 100)),
      rows_processed: this.rowsProcessed,
      total_rows: this.totalRows,
      current_table: this.currentTable,
      files_created: this.filesCreated,
    };
  }

  private publish(): void {
    this.sink.report(this.snapshot());
  }
}
