import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { estimateExport, type ExportEstimate } from '@export-service/analytics';
import type { ExportRequest } from '@export-service/contracts';
import type { ExportJobEntity, ExportJobRepository, NewDelivery } from '@export-service/db';
import { errors, FailureCode, jobFailure } from '@export-service/errors';
import { enqueueExport, type Queues } from '@export-service/queue';
import { hashPassword, sealSecret } from '@export-service/security';
import { resolveDeliveries, type DeliveryResolutionDeps } from './resolve-deliveries';
import { resolveExportRequest } from './resolve-export-request';

/** What creating an export talks to. */
export interface CreateExportDeps {
  jobs: ExportJobRepository;
  queues: Queues;
  /** For the estimate only; the workers read the rows. */
  analyticsPool: pg.Pool;
  /** Seals the file password until the worker has written the files. */
  secretKey: Buffer;
  /** Queued plus running exports a workspace may have. */
  maxActiveExports: number;
  /** Time the estimate may spend counting, all sources together. */
  estimateBudgetMs: number;
  /** Checks delivery targets against the workspace's credentials and settings. */
  delivery: DeliveryResolutionDeps;
}

/** On whose behalf the export is created: its workspace scopes every row, its user owns the export. */
export interface ExportOwner {
  workspaceId: string;
  userId: string;
}

/** Options of one creation. */
export interface CreateExportOptions {
  /** The moment the request is resolved at (relative periods); now by default. */
  now?: Date;
}

/** A queued export, its estimate, and the generated password (shown to the client once), if any. */
export interface CreatedExport {
  job: ExportJobEntity;
  /** The delivery rows written with it (public settings only). */
  deliveries: NewDelivery[];
  estimate: ExportEstimate;
  generatedPassword: string | null;
}

/** When a workspace at its quota of active exports may try again. */
const QUOTA_RETRY_SECONDS = 30;
/** When a create refused for a busy analytics pool may try again. */
const ESTIMATE_RETRY_SECONDS = 5;

/** A new export id: `job_` and 128 random bits. */
export function newJobId(): string {
  return `job_${randomBytes(16).toString('hex')}`;
}

/**
 * The one way to create an export, for the API route, the scheduler, bulk batches and conversions:
 * resolves the request against the catalog, estimates it, stores the job row (password hashed for
 * downloads, sealed for the worker) and queues it. A job that cannot be queued is failed, not left
 * queued forever.
 */
export async function createExport(deps: CreateExportDeps, owner: ExportOwner, request: ExportRequest, options: CreateExportOptions = {}): Promise<CreatedExport> {
  const resolved = resolveExportRequest(request, owner.workspaceId, options.now ?? new Date());
  const delivery = await resolveDeliveries(request.delivery, owner.workspaceId, deps.delivery);
  const estimate = await estimateExport(deps.analyticsPool, resolved.spec, owner.workspaceId, deps.estimateBudgetMs).catch((error: unknown) => {
    // Every pooled connection busy for the pool's whole connection timeout: say so, rather than wait on.
    if (error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) throw errors.analyticsBusy(ESTIMATE_RETRY_SECONDS);
    throw error;
  });
  const id = newJobId();
  const password = resolved.password?.value ?? null;
  const job = await deps.jobs.create(
    {
      id,
      workspaceId: owner.workspaceId,
      userId: owner.userId,
      name: resolved.spec.name,
      spec: resolved.spec,
      notes: [...resolved.notes, ...delivery.notes, ...(estimate.isExactCount ? [] : ['the row estimate comes from the query planner (the source is large)'])],
      estimatedRows: estimate.rows,
      estimatedSizeMb: estimate.sizeMb,
      estimatedSeconds: estimate.timeSeconds,
      passwordHash: password && resolved.spec.encryption.passwordProtected ? await hashPassword(password) : null,
      sealedPassword: password && resolved.spec.encryption.enabled ? sealSecret(password, { key: deps.secretKey, previousKeys: [] }, id) : null,
    },
    deps.maxActiveExports,
    delivery.deliveries,
  );
  if (!job) throw errors.tooManyActiveExports(deps.maxActiveExports, QUOTA_RETRY_SECONDS);
  try {
    await enqueueExport(deps.queues, id);
  } catch (error) {
    await deps.jobs.fail(id, jobFailure(FailureCode.notQueued));
    throw error;
  }
  return { job, deliveries: delivery.deliveries, estimate, generatedPassword: resolved.password?.isGenerated ? password : null };
}
