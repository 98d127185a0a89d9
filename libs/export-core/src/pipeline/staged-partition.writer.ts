import { createReadStream } from 'node:fs';
import { failWith, FailureCode } from '@export-service/errors';
import type { StagedEncoder, StagedRows } from '../ports/encoder';
import { FileOutput } from './file-output';
import { partNumber, type PartitionJob } from './streaming-partition.writer';
import { dataFile, type WrittenDataFile } from './written-file';

/** Aim this far under the limit when a part must be re-cut (file overheads are not proportional). */
const RECUT_MARGIN = 0.95;

/**
 * Stages a partition's rows, lets the engine encode them, and, when a file would pass `max_size_mb`,
 * re-encodes smaller row ranges until every file fits. Sizes are measured, never assumed.
 */
export async function writeStagedPartition(encoder: StagedEncoder, job: PartitionJob): Promise<WrittenDataFile[]> {
  const stager = await encoder.openStager(job.context, { parquetCompression: job.spec.parquetCompression, signal: job.signal });
  let staged: StagedRows;
  try {
    for await (const chunk of job.reader.read(job.partition, encoder.dialect, job.signal)) {
      await stager.writeRows(chunk);
      job.tracker.addRows(chunk.ends.length);
    }
    staged = await stager.seal();
  } catch (error) {
    await stager.destroy();
    throw error;
  }
  try {
    return await writeParts(staged, job);
  } finally {
    await staged.cleanup();
  }
}

async function writeParts(staged: StagedRows, job: PartitionJob): Promise<WrittenDataFile[]> {
  const limit = job.spec.split.maxBytes;
  const files: WrittenDataFile[] = [];
  let offset = 0;
  let rowsPerPart = Math.max(1, staged.rows);
  do {
    let count = Math.min(rowsPerPart, staged.rows - offset);
    for (;;) {
      const file = await encodeAndStore(staged, offset, count, job, files.length + 1);
      if (limit === null || file.bytes <= limit) {
        files.push(file);
        break;
      }
      await job.stages.store.delete(file.storageKey);
      if (count <= 1) throw failWith(FailureCode.rowTooLarge, `a single row does not fit in max_size_mb (${limit} bytes); raise max_size_mb`);
      count = Math.max(1, Math.min(count - 1, Math.floor(count * (limit / file.bytes) * RECUT_MARGIN)));
      rowsPerPart = count;
    }
    offset += count;
    job.tracker.addFiles(1);
  } while (offset < staged.rows);
  return files.map((file, index) => ({ ...file, part: partNumber(job, index + 1, files.length) }));
}

async function encodeAndStore(staged: StagedRows, offset: number, count: number, job: PartitionJob, partIndex: number): Promise<WrittenDataFile> {
  const { filename, entryName } = job.name(partIndex);
  const encoded = await staged.encodeRange(offset, count);
  try {
    const output = await FileOutput.open(job.stages, filename, entryName);
    try {
      for await (const chunk of createReadStream(encoded.path, { highWaterMark: 256 * 1024, signal: job.signal })) {
        await output.head.write(chunk as Buffer);
      }
      await output.head.end();
    } catch (error) {
      await output.head.destroy(error as Error);
      throw error;
    }
    return dataFile(output.result(), {
      filename,
      dataSource: job.source.type,
      period: job.partition.label,
      part: partIndex,
      rows: count,
      format: job.spec.format,
      compression: job.spec.compression,
      encrypted: job.spec.encryption.enabled,
    });
  } finally {
    await encoded.cleanup();
  }
}
