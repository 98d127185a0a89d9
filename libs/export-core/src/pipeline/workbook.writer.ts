import type { ExportSpec } from '@export-service/contracts';
import type { PartEncoder, StreamingEncoder } from '../ports/encoder';
import type { Partition, SourceReader } from '../ports/row-source';
import { FileOutput, type OutputStages } from './file-output';
import type { ProgressTracker } from './progress-tracker';
import { dataFile, type WrittenDataFile } from './written-file';

/** File name (before compression and encryption suffixes) of a workbook holding every source. */
export const WORKBOOK_STEM = 'workbook';

/** One source of a workbook: its sheet title (the source's file stem) and rows. */
export interface WorkbookSection {
  source: ExportSpec['sources'][number];
  title: string;
  reader: SourceReader;
  partitions: Partition[];
}

/**
 * `excel_sheets`: every data source in one workbook, one sheet each (continued on `name (2)` past
 * Excel's row limit), in the order of the spec. The workbook is one file, so it cannot be split.
 */
export async function writeWorkbook(
  encoder: StreamingEncoder,
  spec: ExportSpec,
  sections: WorkbookSection[],
  output: { stages: OutputStages; filename: string; entryName: string },
  tracker: ProgressTracker,
  signal: AbortSignal,
): Promise<WrittenDataFile> {
  const file = await FileOutput.open(output.stages, output.filename, output.entryName);
  const [first] = sections;
  if (!first) throw new Error('a workbook needs at least one source');
  const part: PartEncoder = encoder.openPart(file.head, { columns: first.reader.columns, title: first.title });
  let rows = 0;
  try {
    await part.start();
    for (const [index, section] of sections.entries()) {
      tracker.startTable(section.source.type);
      if (index > 0) {
        if (!part.startSection) throw new Error(`${encoder.format} files hold one table only`);
        await part.startSection({ columns: section.reader.columns, title: section.title });
      }
      for (const partition of section.partitions) {
        for await (const chunk of section.reader.read(partition, encoder.dialect, signal)) {
          await part.writeRows(chunk);
          rows += chunk.ends.length;
          tracker.addRows(chunk.ends.length);
        }
      }
    }
    await part.finish();
  } catch (error) {
    await part.destroy(error as Error);
    throw error;
  }
  tracker.addFiles(1);
  return dataFile(file.result(), {
    filename: output.filename,
    dataSource: first.source.type,
    period: null,
    part: null,
    rows,
    format: spec.format,
    compression: spec.compression,
    encrypted: spec.encryption.enabled,
  });
}
