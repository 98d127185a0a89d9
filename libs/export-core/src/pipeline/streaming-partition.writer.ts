import type { ExportSpec } from '@export-service/contracts';
import type { EncodeContext, PartEncoder, StreamingEncoder } from '../ports/encoder';
import type { Partition, RowDialect, SourceReader } from '../ports/row-source';
import { FileOutput, type OutputStages } from './file-output';
import { PartWriter, type OpenPart } from './part-writer';
import type { ProgressTracker } from './progress-tracker';
import { dataFile, type WrittenDataFile } from './written-file';

/** Names of the n-th file of a partition: its own name and the name of its zip entry. */
export type PartNamer = (partIndex: number) => { filename: string; entryName: string };

/** Everything needed to write one partition. */
export interface PartitionJob {
  spec: ExportSpec;
  source: ExportSpec['sources'][number];
  reader: SourceReader;
  partition: Partition;
  context: EncodeContext;
  stages: OutputStages;
  name: PartNamer;
  tracker: ProgressTracker;
  signal: AbortSignal;
}

interface StreamingPart extends OpenPart {
  output: FileOutput;
  filename: string;
}

/** Streams a partition's rows through a streaming encoder into one or more size-bounded files. */
export async function writeStreamingPartition(encoder: StreamingEncoder, job: PartitionJob): Promise<WrittenDataFile[]> {
  const writer = new PartWriter<StreamingPart, WrittenDataFile>(
    {
      open: async (index) => {
        const { filename, entryName } = job.name(index);
        const output = await FileOutput.open(job.stages, filename, entryName);
        const partEncoder: PartEncoder = encoder.openPart(output.head, job.context);
        try {
          await partEncoder.start();
        } catch (error) {
          await partEncoder.destroy(error as Error);
          throw error;
        }
        return { encoder: partEncoder, output, filename, maxFinalBytes: (rowBytes) => output.maxFinalBytes(encoder.maxOutput(rowBytes)) };
      },
      close: async (part) => {
        await part.encoder.finish();
        job.tracker.addFiles(1);
        return dataFile(part.output.result(), {
          filename: part.filename,
          dataSource: job.source.type,
          period: job.partition.label,
          part: null,
          rows: 0,
          format: job.spec.format,
          compression: job.spec.compression,
          encrypted: job.spec.encryption.enabled,
        });
      },
    },
    job.spec.split.maxBytes,
    (rows) => job.tracker.addRows(rows),
  );
  try {
    for await (const chunk of job.reader.read(job.partition, dialectFor(encoder, job.spec), job.signal)) await writer.write(chunk);
    const parts = await writer.finish();
    return parts.map(({ index, rows, file }) => ({ ...file, rows, part: partNumber(job, index, parts.length) }));
  } catch (error) {
    await writer.destroy(error as Error);
    throw error;
  }
}

/** The row encoding a streaming encoder reads for this spec: its indented one for `jsonPretty`, when it has one. */
export function dialectFor(encoder: StreamingEncoder, spec: ExportSpec): RowDialect {
  return spec.jsonPretty && encoder.prettyDialect ? encoder.prettyDialect : encoder.dialect;
}

/** The part number shown in the manifest: set whenever a source or period was cut by size. */
export function partNumber(job: PartitionJob, index: number, parts: number): number | null {
  return job.spec.split.by === 'size' || parts > 1 ? index : null;
}
