import type { Redis } from 'ioredis';

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

const FAILURE_SCRIPT = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if failures >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
  redis.call('DEL', KEYS[1])
end
return failures`;

/** Locks a target (an export's downloads) for a while after repeated wrong passwords. */
export class RedisLockout {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxFailures: number,
    private readonly lockSeconds: number,
  ) {}

  /** Seconds the target stays locked, or 0. */
  async lockedFor(target: string): Promise<number> {
    return Math.max(0, await this.redis.ttl(`${this.prefix}:lock:${target}`));
  }

  /** Records a failure; locks the target when it is the last one allowed. */
  async recordFailure(target: string): Promise<void> {
    await this.redis.eval(FAILURE_SCRIPT, 2, `${this.prefix}:fail:${target}`, `${this.prefix}:lock:${target}`, this.maxFailures, this.lockSeconds);
  }

  /** A success clears the failure count. */
  async reset(target: string): Promise<void> {
    await this.redis.del(`${this.prefix}:fail:${target}`);
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
