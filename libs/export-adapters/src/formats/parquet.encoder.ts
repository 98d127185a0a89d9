import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSchema, ParquetCompression } from '@export-service/contracts';
import type { EncodeContext, RowChunk, RowStager, StagedEncoder, StagedEncodeOptions, StagedFile, StagedRows } from '@export-service/export-core';
import { asScratchFailure } from '../storage/storage-failure';

/** DuckDB type of each catalog type: UUIDs and JSON stay UTF-8 strings, timestamps are UTC micros. */
export function duckdbType(column: ColumnSchema): string {
  switch (column.type) {
    case 'uuid':
    case 'text':
    case 'json':
      return 'VARCHAR';
    case 'integer':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'numeric':
      return column.precision !== undefined && column.precision <= 38 ? `DECIMAL(${column.precision}, ${column.scale ?? 0})` : 'DOUBLE';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'timestamp':
      return 'TIMESTAMPTZ';
    case 'date':
      return 'DATE';
  }
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const CODEC: Record<ParquetCompression, string> = { snappy: 'snappy', gzip: 'gzip', zstd: 'zstd', none: 'uncompressed' };

/**
 * Settings that keep DuckDB inside the worker's memory budget (measured: ~80 MB over the process's
 * baseline for 2 M rows, against ~540 MB with DuckDB's defaults). One thread: a second one costs
 * ~60 MB more for no gain while PostgreSQL and zlib use the other core. It spills to `dir` beyond that.
 */
async function openDuckDb(dir: string): Promise<DuckDBInstance> {
  // Loaded on first use: its native binding holds a handle open, so only processes writing Parquet pay for it.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  return DuckDBInstance.create(':memory:', {
    memory_limit: '128MB',
    threads: '1',
    temp_directory: join(dir, 'spill'),
    preserve_insertion_order: 'true',
    enable_external_file_cache: 'false',
  });
}

/** CSV read buffer: 2 MiB, or twice the longest staged row (DuckDB needs a whole row in one buffer). */
function csvBufferBytes(longestRow: number): number {
  return Math.max(2 * 1024 * 1024, 2 ** Math.ceil(Math.log2(2 * longestRow + 1)));
}

/** Rows of one partition, staged as the CSV PostgreSQL wrote, for DuckDB to re-read in any range. */
class DuckDbStagedRows implements StagedRows {
  private parts = 0;

  constructor(
    readonly rows: number,
    private readonly longestRow: number,
    private readonly dir: string,
    private readonly csvPath: string,
    private readonly context: EncodeContext,
    private readonly options: StagedEncodeOptions,
  ) {}

  async encodeRange(offset: number, count: number): Promise<StagedFile> {
    this.options.signal.throwIfAborted();
    this.parts += 1;
    const path = join(this.dir, `part-${this.parts}.parquet`);
    const columns = this.context.columns.map((column) => `${sqlString(column.name)}: ${sqlString(duckdbType(column))}`).join(', ');
    // Unquoted empty fields are NULL and quoted ones empty strings, exactly as PostgreSQL wrote them.
    // The parallel reader (on one thread) reads in small buffers; `parallel = false` allocates 16 MiB ones.
    const buffer = csvBufferBytes(this.longestRow);
    const source =
      `read_csv(${sqlString(this.csvPath)}, header = false, auto_detect = false, columns = {${columns}}, ` +
      `delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false, new_line = '\\n', ` +
      `parallel = true, buffer_size = ${buffer}, max_line_size = ${buffer})`;
    const instance = await openDuckDb(this.dir);
    const connection = await instance.connect();
    try {
      await connection.run(
        `COPY (SELECT * FROM ${source} LIMIT ${Math.floor(count)} OFFSET ${Math.floor(offset)}) TO ${sqlString(path)} ` +
          `(FORMAT parquet, COMPRESSION ${CODEC[this.options.parquetCompression]}, ROW_GROUP_SIZE 122880)`,
      );
    } catch (error) {
      throw asScratchFailure(error);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    return { path, rows: count, cleanup: () => rm(path, { force: true }) };
  }

  cleanup(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

/** Writes the partition's CSV rows to a scratch file. */
class DuckDbStager implements RowStager {
  private rows = 0;
  private longestRow = 0;
  /** The scratch file's first error: a full disk fails the export (unhandled, it would kill the worker). */
  private failure: Error | null = null;

  constructor(
    private readonly dir: string,
    private readonly csvPath: string,
    private readonly file: WriteStream,
    private readonly context: EncodeContext,
    private readonly options: StagedEncodeOptions,
  ) {
    file.on('error', (error) => (this.failure ??= error));
  }

  async writeRows(chunk: RowChunk): Promise<void> {
    this.throwIfFailed();
    this.rows += chunk.ends.length;
    let start = 0;
    for (const end of chunk.ends) {
      if (end - start > this.longestRow) this.longestRow = end - start;
      start = end;
    }
    if (!this.file.write(chunk.data)) await drainOrClose(this.file);
    this.throwIfFailed();
  }

  async seal(): Promise<StagedRows> {
    this.throwIfFailed();
    if (!this.file.closed) {
      this.file.end();
      await once(this.file, 'close');
    }
    this.throwIfFailed();
    return new DuckDbStagedRows(this.rows, this.longestRow, this.dir, this.csvPath, this.context, this.options);
  }

  async destroy(): Promise<void> {
    this.file.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }

  private throwIfFailed(): void {
    if (this.failure) throw asScratchFailure(this.failure);
  }
}

/** Waits until a write stream can take more, or has closed (after an error); never longer. */
function drainOrClose(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/**
 * Parquet through DuckDB: 6× faster than parquetjs with 2.5× smaller files (design card). The
 * schema comes from the catalog, so types never depend on what the rows happen to contain.
 */
export function createParquetEncoder(workDir: string): StagedEncoder {
  return {
    kind: 'staged',
    format: 'parquet',
    extension: 'parquet',
    contentType: 'application/vnd.apache.parquet',
    dialect: 'csv',
    async openStager(context, options) {
      const dir = await mkdir(workDir, { recursive: true })
        .then(() => mkdtemp(join(workDir, 'parquet-')))
        .catch((error: unknown) => Promise.reject(asScratchFailure(error)));
      const csvPath = join(dir, 'rows.csv');
      return new DuckDbStager(dir, csvPath, createWriteStream(csvPath), context, options);
    },
  };
}
