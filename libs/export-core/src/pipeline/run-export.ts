import type { Compression, ExportFormat, ExportManifest, ExportSpec, StoredFile } from '@export-service/contracts';
import { scopePrefix, type ArtifactScope, type ArtifactStore } from '../ports/artifact-store';
import type { Compressor, Encryptor } from '../ports/compressor';
import type { FormatEncoder } from '../ports/encoder';
import type { ProgressSink } from '../ports/progress';
import type { Partition, RowSource, SourceReader, SourceSnapshot } from '../ports/row-source';
import { fileExtension, partFileName, sourceStems } from './file-naming';
import { outputStagesFor, type OutputStages } from './file-output';
import { buildManifest } from './manifest';
import { ProgressTracker } from './progress-tracker';
import { writeStagedPartition } from './staged-partition.writer';
import { writeStreamingPartition, type PartitionJob } from './streaming-partition.writer';
import { withoutKey, type WrittenDataFile } from './written-file';
import { writeManifestFile } from './manifest-file';
import { profileAsWritten } from './value-limits';
import { WORKBOOK_STEM, writeWorkbook } from './workbook.writer';

/** The adapters an export runs on; registries are keyed by enum so a missing adapter fails to compile. */
export interface ExportPorts {
  rowSource: RowSource;
  store: ArtifactStore;
  encoders: Readonly<Record<ExportFormat, FormatEncoder>>;
  compressors: Readonly<Record<Compression, Compressor>>;
  encryptor: Encryptor;
}

/** Who runs the export and how it reports. */
export interface ExportRunContext {
  jobId: string;
  workspaceId: string;
  /** This attempt's id: its files go under their own key prefix. */
  runId: string;
  createdAt: Date;
  /** The file password, when the export is encrypted. Held in memory only. */
  password: string | null;
  signal: AbortSignal;
  progress: ProgressSink;
  notes: string[];
  clock?: () => Date;
}

/** A finished export: its files in storage (data files, then the manifest) and the manifest. */
export interface ExportOutcome {
  files: StoredFile[];
  manifest: ExportManifest;
  totalRows: number;
}

interface SourcePlan {
  source: ExportSpec['sources'][number];
  stem: string;
  reader: SourceReader;
  partitions: Partition[];
}

/**
 * The one export orchestrator: reads every source in one snapshot, writes its files through the
 * encoder, compressor and encryptor under this attempt's own key prefix, and writes the manifest
 * last. The files become visible only when the job row records their keys, so a reader never sees
 * a half-finished export; a failed attempt removes its own files and never another attempt's.
 */
export async function runExport(spec: ExportSpec, ports: ExportPorts, context: ExportRunContext): Promise<ExportOutcome> {
  const scope: ArtifactScope = { workspaceId: context.workspaceId, jobId: context.jobId, runId: context.runId };
  let snapshot: SourceSnapshot | null = null;
  try {
    snapshot = await ports.rowSource.openSnapshot(context.workspaceId);
    const plans = await planSources(spec, snapshot);
    const totalRows = plans.reduce((sum, plan) => sum + plan.partitions.reduce((rows, partition) => rows + partition.rows, 0), 0);
    const tracker = new ProgressTracker(context.progress, totalRows);
    const written: WrittenDataFile[][] = [];
    if (isWorkbook(spec)) {
      const workbook = await writeWorkbookFile(spec, ports, context, scope, plans, tracker);
      written.push(...plans.map((_, index) => (index === 0 ? [workbook] : [])));
    } else {
      for (const plan of plans) {
        tracker.startTable(plan.source.type);
        written.push(await writeSource(spec, ports, context, scope, plan, tracker));
      }
    }
    await snapshot.close();
    snapshot = null;

    const manifest = buildManifest(
      spec,
      { jobId: context.jobId, workspaceId: context.workspaceId, createdAt: context.createdAt, completedAt: (context.clock ?? (() => new Date()))(), notes: context.notes },
      plans.map((plan, index) => {
        const files = (written[index] ?? []).map(withoutKey);
        // A workbook holds every source: each lists it, with the rows of its own sheets.
        const rows = isWorkbook(spec) ? plan.partitions.reduce((sum, partition) => sum + partition.rows, 0) : files.reduce((sum, file) => sum + file.rows, 0);
        const profile = plan.reader.profile();
        return {
          spec: plan.source,
          columns: plan.reader.columns,
          filtersApplied: plan.reader.describeFilters(),
          rows,
          files: isWorkbook(spec) ? written.flat().map(withoutKey) : files,
          ...(profile ? { profile: profileAsWritten(spec.format, profile) } : {}),
        };
      }),
    );
    const manifestFile = await writeManifestFile(ports.store, scope, manifest, manifestEncryption(spec, ports, scope, context.password));
    tracker.addFiles(1);
    await context.progress.flush();
    return { files: [...written.flat(), manifestFile], manifest, totalRows };
  } catch (error) {
    if (snapshot) await snapshot.close().catch(() => undefined);
    await ports.store.deletePrefix(scopePrefix(scope)).catch(() => undefined);
    throw error;
  }
}

/** How the manifest is encrypted: like the data (zip AES inside the archive, or an OpenPGP wrapper without compression), or not at all. */
function manifestEncryption(spec: ExportSpec, ports: ExportPorts, scope: ArtifactScope, password: string | null): OutputStages | null {
  if (!spec.encryption.enabled) return null;
  const compressor = spec.encryption.container === 'zip-aes' ? ports.compressors[spec.compression] : ports.compressors.none;
  return outputStagesFor(spec.encryption, { store: ports.store, scope, compressor, encryptor: ports.encryptor, password });
}

function isWorkbook(spec: ExportSpec): boolean {
  return spec.format === 'excel' && spec.excelSheets === true;
}

async function writeWorkbookFile(
  spec: ExportSpec,
  ports: ExportPorts,
  context: ExportRunContext,
  scope: ArtifactScope,
  plans: SourcePlan[],
  tracker: ProgressTracker,
): Promise<WrittenDataFile> {
  const encoder = ports.encoders[spec.format];
  if (encoder.kind !== 'streaming') throw new Error(`${spec.format} cannot hold several sources in one file`);
  const compressor = ports.compressors[spec.compression];
  const stages = outputStagesFor(spec.encryption, { store: ports.store, scope, compressor, encryptor: ports.encryptor, password: context.password });
  const extension = fileExtension(encoder.extension, compressor.extension, stages.outer ? stages.outer.encryptor.extension : null);
  const sections = plans.map((plan) => ({ source: plan.source, title: plan.stem, reader: plan.reader, partitions: plan.partitions }));
  const output = { stages, filename: `${WORKBOOK_STEM}.${extension}`, entryName: `${WORKBOOK_STEM}.${encoder.extension}` };
  return writeWorkbook(encoder, spec, sections, output, tracker, context.signal);
}

async function planSources(spec: ExportSpec, snapshot: SourceSnapshot): Promise<SourcePlan[]> {
  const stems = sourceStems(spec.sources);
  const periodSplit = spec.split.by === 'month' || spec.split.by === 'week' ? spec.split.by : 'none';
  const plans: SourcePlan[] = [];
  for (const [index, source] of spec.sources.entries()) {
    const reader = snapshot.reader(source);
    plans.push({ source, stem: stems[index] as string, reader, partitions: await reader.partitions(periodSplit) });
  }
  return plans;
}

async function writeSource(
  spec: ExportSpec,
  ports: ExportPorts,
  context: ExportRunContext,
  scope: ArtifactScope,
  plan: SourcePlan,
  tracker: ProgressTracker,
): Promise<WrittenDataFile[]> {
  const encoder = ports.encoders[spec.format];
  const compressor = ports.compressors[spec.compression];
  const stages = outputStagesFor(spec.encryption, { store: ports.store, scope, compressor, encryptor: ports.encryptor, password: context.password });
  const extension = fileExtension(encoder.extension, compressor.extension, stages.outer ? stages.outer.encryptor.extension : null);
  const files: WrittenDataFile[] = [];
  for (const partition of plan.partitions) {
    const job: PartitionJob = {
      spec,
      source: plan.source,
      reader: plan.reader,
      partition,
      context: { columns: plan.reader.columns, title: plan.source.type },
      stages,
      tracker,
      signal: context.signal,
      name: (partIndex) => {
        const filename = partFileName(plan.stem, partition.label, spec.split, partIndex, extension);
        return { filename, entryName: partFileName(plan.stem, partition.label, spec.split, partIndex, encoder.extension) };
      },
    };
    files.push(...(encoder.kind === 'streaming' ? await writeStreamingPartition(encoder, job) : await writeStagedPartition(encoder, job)));
  }
  return files;
}
