import { loadConfigOrExit } from '@export-service/config';
import { createLogger } from '@export-service/logger';
import { startWorkerRuntime } from './worker-runtime';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ service: 'worker', level: config.log.level, format: config.log.format });
  const runtime = await startWorkerRuntime(config, logger);
  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info('shutting down', { signal });
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
