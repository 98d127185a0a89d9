import type { Compression, ExportFileInfo, ExportFormat, ExportManifest, ExportSpec } from '@export-service/contracts';
import type { ArtifactScope, ArtifactStore } from '../ports/artifact-store';
import type { Compressor, Encryptor } from '../ports/compressor';
import type { FormatEncoder } from '../ports/encoder';
import type { ProgressSink } from '../ports/progress';
import type { Partition, RowSource, SourceReader, SourceSnapshot } from '../ports/row-source';
import { fileExtension, partFileName, sourceStems } from './file-naming';
import type { OutputStages } from './file-output';
import { buildManifest } from './manifest';
import { ProgressTracker } from './progress-tracker';
import { writeStagedPartition } from './staged-partition.writer';
import { writeStreamingPartition, type PartitionJob } from './streaming-partition.writer';
import type { WrittenFile } from './written-file';
import { writeManifestFile } from './manifest-file';

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
  createdAt: Date;
  /** The file password, when the export is encrypted. Held in memory only. */
  password: string | null;
  signal: AbortSignal;
  progress: ProgressSink;
  notes: string[];
  clock?: () => Date;
}

/** A finished export: its files in place (data files, then the manifest) and the manifest. */
export interface ExportOutcome {
  files: ExportFileInfo[];
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
 * encoder, compressor and encryptor, writes the manifest, then moves all files into place at once,
 * so a reader never sees a half-finished export. A retry starts from a clean scope.
 */
export async function runExport(spec: ExportSpec, ports: ExportPorts, context: ExportRunContext): Promise<ExportOutcome> {
  const scope: ArtifactScope = { workspaceId: context.workspaceId, jobId: context.jobId };
  await ports.store.deleteScope(scope);
  let snapshot: SourceSnapshot | null = await ports.rowSource.openSnapshot(context.workspaceId);
  try {
    const plans = await planSources(spec, snapshot);
    const totalRows = plans.reduce((sum, plan) => sum + plan.partitions.reduce((rows, partition) => rows + partition.rows, 0), 0);
    const tracker = new ProgressTracker(context.progress, totalRows);
    const written: WrittenFile[][] = [];
    for (const plan of plans) {
      tracker.startTable(plan.source.type);
      written.push(await writeSource(spec, ports, context, scope, plan, tracker));
    }
    await snapshot.close();
    snapshot = null;

    const manifest = buildManifest(
      spec,
      { jobId: context.jobId, workspaceId: context.workspaceId, createdAt: context.createdAt, completedAt: (context.clock ?? (() => new Date()))(), notes: context.notes },
      plans.map((plan, index) => {
        const files = (written[index] ?? []).map((file) => ({ ...file.info, storageKey: '' }));
        const rows = files.reduce((sum, file) => sum + file.rows, 0);
        return { spec: plan.source, columns: plan.reader.columns, filtersApplied: plan.reader.describeFilters(), rows, files };
      }),
    );
    const manifestFile = await writeManifestFile(ports.store, scope, manifest);
    const files = await promoteAll(ports.store, scope, [...written.flat(), manifestFile]);
    tracker.addFiles(1);
    await context.progress.flush();
    return { files, manifest, totalRows };
  } catch (error) {
    if (snapshot) await snapshot.close().catch(() => undefined);
    await ports.store.deleteScope(scope).catch(() => undefined);
    throw error;
  }
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
): Promise<WrittenFile[]> {
  const encoder = ports.encoders[spec.format];
  const compressor = ports.compressors[spec.compression];
  const isOuterEncryption = spec.encryption.container === 'openpgp';
  const stages: OutputStages = {
    store: ports.store,
    scope,
    compressor,
    encryptor: isOuterEncryption ? ports.encryptor : null,
    password: spec.encryption.enabled ? context.password : null,
  };
  const extension = fileExtension(encoder.extension, compressor.extension, isOuterEncryption ? ports.encryptor.extension : null);
  const files: WrittenFile[] = [];
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

async function promoteAll(store: ArtifactStore, scope: ArtifactScope, files: WrittenFile[]): Promise<ExportFileInfo[]> {
  const promoted: ExportFileInfo[] = [];
  for (const file of files) {
    const storageKey = await store.promote(file.partial, scope, file.info.filename);
    promoted.push({ ...file.info, storageKey });
  }
  return promoted;
}
