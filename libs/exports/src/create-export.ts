import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { estimateExport, type ExportEstimate } from '@export-service/analytics';
import type { AppConfig } from '@export-service/config';
import type { ExportRequest } from '@export-service/contracts';
import type { CredentialRepository, DeliverySettingsRepository, ExportJobEntity, ExportJobRepository, ExportLineage, NewDelivery } from '@export-service/db';
import { errors, FailureCode, jobFailure } from '@export-service/errors';
import { enqueueExport, type Queues } from '@export-service/queue';
import { hashPassword, sealSecret } from '@export-service/security';
import { resolveConversion, type ConversionInput, type ResolvedConversion } from './resolve-conversion';
import { resolveExportRequest, type ResolveOptions, type ResolvedExport } from './resolve-export-request';
import { resolveDeliveries, type DeliveryResolutionDeps } from './resolve-deliveries';

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
  /** Days an export's files are kept when the request names no `ttl_days` (EXPORT_TTL_DAYS). */
  defaultTtlDays: number;
  /** Checks delivery targets against the workspace's credentials and settings. */
  delivery: DeliveryResolutionDeps;
}

/** The creation deps of a process, from its configuration and its open connections. */
export function exportCreationDeps(
  config: AppConfig,
  parts: Pick<CreateExportDeps, 'jobs' | 'queues' | 'analyticsPool'> & { credentials: CredentialRepository; deliverySettings: DeliverySettingsRepository },
): CreateExportDeps {
  return {
    jobs: parts.jobs,
    queues: parts.queues,
    analyticsPool: parts.analyticsPool,
    secretKey: config.secrets.key,
    maxActiveExports: config.limits.workspaceMaxQueuedExports,
    estimateBudgetMs: config.limits.estimateBudgetMs,
    defaultTtlDays: config.limits.exportTtlDays,
    delivery: {
      credentials: parts.credentials,
      deliverySettings: parts.deliverySettings,
      secretKey: config.secrets.key,
      isEmailConfigured: Boolean(config.mail.smtpUrl || config.mail.sendgridApiKey),
      allowPrivateWebhooks: config.delivery.webhookAllowPrivate,
    },
  };
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
  /** What creates the export (the API by default), with the template, schedule, batch or source export behind it. */
  lineage?: ExportLineage;
  /** An id chosen beforehand (a schedule run's): creating it again returns the export made the first time. */
  jobId?: string;
  /** Relative date ranges are read at this moment (a schedule run's period; `now` by default), in `timeZone`. */
  resolution?: ResolveOptions & { at?: Date };
}

const DAY_MS = 86_400_000;

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

function resolveConversionEstimate(resolved: ResolvedExport): ExportEstimate {
  return (resolved as ResolvedConversion).estimate;
}

/** What a conversion's source password is sealed to: its own job, as the source password (never the file password's context). */
export function sourcePasswordContext(jobId: string): string {
  return `${jobId}:source`;
}

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
export async function createExport(
  deps: CreateExportDeps,
  owner: ExportOwner,
  request: ExportRequest | ConversionInput,
  options: CreateExportOptions = {},
): Promise<CreatedExport> {
  const now = options.now ?? new Date();
  // A conversion (the source export and its request): rows from the source's files, the spec from
  // resolveConversion, the estimate from the source's own figures; everything else is this one path.
  const conversion = 'source' in request ? request : null;
  const resolved = conversion
    ? resolveConversion(conversion)
    : resolveExportRequest(request as ExportRequest, owner.workspaceId, options.resolution?.at ?? now, options.resolution);
  // A conversion is downloaded (its own targets are a later refinement); everything else names its targets.
  const delivery = conversion
    ? { deliveries: [] as NewDelivery[], notes: [] as string[] }
    : await resolveDeliveries((request as ExportRequest).delivery, owner.workspaceId, deps.delivery);
  const estimate: ExportEstimate = conversion
    ? resolveConversionEstimate(resolved)
    : await estimateExport(deps.analyticsPool, resolved.spec, owner.workspaceId, deps.estimateBudgetMs).catch((error: unknown) => {
        // Every pooled connection busy for the pool's whole connection timeout: say so, rather than wait on.
        if (error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) throw errors.analyticsBusy(ESTIMATE_RETRY_SECONDS);
        throw error;
      });
  const id = options.jobId ?? newJobId();
  const password = resolved.password?.value ?? null;
  const sourcePassword = conversion?.sourcePassword ?? null;
  const lineage: ExportLineage = conversion ? { origin: 'conversion', sourceJobId: conversion.source.id } : (options.lineage ?? { origin: 'api' });
  const ttlDays = conversion ? conversion.body.ttl_days : (request as ExportRequest).ttl_days;
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
      expiresAt: new Date(now.getTime() + (ttlDays ?? deps.defaultTtlDays) * DAY_MS),
      lineage,
      sealedSourcePassword: sourcePassword ? sealSecret(sourcePassword, { key: deps.secretKey, previousKeys: [] }, sourcePasswordContext(id)) : null,
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
