import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadConfigOrExit } from '@export-service/config';
import { createLogger } from '@export-service/logger';
import { DEMO_WORKSPACE, prepareLocal } from './prepare-local';

const SERVICES = ['api', 'worker', 'scheduler'] as const;

/** `npm start`: prepares a single machine, then runs the API, a worker and the scheduler as one process tree. */
async function main(): Promise<void> {
  if (!process.env.LOG_FORMAT && process.stdout.isTTY) process.env.LOG_FORMAT = 'pretty';
  const config = loadConfigOrExit();
  const logger = createLogger({ service: 'launcher', level: config.log.level, format: config.log.format });
  if (config.secrets.isDevelopmentKey) logger.warn('EXPORT_SECRET_KEY is not set: using the development key (never in production)');
  const demo = await prepareLocal(config, logger);

  const children = new Map<string, ChildProcess>();
  let isStopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    if (isStopping) return;
    isStopping = true;
    for (const child of children.values()) child.kill(signal);
  };
  for (const service of SERVICES) {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', service, 'dist', 'main.js')], { stdio: 'inherit', env: process.env });
    children.set(service, child);
    child.on('exit', (code, signal) => {
      children.delete(service);
      if (!isStopping) {
        logger.error(`${service} stopped unexpectedly; stopping the others`, { code, signal });
        process.exitCode = 1;
        stopAll('SIGTERM');
      }
      if (children.size === 0) process.exit();
    });
  }
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));

  const base = `http://localhost:${config.http.port}`;
  process.stdout.write(
    [
      '',
      `Data export service starting on ${base} (API, worker and scheduler).`,
      `Demo workspace ${DEMO_WORKSPACE}, admin key${demo.isGenerated ? ' (new; set DEMO_API_KEY to keep one)' : ''}:`,
      `  ${demo.apiKey}`,
      'Try:',
      `  curl -s -H "Authorization: Bearer ${demo.apiKey}" -H "Content-Type: application/json" \\`,
      `    -d '{"name":"demo","format":"csv","compression":"gzip","data_sources":[{"type":"user_activity","filters":{"date_range":{"start":"2024-01-01","end":"2024-03-31"}}}]}' \\`,
      `    ${base}/api/v1/export/create`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
