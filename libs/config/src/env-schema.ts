import { boolean, integer, key256, keyList, list, oneOf, redisUrl, text, trustProxy, url } from './parsers';

/**
 * Key used when EXPORT_SECRET_KEY is unset outside production, so a fresh clone starts with no set-up.
 * Production refuses to start without a key of its own.
 */
export const DEVELOPMENT_SECRET_KEY = '6465762d6f6e6c792d6b65792d646f2d6e6f742d7573652d696e2d70726f6421';

/** Every environment variable the service reads, with its default and meaning. */
export const ENV_SCHEMA = {
  NODE_ENV: oneOf(['development', 'test', 'production'] as const, 'development', 'Runtime mode; production requires EXPORT_SECRET_KEY.'),
  PORT: integer(3000, 1, 65535, 'HTTP port of the API.'),
  HOST: text('0.0.0.0', 'Interface the API listens on.'),
  PUBLIC_BASE_URL: url(['http:', 'https:'], 'http://localhost:3000', 'Address clients reach the API at; signed file links start with it.'),
  LOG_LEVEL: oneOf(['error', 'warn', 'info', 'debug'] as const, 'info', 'Least severe log level written.'),
  LOG_FORMAT: oneOf(['json', 'pretty'] as const, 'json', 'Log lines as JSON (for collectors) or short text (for a terminal).'),
  REDIS_URL: redisUrl(
    'redis://127.0.0.1:6379',
    'Redis for queues, progress, rate limits: `redis://host:6379`, a Sentinel group `redis+sentinel://host1:26379,host2:26379/mymaster`, or a Cluster `redis+cluster://host1:6379,host2:6379` (`rediss` for TLS). Run it with maxmemory-policy noeviction.',
  ),
  QUEUE_PREFIX: text('bull', 'Prefix of every BullMQ key in Redis. On a Cluster it is wrapped in a hash tag (`{bull}`) unless it has one.'),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/export_service', 'PostgreSQL for the service metadata.'),
  ANALYTICS_DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/export_analytics', 'PostgreSQL holding the analytics tables (read only).'),
  DATABASE_POOL_SIZE: integer(10, 1, 200, 'Connections per process to each database.'),
  STORAGE_DRIVER: oneOf(['local', 's3'] as const, 'local', 'Where export files are stored: `local` (one machine) or `s3` (shared by every worker; S3_* below).'),
  STORAGE_DIR: text('./data/exports', 'Root directory of local storage.'),
  S3_BUCKET: text('', 'Bucket of the `s3` storage driver (required with STORAGE_DRIVER=s3).'),
  S3_PREFIX: text('', 'Key prefix inside the bucket for export files (e.g. `exports/`).'),
  S3_REGION: text('us-east-1', 'Region of the storage bucket.'),
  S3_ENDPOINT: url(['http:', 'https:'], '', 'S3-compatible endpoint of the storage bucket (MinIO, Ceph...); AWS when empty.'),
  S3_FORCE_PATH_STYLE: boolean(false, 'Path-style bucket addressing (`endpoint/bucket/key`), which most S3-compatible servers need.'),
  S3_ACCESS_KEY_ID: text('', "Access key of the storage bucket; the AWS SDK's default chain (role, env, profile) when empty."),
  S3_SECRET_ACCESS_KEY: text('', 'Secret key belonging to S3_ACCESS_KEY_ID.'),
  S3_PART_SIZE_MB: integer(8, 5, 512, 'Multipart upload part size for the storage bucket and S3 deliveries; memory per upload is about this.'),
  WORK_DIR: text('./data/work', 'Scratch directory for workers (Parquet staging, DuckDB spill).'),
  EXPORT_SECRET_KEY: key256(undefined, 'Encrypts secrets at rest (export passwords in flight, stored credentials). 32 bytes, hex or base64.'),
  EXPORT_SECRET_KEY_PREVIOUS: keyList('Older keys, comma separated, still accepted for decryption during a key rotation.'),
  CORS_ORIGINS: list('Origins allowed by CORS, comma separated; empty turns CORS off.'),
  TRUST_PROXY: trustProxy(
    'Proxies in front of the API whose X-Forwarded-For is believed: `false`, a hop count (`1` behind one load balancer), or addresses/CIDRs (`10.0.0.0/8,loopback`). `true` is refused: it would believe any client.',
  ),
  BODY_LIMIT_BYTES: integer(262_144, 1_024, 10_485_760, 'Largest accepted JSON request body.'),
  RATE_LIMIT_PER_KEY: integer(600, 1, 1_000_000, 'Requests per minute per API key.'),
  RATE_LIMIT_PER_IP: integer(1_200, 1, 1_000_000, 'Requests per minute per client IP.'),
  AUTH_FAILURES_PER_IP: integer(30, 1, 1_000_000, 'Failed authentications per minute per client IP before 429.'),
  DOWNLOAD_MAX_PASSWORD_FAILURES: integer(5, 1, 100, 'Wrong X-Export-Password attempts before a job locks.'),
  DOWNLOAD_LOCK_SECONDS: integer(900, 1, 86_400, 'How long a locked job refuses downloads.'),
  WORKSPACE_MAX_QUEUED_EXPORTS: integer(20, 1, 100_000, 'Queued plus running exports one workspace may have; creates beyond it answer 429 with Retry-After.'),
  ESTIMATE_BUDGET_MS: integer(2_000, 50, 60_000, 'How long a create may spend counting rows for its estimate, all sources together; past it the query planner estimates.'),
  EXPORT_TTL_DAYS: integer(30, 1, 3_650, "Days an export's files are kept when the export names no ttl_days; then downloads answer 410 and the files are deleted."),
  VALIDATE_INLINE_MAX_MB: integer(
    50,
    0,
    100_000,
    'Largest export (stored MB) POST /export/validate checks within the request; larger ones are validated as a job (202 and a status URL).',
  ),
  WORKSPACE_MAX_RUNNING_EXPORTS: integer(2, 1, 1_000, 'Exports of one workspace that run at once; the rest wait queued.'),
  WORKER_CONCURRENCY: integer(2, 1, 64, 'Export jobs one worker process runs at once.'),
  WORKER_LOCK_DURATION_MS: integer(30_000, 1_000, 600_000, 'BullMQ lock; a killed worker loses its job after this.'),
  WORKER_STALLED_INTERVAL_MS: integer(30_000, 1_000, 600_000, 'How often workers look for stalled jobs.'),
  WORKER_MAX_STALLED_COUNT: integer(2, 0, 100, 'Stalls (killed workers) a job survives before it fails.'),
  EXPORT_ATTEMPTS: integer(3, 1, 20, 'Attempts for an export that fails with a transient error.'),
  EXPORT_BACKOFF_MS: integer(5_000, 0, 3_600_000, 'First retry delay; doubles on every attempt.'),
  METRICS_TOKEN: text('', 'When set, /metrics (API and workers) answers only `Authorization: Bearer <token>`.'),
  METRICS_PORT: integer(0, 0, 65_535, "Port of the worker and scheduler processes' own /metrics and /healthz server; 0 turns it off."),
  ADMIN_SESSION_TTL_SECONDS: integer(28_800, 60, 604_800, 'Lifetime of a Bull Board login session (its signed cookie).'),
  SSE_HEARTBEAT_SECONDS: integer(15, 1, 300, 'Seconds between keep-alive comments on a live progress stream, so proxies never time it out.'),
  SCHEDULER_RECONCILE_MS: integer(
    60_000,
    100,
    3_600_000,
    'How often the scheduler makes sure every active schedule has its next firing queued (after a flushed Redis, within this long).',
  ),
  SCHEDULE_CATCH_UP_AFTER_MS: integer(
    300_000,
    1_000,
    86_400_000,
    'A firing later than this (workers down) is a catch-up: it runs its one period and skips, and records, the periods missed since, instead of running each.',
  ),
  SCHEDULE_RUN_RETRY_MS: integer(
    30_000,
    100,
    3_600_000,
    'How long a schedule run waits before it tries again to create its export (workspace quota full, an earlier incremental run unfinished).',
  ),
  TEMPLATE_ESTIMATE_MAX_AGE_SECONDS: integer(3_600, 0, 604_800, "Age after which a template's estimated_size_mb is taken again when templates are listed."),
  DEMO_API_KEY: text('', 'Admin key of the demo workspace ws_demo (npm start); generated when empty.'),
  DEMO_SEED_ROWS: integer(300_000, 0, 100_000_000, 'Rows per analytics table seeded for ws_demo when it has none.'),
  SMTP_URL: url(['smtp:', 'smtps:'], '', 'SMTP server for email delivery (`smtp://user:pass@host:587`, `smtps://` for TLS from the start).'),
  SENDGRID_API_KEY: text('', 'SendGrid API key for email delivery; used instead of SMTP_URL when set.'),
  SENDGRID_API_URL: url(['http:', 'https:'], 'https://api.sendgrid.com', 'Base URL of the SendGrid v3 API.'),
  EMAIL_FROM: text('Analytics exports <exports@localhost>', 'Sender of delivery emails.'),
  EMAIL_ATTACH_MAX_MB: integer(10, 0, 30, 'Files are attached when their total is at most this; otherwise the email carries signed download links.'),
  EMAIL_LINK_TTL_HOURS: integer(168, 1, 720, 'How long the download links in delivery emails work.'),
  WEBHOOK_ALLOW_PRIVATE: boolean(false, 'Lets webhooks call private, loopback and link-local addresses (tests, trusted networks only).'),
  WEBHOOK_TIMEOUT_MS: integer(10_000, 100, 120_000, 'How long a webhook receiver may take to answer.'),
  DELIVERY_ATTEMPTS: integer(5, 1, 50, 'Attempts of one delivery before it is failed (the API can retry it later).'),
  DELIVERY_BACKOFF_MS: integer(10_000, 0, 3_600_000, 'First delay before a delivery is retried; doubles on every attempt.'),
  DELIVERY_CONCURRENCY: integer(4, 1, 64, 'Deliveries one worker process runs at once.'),
  DELIVERY_CONNECT_TIMEOUT_MS: integer(15_000, 500, 120_000, 'How long connecting to an SFTP, FTP or SMTP server may take.'),
} as const;

/** Names of all variables. */
export type EnvName = keyof typeof ENV_SCHEMA;
