import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import FtpSrv from 'ftp-srv';
import { freePort } from '../service-process';
import { makeTempDir, runToolOk } from '../tools';

/** An FTP server (ftp-srv) on a loopback port, explicit FTPS (AUTH TLS) on offer, files under a local directory. */
export interface TestFtpServer {
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  /** The self-signed certificate the server's TLS presents (for `ca_certificate`). */
  certificate: string;
  /** The server's root on this machine, to read delivered files back independently. */
  localDir: string;
  stop(): Promise<void>;
}

/** ftp-srv logs through bunyan; the tests want none of it. */
const SILENT = { info() {}, debug() {}, trace() {}, warn() {}, error() {}, child: () => SILENT };

/** Starts ftp-srv with one user and a certificate for 127.0.0.1 made by openssl. */
export async function startFtpServer(): Promise<TestFtpServer> {
  const dir = await makeTempDir('ftp-server');
  const localDir = join(dir.path, 'root');
  await runToolOk('mkdir', ['-p', localDir]);
  await runToolOk('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir.path, 'key.pem'),
    '-out',
    join(dir.path, 'cert.pem'),
  ]);
  const certificate = await readFile(join(dir.path, 'cert.pem'), 'utf8');
  const port = await freePort();
  const pasv = await freePort();
  const username = 'exporter';
  const password = `ftp-${randomBytes(9).toString('base64url')}`;
  const server = new FtpSrv({
    url: `ftp://127.0.0.1:${port}`,
    pasv_url: '127.0.0.1',
    // ftp-srv takes the first free port of the range for each data connection.
    pasv_min: pasv,
    pasv_max: Math.min(pasv + 40, 65_535),
    anonymous: false,
    tls: { key: await readFile(join(dir.path, 'key.pem')), cert: certificate },
    log: SILENT as never,
  });
  server.on('login', ({ username: user, password: given }, resolve, reject) =>
    user === username && given === password ? resolve({ root: localDir }) : reject(new Error('bad login')),
  );
  await server.listen();
  return {
    host: '127.0.0.1',
    port,
    username,
    password,
    certificate,
    localDir,
    async stop() {
      await server.close();
      await dir.cleanup();
    },
  };
}
