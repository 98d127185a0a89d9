import { isIP } from 'node:net';
import { Client, FTPError } from 'basic-ftp';
import { failWith, FailureCode } from '@export-service/errors';
import type { DeliveryTarget } from '@export-service/export-core';
import { deliveryFailure, errorCodeOf, onAbort } from './delivery-failure';
import { temporaryName } from './sftp.delivery';

/**
 * Uploads every file over FTP or FTPS (basic-ftp; explicit AUTH TLS or implicit) into `remote_dir`,
 * each under a temporary name, renamed into place once the server reports the right size.
 */
export function ftpDelivery(settings: { connectTimeoutMs: number }): DeliveryTarget<'ftp'> {
  return {
    async deliver({ target, secret, files, deliveryId, signal }) {
      const scheme = target.tls === 'none' ? 'ftp' : 'ftps';
      const where = `${scheme}://${target.username}@${target.host}:${target.port}${target.remoteDir}`;
      const client = new Client(settings.connectTimeoutMs);
      const release = onAbort(signal, () => client.close());
      try {
        await client.access({
          host: target.host,
          port: target.port,
          user: target.username,
          password: secret.password ?? '',
          secure: target.tls === 'none' ? false : target.tls === 'implicit' ? 'implicit' : true,
          secureOptions: { ca: target.caCertificate ? [target.caCertificate] : undefined, servername: isIP(target.host) ? undefined : target.host },
        });
        await client.ensureDir(target.remoteDir);
        for (const file of files) {
          signal.throwIfAborted();
          const partName = temporaryName(file.filename, deliveryId);
          const body = await file.open();
          try {
            await client.uploadFrom(body, partName);
          } finally {
            body.destroy();
          }
          const size = await client.size(partName);
          if (size !== file.bytes) throw failWith(FailureCode.deliveryRejected, `${partName} holds ${size} bytes after the upload, expected ${file.bytes}`);
          await client.rename(partName, file.filename).catch(async () => {
            // Some servers refuse to rename over an existing file.
            await client.remove(file.filename, true);
            await client.rename(partName, file.filename);
          });
        }
        return { location: `${where.replace(/\/$/, '')}/` };
      } catch (error) {
        throw deliveryFailure(error, where, (cause) => {
          if (cause instanceof FTPError && cause.code === 530) return failWith(FailureCode.deliveryAuthFailed, `${where} refused the login of ${target.username}`, cause);
          const code = errorCodeOf(cause) ?? '';
          if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(code))
            return failWith(FailureCode.deliveryAuthFailed, `the FTPS server's certificate could not be verified (${code}); give its CA in ftp_config.ca_certificate`, cause);
          if (cause instanceof FTPError && cause.code >= 500) return failWith(FailureCode.deliveryRejected, `${where} refused a command (${cause.code})`, cause);
          return null;
        });
      } finally {
        release();
        client.close();
      }
    },
  };
}
