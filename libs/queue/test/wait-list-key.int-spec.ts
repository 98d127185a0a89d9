import { QueueName } from '@export-service/contracts';
import { createTestEnvironment, type TestEnvironment } from '@export-service/testing';
import { closeQueues, createRedisConnection, enqueueExport, openQueues, waitForRedis, waitListKey, type Queues, type Redis } from '@export-service/queue';

let env: TestEnvironment;
let redis: Redis;
let queues: Queues;

beforeAll(async () => {
  env = await createTestEnvironment('waitlist');
  redis = createRedisConnection(env.config.redis.url, 'client');
  await waitForRedis(redis);
  queues = openQueues(redis, env.config.redis.queuePrefix, { attempts: 1, backoffMs: 0 });
});

afterAll(async () => {
  await closeQueues(queues);
  redis.disconnect();
  await env.cleanup();
});

it('names the list BullMQ really keeps waiting exports in (what KEDA counts)', async () => {
  const key = waitListKey(env.config.redis.queuePrefix, QueueName.exports);
  expect(await redis.llen(key)).toBe(0);
  for (let index = 0; index < 3; index += 1) await enqueueExport(queues, `job_${String(index).padStart(32, '0')}`);
  expect(await redis.type(key)).toBe('list');
  expect(await redis.llen(key)).toBe(3);
  expect(await queues[QueueName.exports].getWaitingCount()).toBe(3);
});
