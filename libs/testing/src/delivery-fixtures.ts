import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DeliveryTarget } from '@export-service/contracts';
import type { DeliveryFile, DeliveryRequest } from '@export-service/export-core';

/** Bytes of a file and their SHA-256, as a delivery test compares them. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Export files held in memory (data files, then manifest.json), each streamed in 64 KiB chunks when opened. */
export function deliveryFiles(sizes: number[]): Array<DeliveryFile & { bytes: number; content: Buffer }> {
  const names = [...sizes.map((_, index) => `user_activity_part${String(index + 1).padStart(3, '0')}.csv.gz`), 'manifest.json'];
  return [...sizes, 300].map((size, index) => {
    const content = randomBytes(size);
    return {
      index,
      filename: names[index] as string,
      kind: index === sizes.length ? 'manifest' : 'data',
      rows: size / 100,
      bytes: size,
      sha256: sha256(content),
      content,
      open: async () =>
        Readable.from(
          (function* () {
            for (let at = 0; at < size; at += 65_536) yield content.subarray(at, at + 65_536);
          })(),
        ),
      downloadUrl: () => `http://localhost:3000/api/v1/export/download/job_x/${index}?token=t${index}`,
    };
  });
}

/** A delivery request for one target, over in-memory files. */
export function deliveryRequest<T extends DeliveryTarget>(target: T, files: DeliveryFile[], overrides: Partial<DeliveryRequest<T['method']>> = {}): DeliveryRequest<T['method']> {
  return {
    deliveryId: `dlv_${randomBytes(16).toString('hex')}`,
    jobId: `job_${randomBytes(16).toString('hex')}`,
    workspaceId: 'ws_delivery',
    exportName: 'Q1 activity',
    event: 'export.completed',
    files,
    totalRows: files.reduce((sum, file) => sum + file.rows, 0),
    failure: null,
    statusUrl: 'http://localhost:3000/api/v1/export/status/job_x',
    target,
    secret: {},
    webhookSecret: null,
    signal: new AbortController().signal,
    ...overrides,
  } as DeliveryRequest<T['method']>;
}
