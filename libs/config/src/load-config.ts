import type { StorageDriver } from '@export-service/contracts';
import { redactText } from '@export-service/logger';
import { DEVELOPMENT_SECRET_KEY, ENV_SCHEMA, type EnvName } from './env-schema';
import { EnvValueError, type EnvRule, type TrustProxy } from './parsers';
import { parseRedisUrl, queuePrefixFor, type RedisTopology } from './redis-url';

type Raw = { [K in EnvName]: (typeof ENV_SCHEMA)[K] extends EnvRule<infer T> ? T : never };

/** The service configuration: validated once, frozen, grouped by concern. */
export interface AppConfig {
  env: Raw['NODE_ENV'];
  http: { port: number; host: string; publicBaseUrl: string; corsOrigins: string[]; trustProxy: TrustProxy; bodyLimitBytes: number };
  log: { level: Raw['LOG_LEVEL']; format: Raw['LOG_FORMAT'] };
  redis: { url: string; queuePrefix: string; topology: RedisTopology };
  database: { url: string; analyticsUrl: string; poolSize: number };
  storage: { driver: StorageDriver; dir: string; workDir: string; s3: S3StorageSettings };
  secrets: { key: Buffer; previousKeys: Buffer[]; isDevelopmentKey: boolean };
  limits: {
    perKeyPerMinute: number;
    perIpPerMinute: number;
    authFailuresPerIpPerMinute: number;
    downloadMaxPasswordFailures: number;
    downloadLockSeconds: number;
    workspaceMaxRunningExports: number;
    workspaceMaxQueuedExports: number;
    estimateBudgetMs: number;
    exportTtlDays: number;
    /** Stored MB an export may have to be validated within the request. */
    validateInlineMaxMb: number;
  };
  worker: {
    concurrency: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    maxStalledCount: number;
    attempts: number;
    backoffMs: number;
  };
  schedules: {
    reconcileMs: number;
    catchUpAfterMs: number;
    runRetryMs: number;
    templateEstimateMaxAgeMs: number;
    /** `every_seconds` schedules are for tests and benchmarks: refused in production. */
    allowsEverySeconds: boolean;
  };
  demo: { apiKey: string | null; seedRows: number };
  ops: { metricsToken: string | null; metricsPort: number; adminSessionTtlSeconds: number; sseHeartbeatSeconds: number };
  mail: { smtpUrl: string | null; sendgridApiKey: string | null; sendgridApiUrl: string; from: string; attachMaxBytes: number; linkTtlSeconds: number };
  delivery: { attempts: number; backoffMs: number; concurrency: number; connectTimeoutMs: number; partSizeBytes: number; webhookAllowPrivate: boolean; webhookTimeoutMs: number };
}

/** The bucket of the `s3` storage driver. */
export interface S3StorageSettings {
  bucket: string;
  prefix: string;
  region: string;
  endpoint: string | null;
  forcePathStyle: boolean;
  /** Both or neither: the SDK's default credential chain when null. */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
  partSizeBytes: number;
}

/** Raised with one line that names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const raw = {} as Record<EnvName, unknown>;
  for (const name of Object.keys(ENV_SCHEMA) as EnvName[]) {
    const rule = ENV_SCHEMA[name] as EnvRule<unknown>;
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      raw[name] = rule.fallback;
      continue;
    }
    try {
      raw[name] = rule.parse(value);
    } catch (error) {
      if (!(error instanceof EnvValueError)) throw error;
      problems.push(`${name} ${error.message}${name.includes('KEY') ? '' : ` (got "${redactText(value)}")`}`);
    }
  }
  const r = raw as Raw;
  const isDevelopmentKey = r.EXPORT_SECRET_KEY === undefined;
  if (isDevelopmentKey && r.NODE_ENV === 'production') {
    problems.push('EXPORT_SECRET_KEY is required in production (openssl rand -hex 32)');
  }
  if (r.STORAGE_DRIVER === 's3' && !r.S3_BUCKET) problems.push('S3_BUCKET is required with STORAGE_DRIVER=s3');
  if (Boolean(r.S3_ACCESS_KEY_ID) !== Boolean(r.S3_SECRET_ACCESS_KEY)) problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both or neither');
  if (r.S3_PREFIX && (r.S3_PREFIX.startsWith('/') || r.S3_PREFIX.split('/').includes('..'))) problems.push('S3_PREFIX must be a relative key prefix without ".." segments');
  if (problems.length > 0) throw new ConfigError(problems);

  const topology = parseRedisUrl(r.REDIS_URL);
  return deepFreeze({
    env: r.NODE_ENV,
    http: { port: r.PORT, host: r.HOST, publicBaseUrl: r.PUBLIC_BASE_URL, corsOrigins: r.CORS_ORIGINS, trustProxy: r.TRUST_PROXY, bodyLimitBytes: r.BODY_LIMIT_BYTES },
    log: { level: r.LOG_LEVEL, format: r.LOG_FORMAT },
    redis: { url: r.REDIS_URL, queuePrefix: queuePrefixFor(topology, r.QUEUE_PREFIX), topology },
    database: { url: r.DATABASE_URL, analyticsUrl: r.ANALYTICS_DATABASE_URL, poolSize: r.DATABASE_POOL_SIZE },
    storage: {
      driver: r.STORAGE_DRIVER,
      dir: r.STORAGE_DIR,
      workDir: r.WORK_DIR,
      s3: {
        bucket: r.S3_BUCKET,
        prefix: r.S3_PREFIX && !r.S3_PREFIX.endsWith('/') ? `${r.S3_PREFIX}/` : r.S3_PREFIX,
        region: r.S3_REGION,
        endpoint: r.S3_ENDPOINT || null,
        forcePathStyle: r.S3_FORCE_PATH_STYLE,
        credentials: r.S3_ACCESS_KEY_ID ? { accessKeyId: r.S3_ACCESS_KEY_ID, secretAccessKey: r.S3_SECRET_ACCESS_KEY } : null,
        partSizeBytes: r.S3_PART_SIZE_MB * 1024 * 1024,
      },
    },
    secrets: {
      key: r.EXPORT_SECRET_KEY ?? Buffer.from(DEVELOPMENT_SECRET_KEY, 'hex'),
      previousKeys: r.EXPORT_SECRET_KEY_PREVIOUS,
      isDevelopmentKey,
    },
    limits: {
      perKeyPerMinute: r.RATE_LIMIT_PER_KEY,
      perIpPerMinute: r.RATE_LIMIT_PER_IP,
      authFailuresPerIpPerMinute: r.AUTH_FAILURES_PER_IP,
      downloadMaxPasswordFailures: r.DOWNLOAD_MAX_PASSWORD_FAILURES,
      downloadLockSeconds: r.DOWNLOAD_LOCK_SECONDS,
      workspaceMaxRunningExports: r.WORKSPACE_MAX_RUNNING_EXPORTS,
      workspaceMaxQueuedExports: r.WORKSPACE_MAX_QUEUED_EXPORTS,
      estimateBudgetMs: r.ESTIMATE_BUDGET_MS,
      exportTtlDays: r.EXPORT_TTL_DAYS,
      validateInlineMaxMb: r.VALIDATE_INLINE_MAX_MB,
    },
    worker: {
      concurrency: r.WORKER_CONCURRENCY,
      lockDurationMs: r.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: r.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: r.WORKER_MAX_STALLED_COUNT,
      attempts: r.EXPORT_ATTEMPTS,
      backoffMs: r.EXPORT_BACKOFF_MS,
    },
    schedules: {
      reconcileMs: r.SCHEDULER_RECONCILE_MS,
      catchUpAfterMs: r.SCHEDULE_CATCH_UP_AFTER_MS,
      runRetryMs: r.SCHEDULE_RUN_RETRY_MS,
      templateEstimateMaxAgeMs: r.TEMPLATE_ESTIMATE_MAX_AGE_SECONDS * 1000,
      allowsEverySeconds: r.NODE_ENV !== 'production',
    },
    demo: { apiKey: r.DEMO_API_KEY || null, seedRows: r.DEMO_SEED_ROWS },
    ops: { metricsToken: r.METRICS_TOKEN || null, metricsPort: r.METRICS_PORT, adminSessionTtlSeconds: r.ADMIN_SESSION_TTL_SECONDS, sseHeartbeatSeconds: r.SSE_HEARTBEAT_SECONDS },
    mail: {
      smtpUrl: r.SMTP_URL || null,
      sendgridApiKey: r.SENDGRID_API_KEY || null,
      sendgridApiUrl: r.SENDGRID_API_URL,
      from: r.EMAIL_FROM,
      attachMaxBytes: r.EMAIL_ATTACH_MAX_MB * 1_000_000,
      linkTtlSeconds: r.EMAIL_LINK_TTL_HOURS * 3600,
    },
    delivery: {
      attempts: r.DELIVERY_ATTEMPTS,
      backoffMs: r.DELIVERY_BACKOFF_MS,
      concurrency: r.DELIVERY_CONCURRENCY,
      connectTimeoutMs: r.DELIVERY_CONNECT_TIMEOUT_MS,
      partSizeBytes: r.S3_PART_SIZE_MB * 1024 * 1024,
      webhookAllowPrivate: r.WEBHOOK_ALLOW_PRIVATE,
      webhookTimeoutMs: r.WEBHOOK_TIMEOUT_MS,
    },
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
