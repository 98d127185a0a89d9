import { loadConfigOrExit } from '@export-service/config';
import { createLogger } from '@export-service/logger';
import { createApp } from './app';
import { buildApiDeps } from './build-api-deps';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ service: 'api', level: config.log.level, format: config.log.format });
  if (config.secrets.isDevelopmentKey) logger.warn('EXPORT_SECRET_KEY is not set: using the development key (never in production)');
  const { deps, close } = await buildApiDeps(config, logger);
  const server = createApp(deps).listen(config.http.port, config.http.host, () =>
    logger.info('api listening', { url: `http://${config.http.host}:${config.http.port}`, pid: process.pid }),
  );
  // Requests Node cannot even parse still get the service's JSON error shape.
  server.on('clientError', (_error, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify({ error: { code: 'bad_request', message: 'The request could not be read: malformed HTTP.', details: [] } });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  let isStopping = false;
  const stop = (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info('shutting down', { signal });
    server.close(() => void close().then(() => process.exit(0)));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
