import { randomUUID } from 'node:crypto';
import type { Redis } from './redis-connection';

/** Result of one request against a limit. */
export interface LimitDecision {
  isAllowed: boolean;
  /** Seconds until the window resets, when refused. */
  retryAfterSeconds: number;
}

const WINDOW_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

/**
 * Fixed-window counters in Redis, so limits hold across every API replica:
 * request rate limits and failed-authentication limits share it.
 */
export class RedisRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Counts one hit on `key`; refused once more than `limit` hits fall in the window. */
  async hit(key: string, limit: number, windowMs: number): Promise<LimitDecision> {
    const [count, ttl] = (await this.redis.eval(WINDOW_SCRIPT, 1, `${this.prefix}:rl:${key}`, windowMs)) as [number, number];
    return count > limit ? { isAllowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) } : { isAllowed: true, retryAfterSeconds: 0 };
  }
}

// KEYS: failures, lock, checks in flight (a sorted set of reservation ids scored by their expiry).
// ARGV: max failures, lock seconds, reservation lifetime (ms), reservation id.
const RESERVE_SCRIPT = `
local lockTtl = redis.call('TTL', KEYS[2])
if lockTtl > 0 then return {0, lockTtl} end
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs)
local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
if failures + redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[1]) then return {-1, 1} end
redis.call('ZADD', KEYS[3], nowMs + tonumber(ARGV[3]), ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return {1, 0}`;

// KEYS as above. ARGV: max failures, lock seconds, 1 for a success, reservation id.
const SETTLE_SCRIPT = `
redis.call('ZREM', KEYS[3], ARGV[4])
if ARGV[3] == '1' then
  redis.call('DEL', KEYS[1])
  return 0
end
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if failures >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
  redis.call('DEL', KEYS[1])
end
return failures`;

/** The answer to a request for one password check. */
export type Reservation = { kind: 'granted'; id: string } | { kind: 'locked'; retryAfterSeconds: number } | { kind: 'busy'; retryAfterSeconds: number };

/** How long a reserved check may take before its reservation lapses on its own (an API replica died mid-check). */
const RESERVATION_MS = 60_000;

/**
 * Locks a target (an export's downloads) for a while after repeated wrong passwords. A check is
 * reserved in Redis before the (slow, scrypt) verification runs, in one script: failures plus checks
 * in flight never pass the limit, so 100 parallel guesses get exactly `maxFailures` verdicts and the
 * rest a 429, and no more than `maxFailures` verifications of one target run at once.
 */
export class RedisLockout {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxFailures: number,
    private readonly lockSeconds: number,
  ) {}

  /** Reserves one password check of the target, or says why not (locked, or too many checks in flight). */
  async reserve(target: string): Promise<Reservation> {
    const id = randomUUID();
    const [state, seconds] = (await this.redis.eval(RESERVE_SCRIPT, 3, ...this.keys(target), this.maxFailures, this.lockSeconds, RESERVATION_MS, id)) as [number, number];
    if (state === 1) return { kind: 'granted', id };
    return state === 0 ? { kind: 'locked', retryAfterSeconds: seconds } : { kind: 'busy', retryAfterSeconds: seconds };
  }

  /** Settles a reserved check: a success clears the failures, a failure counts (and locks at the limit). */
  async settle(target: string, reservationId: string, isSuccess: boolean): Promise<void> {
    await this.redis.eval(SETTLE_SCRIPT, 3, ...this.keys(target), this.maxFailures, this.lockSeconds, isSuccess ? '1' : '0', reservationId);
  }

  private keys(target: string): [string, string, string] {
    return [`${this.prefix}:fail:${target}`, `${this.prefix}:lock:${target}`, `${this.prefix}:checking:${target}`];
  }
}

const ACQUIRE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

/**
 * Caps how many exports of one workspace run at once. A slot is a lease that the running job
 * renews; a killed worker's lease simply expires, so slots never leak.
 */
export class WorkspaceSlots {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxRunning: number,
    private readonly leaseMs: number,
  ) {}

  /** Takes (or renews) the job's slot; false when the workspace is at its cap. */
  async acquire(workspaceId: string, jobId: string): Promise<boolean> {
    const now = Date.now();
    const result = await this.redis.eval(ACQUIRE_SCRIPT, 1, this.key(workspaceId), now, now + this.leaseMs, jobId, this.maxRunning, this.leaseMs * 2);
    return result === 1;
  }

  async release(workspaceId: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.key(workspaceId), jobId);
  }

  private key(workspaceId: string): string {
    return `${this.prefix}:slots:${workspaceId}`;
  }
}
