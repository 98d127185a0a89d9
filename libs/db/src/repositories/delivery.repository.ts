import type { DataSource, EntityManager } from 'typeorm';
import type { DeliveryEvent, DeliveryTarget } from '@export-service/contracts';
import type { JobFailure } from '@export-service/errors';
import { DeliveryEntity } from '../entities/delivery.entity';
import { returned, trimError } from './sql-results';

/** A delivery as creating an export writes it, before the export has run. */
export interface NewDelivery {
  id: string;
  target: DeliveryTarget;
  sealedSecret: string | null;
  credentialId: string | null;
}

/** A delivery the queue must (again) be told about. */
export interface QueuedDelivery {
  id: string;
  round: number;
}

/** A delivery that has not moved for a while, for the reconciliation. */
export interface StaleDelivery {
  id: string;
  jobId: string;
  status: 'pending' | 'queued' | 'delivering';
  round: number;
  jobStatus: string;
}

/** Inserts an export's deliveries, in the transaction that inserts the export (pending until it finishes). */
export async function insertDeliveries(manager: EntityManager, jobId: string, workspaceId: string, deliveries: NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  await manager.getRepository(DeliveryEntity).insert(
    deliveries.map((delivery, position) => ({
      ...delivery,
      jobId,
      workspaceId,
      position,
      method: delivery.target.method,
      status: 'pending' as const,
    })),
  );
}

/**
 * The delivery row as a state machine: pending → queued → delivering → delivered | failed, with
 * delivering → queued for a retry, failed → queued for a retry through the API, and pending → skipped
 * when the export failed and the target only takes files. Every transition is one conditional UPDATE;
 * an attempt's outcome names its token, so an attempt that lost the delivery (its lock lapsed and
 * another attempt started) cannot record it.
 */
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  findById(id: string): Promise<DeliveryEntity | null> {
    return this.dataSource.getRepository(DeliveryEntity).findOneBy({ id });
  }

  /** An export's deliveries, in the order the request named them. */
  listForJob(jobId: string): Promise<DeliveryEntity[]> {
    return this.dataSource.getRepository(DeliveryEntity).find({ where: { jobId }, order: { position: 'ASC' } });
  }

  findByPosition(jobId: string, position: number): Promise<DeliveryEntity | null> {
    return this.dataSource.getRepository(DeliveryEntity).findOneBy({ jobId, position });
  }

  /**
   * Releases an export's pending deliveries once it has finished: all of them when it completed; when it
   * failed, webhooks report the failure and the targets that only take files are skipped.
   */
  async release(jobId: string, event: DeliveryEvent): Promise<QueuedDelivery[]> {
    return this.dataSource.transaction(async (manager) => {
      if (event === 'export.failed') {
        await manager.query(
          `UPDATE deliveries SET status = 'skipped', last_error = 'the export failed; there are no files to deliver', updated_at = now()
            WHERE job_id = $1 AND status = 'pending' AND method <> 'webhook'`,
          [jobId],
        );
      }
      const rows = await manager.query(
        `UPDATE deliveries SET status = 'queued', event = $2, queued_at = now(), updated_at = now() WHERE job_id = $1 AND status = 'pending' RETURNING id, round`,
        [jobId, event],
      );
      return returned(rows) as QueuedDelivery[];
    });
  }

  /** A cancelled export delivers nothing: its pending deliveries are skipped, saying why. Returns how many. */
  async skipCancelled(jobId: string): Promise<number> {
    const rows = await this.dataSource.query(
      `UPDATE deliveries SET status = 'skipped', last_error = 'the export was cancelled', updated_at = now() WHERE job_id = $1 AND status = 'pending' RETURNING id`,
      [jobId],
    );
    return returned(rows).length;
  }

  /** Starts an attempt: a new token owns the delivery from now on. Null when it is finished or not released. */
  async markDelivering(id: string, attempt: number): Promise<string | null> {
    const rows = await this.dataSource.query(
      `UPDATE deliveries SET status = 'delivering', attempts = $2, attempt_token = gen_random_uuid(), started_at = now(), updated_at = now()
        WHERE id = $1 AND status IN ('queued', 'delivering') RETURNING attempt_token`,
      [id, attempt],
    );
    return (returned(rows)[0] as { attempt_token?: string } | undefined)?.attempt_token ?? null;
  }

  /** Records where the files went, if this attempt still owns the delivery. */
  async markDelivered(id: string, token: string, location: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `UPDATE deliveries SET status = 'delivered', location = $3, delivered_at = now(), last_error = NULL, last_error_code = NULL, updated_at = now()
        WHERE id = $1 AND status = 'delivering' AND attempt_token = $2 RETURNING id`,
      [id, token, location],
    );
    return returned(rows).length > 0;
  }

  /** Back to the queue after a transient failure of this attempt; the error stays visible as the last one. */
  async markRetrying(id: string, token: string, failure: JobFailure): Promise<boolean> {
    const rows = await this.dataSource.query(
      `UPDATE deliveries SET status = 'queued', last_error = $3, last_error_code = $4, updated_at = now()
        WHERE id = $1 AND status = 'delivering' AND attempt_token = $2 RETURNING id`,
      [id, token, trimError(failure.message), failure.code],
    );
    return returned(rows).length > 0;
  }

  /** Fails a delivery for good. With `token`, only while that attempt owns it; without, whoever gives up on it from outside. */
  async markFailed(id: string, failure: JobFailure, token?: string): Promise<boolean> {
    const rows = await this.dataSource.query(
      `UPDATE deliveries SET status = 'failed', last_error = $2, last_error_code = $3, updated_at = now()
        WHERE id = $1 AND status IN ('queued', 'delivering') AND ($4::uuid IS NULL OR attempt_token = $4) RETURNING id`,
      [id, trimError(failure.message), failure.code, token ?? null],
    );
    return returned(rows).length > 0;
  }

  /** A failed delivery goes back to the queue for a new round of attempts (POST .../deliveries/{n}/retry). */
  async retry(id: string): Promise<QueuedDelivery | null> {
    const rows = await this.dataSource.query(
      `UPDATE deliveries SET status = 'queued', round = round + 1, attempts = 0, attempt_token = NULL, queued_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'failed' RETURNING id, round`,
      [id],
    );
    return (returned(rows)[0] as QueuedDelivery | undefined) ?? null;
  }

  /**
   * Unfinished deliveries untouched since the cutoff (pending ones of exports that finished before it,
   * queued or running ones), a page at a time by id (after `afterId`).
   */
  async staleSince(cutoff: Date, options: { afterId?: string; limit?: number } = {}): Promise<StaleDelivery[]> {
    return (await this.dataSource.query(
      `SELECT d.id, d.job_id AS "jobId", d.status, d.round, j.status AS "jobStatus"
         FROM deliveries d JOIN export_jobs j ON j.id = d.job_id
        WHERE d.status IN ('pending', 'queued', 'delivering') AND d.updated_at < $1 AND d.id > $2
          AND (d.status <> 'pending' OR (j.status IN ('completed', 'failed') AND j.updated_at < $1))
        ORDER BY d.id LIMIT $3`,
      [cutoff, options.afterId ?? '', options.limit ?? 500],
    )) as StaleDelivery[];
  }
}
