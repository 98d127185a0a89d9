/**
 * Runs s3rver (an S3-compatible server) as its own process, so a test can SIGKILL it mid-upload:
 * `node s3rver-main.js <port> <directory> <bucket,...>`. Prints `ready` once it listens.
 */
import S3rver from 's3rver';

async function main(): Promise<void> {
  const [port, directory, buckets] = process.argv.slice(2);
  const server = new S3rver({
    port: Number(port),
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: (buckets ?? '')
      .split(',')
      .filter(Boolean)
      .map((name) => ({ name })),
  });
  await server.run();
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`s3rver failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
