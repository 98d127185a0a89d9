import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { Redis } from 'ioredis';
import { decompress, dumpKey, edgeCaseActivityRows, insertActivityRows, makeTempDir, parseCsv, runTool, runToolOk } from '@export-service/testing';
import { download, startHarness, type Harness, type StatusBody } from './support/harness';

const WORKSPACE = 'ws_secret';
const CLIENT_PASSWORD = 'Plum-Orchard-Lantern-47!';
let harness: Harness;
let key: string;
let dir: { path: string; cleanup: () => Promise<void> };
let expectedRows: number;

beforeAll(async () => {
  harness = await startHarness('encryption', { overrides: { DOWNLOAD_MAX_PASSWORD_FAILURES: '3', DOWNLOAD_LOCK_SECONDS: '120' } });
  key = await harness.createKey(WORKSPACE, 'member');
  dir = await makeTempDir('encryption');
  await insertActivityRows(harness.env.analyticsPool, edgeCaseActivityRows(WORKSPACE));
  expectedRows = edgeCaseActivityRows(WORKSPACE).length;
});

afterAll(async () => {
  await harness.close();
  await dir.cleanup();
});

async function exportWith(body: Record<string, unknown>) {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${key}`)
    .send({ name: 'secret', format: 'csv', data_sources: [{ type: 'user_activity' }], ...body });
  expect(created.status).toBe(202);
  const status = await harness.waitForStatus(created.body.job_id as string, key);
  expect(status.status).toBe('completed');
  return { created: created.body as StatusBody, status };
}

async function saved(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir.path, name);
  await writeFile(path, bytes);
  return path;
}

async function gpgDecrypt(path: string, password: string) {
  const home = await makeTempDir('gnupg');
  try {
    return await runTool('gpg', ['--homedir', home.path, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', password, '--decrypt', path]);
  } finally {
    await home.cleanup();
  }
}

it('writes a WinZip AES-256 zip that 7-Zip opens with the generated password, shown once', async () => {
  const { created, status } = await exportWith({ encryption: { enabled: true, method: 'AES256', password_protected: true } });
  const password = created.password as string;
  expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
  expect(JSON.stringify(status)).not.toContain(password);
  const file = status.files[0];
  expect(file.filename).toBe('user_activity.csv.zip');
  expect(file.encrypted).toBe(true);

  const fetched = await download(harness.app, key, file.download_url as string, { 'X-Export-Password': password });
  expect(fetched.status).toBe(200);
  const path = await saved('secret.zip', fetched.body);
  expect((await runToolOk('7z', ['l', '-slt', `-p${password}`, path])).toString()).toContain('Method = AES-256 Deflate');
  const plain = await runToolOk('7z', ['x', '-so', `-p${password}`, path, 'user_activity.csv']);
  expect(await parseCsv(plain)).toHaveLength(expectedRows);
  expect((await runTool('7z', ['x', '-so', '-pnot-the-password', path])).code).not.toBe(0);

  // The manifest lists filter values, so it is encrypted like the data.
  const manifestFile = status.files[1];
  expect([manifestFile.filename, manifestFile.encrypted]).toEqual(['manifest.json.zip', true]);
  const manifestZip = await saved('manifest.json.zip', (await download(harness.app, key, manifestFile.download_url as string, { 'X-Export-Password': password })).body);
  const manifest = JSON.parse((await runToolOk('7z', ['x', '-so', `-p${password}`, manifestZip, 'manifest.json'])).toString('utf8'));
  expect(`sha256:${manifest.files[0].sha256}`).toBe(file.checksum);
  expect((await runTool('7z', ['x', '-so', '-pnot-the-password', manifestZip])).code).not.toBe(0);
});

it.each([
  ['gzip', 'user_activity.csv.gz.gpg'],
  ['bz2', 'user_activity.csv.bz2.gpg'],
  ['none', 'user_activity.csv.gpg'],
])('wraps %s files in OpenPGP AES-256 that gpg decrypts with the client password', async (compression, filename) => {
  const { created, status } = await exportWith({ compression, encryption: { enabled: true, password: CLIENT_PASSWORD } });
  expect(created.password).toBeUndefined();
  const file = status.files[0];
  expect(file.filename).toBe(filename);
  const fetched = await download(harness.app, key, file.download_url as string);
  expect(fetched.status).toBe(200);
  const path = await saved(filename, fetched.body);
  const decrypted = await gpgDecrypt(path, CLIENT_PASSWORD);
  expect(decrypted.code).toBe(0);
  expect(decrypted.stderr).toMatch(/AES256/);
  expect(await parseCsv(await decompress(decrypted.stdout, compression, dir.path))).toHaveLength(expectedRows);
  expect((await gpgDecrypt(path, 'Wrong-Password-123')).code).not.toBe(0);

  const manifestFile = status.files[1];
  expect([manifestFile.filename, manifestFile.encrypted]).toEqual(['manifest.json.gpg', true]);
  const manifestPath = await saved(`${filename}.manifest.json.gpg`, (await download(harness.app, key, manifestFile.download_url as string)).body);
  const manifest = await gpgDecrypt(manifestPath, CLIENT_PASSWORD);
  expect(manifest.code).toBe(0);
  expect(JSON.parse(manifest.stdout.toString('utf8')).files[0].filename).toBe(filename);
});

it('refuses a missing or wrong X-Export-Password with 401, then locks the downloads with 429', async () => {
  const { status } = await exportWith({ compression: 'gzip', encryption: { enabled: false, password_protected: true, password: CLIENT_PASSWORD } });
  const url = status.files[0].download_url as string;
  const missing = await request(harness.app).get(url).set('Authorization', `Bearer ${key}`);
  expect(missing.status).toBe(401);
  expect(missing.body.error.code).toBe('invalid_export_password');
  const right = await download(harness.app, key, url, { 'X-Export-Password': CLIENT_PASSWORD });
  expect(right.status).toBe(200);
  // A success clears earlier failures, so the lock needs three fresh wrong attempts.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    expect((await request(harness.app).get(url).set('Authorization', `Bearer ${key}`).set('X-Export-Password', 'nope-nope-nope')).status).toBe(401);
  }
  const locked = await request(harness.app).get(url).set('Authorization', `Bearer ${key}`).set('X-Export-Password', CLIENT_PASSWORD);
  expect(locked.status).toBe(429);
  expect(locked.body.error.code).toBe('download_locked');
  expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  const audit = await harness.deps.audit.list(WORKSPACE, { limit: 50 });
  expect(audit.filter((entry) => entry.action === 'export.download' && entry.outcome === 'denied').length).toBeGreaterThanOrEqual(3);
});

it('never puts a password, an API key or the secret key in Redis or the logs, nor a password in responses or in plain text in the database', async () => {
  const password = 'Unique-Marker-Passw0rd-Zeta';
  const { created, status } = await exportWith({ compression: 'zip', encryption: { enabled: true, password_protected: true, password } });
  expect(JSON.stringify(created)).not.toContain(password);
  expect(JSON.stringify(status)).not.toContain(password);

  const redis = new Redis(harness.env.config.redis.url);
  try {
    const keys = await redis.keys('*');
    expect(keys.length).toBeGreaterThan(0);
    const secrets = [password, key, harness.env.env.EXPORT_SECRET_KEY as string];
    for (const redisKey of keys) {
      const dumped = JSON.stringify(await dumpKey(redis, redisKey));
      for (const secret of secrets) expect(dumped).not.toContain(secret);
    }
  } finally {
    redis.disconnect();
  }
  expect(harness.logLines.length).toBeGreaterThan(0);
  for (const line of harness.logLines) {
    for (const secret of [password, key, harness.env.env.EXPORT_SECRET_KEY as string]) expect(line).not.toContain(secret);
  }

  const [stored] = await harness.deps.dataSource.query(`SELECT t::text AS row FROM export_jobs t WHERE id = $1`, [created.job_id]);
  expect(stored.row).not.toContain(password);
  const [job] = await harness.deps.dataSource.query(`SELECT password_hash, sealed_password FROM export_jobs WHERE id = $1`, [created.job_id]);
  expect(job.password_hash).toMatch(/^scrypt\$/);
  expect(job.sealed_password).toBeNull();
});
