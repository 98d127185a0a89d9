import request from 'supertest';
import { startHarness, type Harness } from './support/harness';
import { createRedisConnection, RedisRateLimiter, waitForRedis } from '@export-service/queue';
import { createApp } from '../src/app';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness('hardening', { withWorker: false, overrides: { RATE_LIMIT_PER_KEY: '5', RATE_LIMIT_PER_IP: '40', AUTH_FAILURES_PER_IP: '4' } });
});

afterAll(() => harness.close());

it('limits each API key, answering 429 with Retry-After, while another key still works', async () => {
  const first = await harness.createKey('ws_a', 'member');
  const second = await harness.createKey('ws_a', 'member');
  const statuses: number[] = [];
  for (let i = 0; i < 7; i += 1) statuses.push((await request(harness.app).get('/api/v1/export/status/job_missing').set('Authorization', `Bearer ${first}`)).status);
  expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
  const limited = await request(harness.app).get('/api/v1/export/status/job_missing').set('Authorization', `Bearer ${first}`);
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe('rate_limited');
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect((await request(harness.app).get('/api/v1/export/status/job_missing').set('Authorization', `Bearer ${second}`)).status).toBe(404);
});

it('slows down key guessing: failed authentications per IP end in 429', async () => {
  const answers: number[] = [];
  for (let i = 0; i < 6; i += 1)
    answers.push(
      (
        await request(harness.app)
          .get('/api/v1/export/status/x')
          .set('Authorization', `Bearer dxk_${'z'.repeat(43)}`)
      ).status,
    );
  expect(answers.slice(0, 4)).toEqual([401, 401, 401, 401]);
  expect(answers.slice(4)).toEqual([429, 429]);
});

it('limits requests per IP across keys, counted in Redis so every API replica shares the count', async () => {
  const keys = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(() => harness.createKey('ws_ip', 'member')));
  // A second API replica with its own Redis connection and limiter: only a count kept in Redis
  // (not in either process) makes both replicas refuse once the IP's budget is spent.
  const connection = createRedisConnection(harness.env.config.redis.url, 'client');
  await waitForRedis(connection);
  const replica = createApp({ ...harness.deps, redis: connection, limiter: new RedisRateLimiter(connection, `${harness.env.config.redis.queuePrefix}:api`) });
  const statuses: number[] = [];
  try {
    for (let i = 0; i < 44; i += 1) {
      const app = i % 2 === 0 ? harness.app : replica;
      statuses.push(
        (
          await request(app)
            .get('/api/v1/export/status/job_missing')
            .set('Authorization', `Bearer ${keys[i % keys.length]}`)
        ).status,
      );
    }
  } finally {
    connection.disconnect();
  }
  // 40 per minute per IP (earlier tests spent some): were the count kept per process, the two
  // replicas would allow 44 between them; shared in Redis, they allow at most 40, then both refuse.
  const firstRefusal = statuses.indexOf(429);
  expect(firstRefusal).toBeGreaterThan(0);
  expect(firstRefusal).toBeLessThanOrEqual(40);
  expect(statuses.slice(0, firstRefusal).every((status) => status === 404)).toBe(true);
  expect(statuses.slice(firstRefusal).every((status) => status === 429)).toBe(true);
  expect(statuses.length - firstRefusal).toBeGreaterThanOrEqual(4);
});

it('sends security headers and no CORS unless origins are configured', async () => {
  const response = await request(harness.app).get('/healthz').set('Origin', 'https://evil.example');
  expect(response.status).toBe(200);
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['strict-transport-security']).toBeDefined();
  expect(response.headers['x-powered-by']).toBeUndefined();
  expect(response.headers['access-control-allow-origin']).toBeUndefined();
  expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});
