import { chmod, chown, appendFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './service-process';
import { makeTempDir, runToolOk } from './tools';

/** A private PostgreSQL primary and its streaming hot standby on loopback, for read-replica tests. */
export interface PostgresReplicaPair {
  primaryUrl(database: string): string;
  standbyUrl(database: string): string;
  /** Resolves once the standby has replayed everything the primary has written so far. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's binaries (Debian keeps them out of PATH). */
function binDir(): string {
  const version = execFileSync('ls', ['/usr/lib/postgresql'])
    .toString()
    .trim()
    .split('\n')
    .sort((a, b) => Number(a) - Number(b))
    .at(-1);
  return `/usr/lib/postgresql/${version}/bin`;
}

/** PostgreSQL refuses to run as root: its tools run as the `postgres` user when the test is root. */
function asPostgres(command: string, args: string[]): Promise<Buffer> {
  return process.getuid?.() === 0 ? runToolOk('runuser', ['-u', 'postgres', '--', command, ...args]) : runToolOk(command, args);
}

/**
 * initdb's a primary (trust auth, replication from loopback), clones it with `pg_basebackup -R` and
 * starts the clone as a hot standby: a real read replica, whose transactions are read only.
 */
export async function startPostgresReplicaPair(): Promise<PostgresReplicaPair> {
  const dir = await makeTempDir('pg-replica');
  const bin = binDir();
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const primary = join(dir.path, 'primary');
  const standby = join(dir.path, 'standby');
  if (process.getuid?.() === 0) {
    await chmod(dir.path, 0o755);
    await chown(dir.path, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  }
  const settings = (port: number) => `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir.path}'\nfsync = off\nhot_standby = on\n`;
  await asPostgres(join(bin, 'initdb'), ['-D', primary, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  await appendFile(join(primary, 'postgresql.conf'), settings(primaryPort));
  await asPostgres(join(bin, 'pg_ctl'), ['-D', primary, '-l', join(dir.path, 'primary.log'), '-w', 'start']);
  await asPostgres(join(bin, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standby, '-R', '-X', 'stream']);
  await appendFile(join(standby, 'postgresql.conf'), settings(standbyPort));
  await asPostgres(join(bin, 'pg_ctl'), ['-D', standby, '-l', join(dir.path, 'standby.log'), '-w', 'start']);
  const url = (port: number, database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const one = async (port: number, sql: string) => {
    const client = new pg.Client({ connectionString: url(port, 'postgres') });
    await client.connect();
    try {
      return (await client.query(sql)).rows[0] as Record<string, unknown>;
    } finally {
      await client.end();
    }
  };
  return {
    primaryUrl: (database) => url(primaryPort, database),
    standbyUrl: (database) => url(standbyPort, database),
    async waitForReplay(timeoutMs = 30_000) {
      const { lsn } = await one(primaryPort, 'SELECT pg_current_wal_lsn()::text AS lsn');
      const deadline = Date.now() + timeoutMs;
      while (!(await one(standbyPort, `SELECT pg_last_wal_replay_lsn() >= '${String(lsn)}'::pg_lsn AS done`)).done) {
        if (Date.now() > deadline) throw new Error(`the standby did not replay up to ${String(lsn)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      for (const data of [standby, primary]) await asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      await dir.cleanup();
    },
  };
}
