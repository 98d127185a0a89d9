import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../service-process';
import { runTool, runToolOk } from '../tools';
import { killTree, waitForPort } from './process-tree';

/** Where chroots live: every component must be root-owned and not writable by others (sshd checks), which /tmp is not. */
const CHROOT_BASE = '/var/lib/export-service-test';

/** A private OpenSSH sshd on a loopback port, with an sftp-only, chrooted test user. */
export interface TestSftpServer {
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  /** The user's private key (OpenSSH format). */
  privateKey: string;
  /** The server's host key fingerprint as `ssh-keygen -l` prints it (`SHA256:...`). */
  hostKeySha256: string;
  /** The writable directory as the client sees it (inside the chroot). */
  remoteDir: '/upload';
  /** The same directory on this machine, to read delivered files back independently. */
  localDir: string;
  /** SIGKILLs sshd and every session it forked (a crash of the server mid-transfer). */
  down(): Promise<void>;
  /** Starts sshd again on the same port with the same keys. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** The SHA-256 fingerprint of an OpenSSH public key line, as `ssh-keygen -l -E sha256` prints it. */
export function sshFingerprint(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Starts Debian's sshd (`sshd -D -f <config> -p <free port>`) with a generated host key and a throwaway
 * user (`useradd`, removed by stop) that may only use SFTP, chrooted to its own directory, by password
 * or key. Needs root, as CI runs: sshd must own the chroot and switch to the user.
 */
export async function startSftpServer(): Promise<TestSftpServer> {
  if (process.getuid?.() !== 0) throw new Error('the SFTP tests start their own sshd with a chrooted test user, which needs root (as CI runs)');
  const id = randomBytes(4).toString('hex');
  const username = `sftp_t${id}`;
  const password = `Pw-${randomBytes(12).toString('base64url')}`;
  const dir = join(CHROOT_BASE, `sftp-${id}`);
  const chroot = join(dir, 'chroot');
  const localDir = join(chroot, 'upload');
  await mkdir(localDir, { recursive: true });
  await mkdir(join(dir, 'keys'), { recursive: true });
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  for (const path of [CHROOT_BASE, dir, chroot]) await chmod(path, 0o755);

  await runToolOk('useradd', ['--no-create-home', '--home-dir', '/upload', '--shell', '/usr/sbin/nologin', '--user-group', username]);
  await runToolOk('chpasswd', [], { input: Buffer.from(`${username}:${password}\n`) });
  const uid = Number((await runToolOk('id', ['-u', username])).toString().trim());
  const gid = Number((await runToolOk('id', ['-g', username])).toString().trim());
  await chown(localDir, uid, gid);

  await runToolOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
  await runToolOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_ed25519')]);
  await writeFile(join(dir, 'keys', username), await readFile(join(dir, 'client_ed25519.pub')));
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `ListenAddress 127.0.0.1`,
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'keys')}/%u`,
      // The key files sit outside any home directory; their modes are ours.
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${username}`,
      'Subsystem sftp internal-sftp',
      `ChrootDirectory ${chroot}`,
      'ForceCommand internal-sftp',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );

  let child: ChildProcess;
  const start = async () => {
    child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    await waitForPort(port, child, 'sshd');
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    username,
    password,
    privateKey: await readFile(join(dir, 'client_ed25519'), 'utf8'),
    hostKeySha256: sshFingerprint(await readFile(join(dir, 'host_ed25519.pub'), 'utf8')),
    remoteDir: '/upload',
    localDir,
    down: () => killTree(child),
    up: start,
    async stop() {
      await killTree(child);
      await runTool('userdel', [username]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
