import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { makeTempDir, runToolOk } from './tools';

/** redis-server processes a test started on loopback, and how to stop one or all. */
interface RedisProcesses {
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (+10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a cluster node');
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ask<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return await run(client);
  } finally {
    client.disconnect();
  }
}

function processes(): RedisProcesses & { start(args: string[], port: number, cwd: string): Promise<void> } {
  const children = new Map<number, ChildProcess>();
  const kill = async (port: number) => {
    const child = children.get(port);
    children.delete(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    async start(args, port, cwd) {
      children.set(port, spawn('redis-server', args, { cwd, stdio: 'ignore' }));
      await waitUntil(`redis-server on ${port} did not answer`, () => ask(port, (client) => client.ping().then((pong) => pong === 'PONG')));
    },
    kill,
    async stop() {
      await Promise.all([...children.keys()].map(kill));
    },
  };
}

const NO_PERSISTENCE = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'];

/** A master, a replica and two sentinels (quorum 1) on loopback: REDIS_URL `redis+sentinel://...`. */
export interface SentinelGroup {
  url: string;
  masterPort: number;
  replicaPort: number;
  /** Kills the current master (SIGKILL) and waits until the sentinels have promoted the replica. */
  failOver(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSentinelGroup(masterName = 'exports'): Promise<SentinelGroup> {
  const dir = await makeTempDir('sentinel');
  const running = processes();
  const [masterPort, replicaPort, sentinelA, sentinelB] = [await freeClusterPort(), await freeClusterPort(), await freeClusterPort(), await freeClusterPort()] as [
    number,
    number,
    number,
    number,
  ];
  await running.start(['--port', String(masterPort), ...NO_PERSISTENCE], masterPort, dir.path);
  await running.start(['--port', String(replicaPort), '--replicaof', '127.0.0.1', String(masterPort), ...NO_PERSISTENCE], replicaPort, dir.path);
  await waitUntil('the replica did not sync', () => ask(replicaPort, async (client) => (await client.info('replication')).includes('master_link_status:up')));
  for (const port of [sentinelA, sentinelB]) {
    const file = join(dir.path, `sentinel-${port}.conf`);
    await writeFile(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 4000`,
        '',
      ].join('\n'),
    );
    await running.start([file, '--sentinel'], port, dir.path);
  }
  const masterOf = (port: number) => ask(port, (client) => client.call('SENTINEL', 'get-master-addr-by-name', masterName) as Promise<[string, string]>);
  return {
    url: `redis+sentinel://127.0.0.1:${sentinelA},127.0.0.1:${sentinelB}/${masterName}`,
    masterPort,
    replicaPort,
    async failOver() {
      await running.kill(masterPort);
      await waitUntil('the sentinels did not promote the replica', async () => (await masterOf(sentinelA))[1] === String(replicaPort), 30_000);
      await waitUntil('the promoted replica is not a master yet', () => ask(replicaPort, async (client) => (await client.info('replication')).includes('role:master')));
    },
    async stop() {
      await running.stop();
      await dir.cleanup();
    },
  };
}

/** Three masters of a Redis Cluster (no replicas) on loopback: REDIS_URL `redis+cluster://...`. */
export interface RedisClusterSet {
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisClusterSet> {
  const dir = await makeTempDir('cluster');
  const running = processes();
  const ports: number[] = [];
  for (let index = 0; index < 3; index += 1) {
    const port = await freeClusterPort();
    ports.push(port);
    await running.start(
      ['--port', String(port), '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000', ...NO_PERSISTENCE],
      port,
      dir.path,
    );
  }
  await runToolOk('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
  for (const port of ports) {
    await waitUntil(`cluster node ${port} is not ok`, () => ask(port, async (client) => ((await client.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok')));
  }
  return {
    url: `redis+cluster://${ports
      .slice(0, 2)
      .map((port) => `127.0.0.1:${port}`)
      .join(',')}`,
    ports,
    async stop() {
      await running.stop();
      await dir.cleanup();
    },
  };
}
