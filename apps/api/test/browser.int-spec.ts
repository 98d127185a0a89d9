import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { seedAnalytics } from '@export-service/analytics';
import { makeTempDir, spawnService, stopService, type ServiceProcess } from '@export-service/testing';
import { startHarness, type Harness } from './support/harness';

/** Screenshots stay here after the run (git-ignored). */
const ARTIFACTS = resolve(__dirname, '..', '..', '..', 'test-artifacts', 'browser');
const WORKSPACE = 'ws_browser';
/** Debian's Chromium; the flags keep it from reaching for the network this machine does not have. */
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let harness: Harness;
let server: Server;
let base: string;
let worker: ServiceProcess;
let browser: BrowserContext;
let profile: { path: string; cleanup: () => Promise<void> };
const keys = { admin: '', viewer: '' };

async function signIn(page: Page, key: string): Promise<void> {
  const answer = await page.goto(`${base}/admin/queues`);
  expect(answer?.status()).toBe(401);
  await page.fill('#api_key', key);
  await Promise.all([page.waitForURL(`${base}/admin/queues`), page.click('button[type=submit]')]);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  harness = await startHarness('browser', { withWorker: false, overrides: { WORKER_CONCURRENCY: '1' } });
  keys.admin = await harness.createKey(WORKSPACE, 'admin');
  keys.viewer = await harness.createKey(WORKSPACE, 'viewer');
  await seedAnalytics(harness.env.analyticsPool, { workspaceId: WORKSPACE, rows: 600_000 });
  server = harness.app.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = await makeTempDir('chromium-profile');
  browser = await chromium.launchPersistentContext(profile.path, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 900 },
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await profile?.cleanup();
  if (worker) await stopService(worker);
  await new Promise((done) => server.close(done));
  await harness.close();
});

it('signs in to Bull Board through the login form and sees the queues with a running export', async () => {
  const created = await request(harness.app)
    .post('/api/v1/export/create')
    .set('Authorization', `Bearer ${keys.admin}`)
    .send({ name: 'browser', format: 'excel', data_sources: [{ type: 'user_activity' }] });
  expect(created.status).toBe(202);
  const jobId = created.body.job_id as string;
  worker = spawnService('worker', harness.env.env);
  await harness.waitForStatus(jobId, keys.admin, (body) => body.status === 'processing' && body.progress.rows_processed > 0, 60_000);

  const page = await browser.newPage();
  await signIn(page, keys.admin);
  const cookies = await browser.cookies(`${base}/admin/queues`);
  expect(cookies.find((cookie) => cookie.name === 'export_admin_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  await page.getByText('exports', { exact: true }).first().waitFor({ timeout: 20_000 });
  await page.getByText('maintenance', { exact: true }).first().waitFor({ timeout: 20_000 });
  await page.goto(`${base}/admin/queues/queue/exports?status=active`);
  await page.getByText(jobId).first().waitFor({ timeout: 20_000 });
  const shot = join(ARTIFACTS, 'bull-board-running-export.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot: ${shot}`);
  await page.close();
  expect((await harness.waitForStatus(jobId, keys.admin, undefined, 120_000)).status).toBe('completed');
}, 180_000);

it('shows a viewer the board read only', async () => {
  await browser.clearCookies();
  const page = await browser.newPage();
  await signIn(page, keys.viewer);
  await page.getByText('Export queues (read only)').first().waitFor({ timeout: 20_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'bull-board-viewer.png'), fullPage: true });
  await page.close();
});

it('opens the interactive API docs at /docs', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/docs/`);
  await page.getByText('Analytics data export API').first().waitFor({ timeout: 20_000 });
  await page.getByText('/api/v1/export/create').first().waitFor({ timeout: 20_000 });
  const shot = join(ARTIFACTS, 'api-docs.png');
  await page.screenshot({ path: shot, fullPage: false });
  console.log(`screenshot: ${shot}`);
  await page.close();
});
