import type { RequestHandler } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Principal } from '@export-service/db';
import type { Queues } from '@export-service/queue';

/** Where the dashboard lives. */
export const BOARD_PATH = '/admin/queues';

function board(queues: Queues, isReadOnly: boolean): RequestHandler {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BOARD_PATH);
  createBullBoard({
    // Every queue of the registry: a queue added to QueueName shows up with no change here.
    queues: Object.values(queues).map((queue) => new BullMQAdapter(queue, { readOnlyMode: isReadOnly })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: isReadOnly ? 'Export queues (read only)' : 'Export queues' } },
  });
  return adapter.getRouter() as RequestHandler;
}

/**
 * Bull Board over every queue, twice: with actions for admins, read-only for viewers (the same
 * path; the caller's role picks). Must run after `dashboardAuth`, which sets the principal.
 */
export function bullBoard(queues: Queues): RequestHandler {
  const full = board(queues, false);
  const readOnly = board(queues, true);
  return (req, res, next) => ((res.locals.principal as Principal).role === 'admin' ? full : readOnly)(req, res, next);
}
