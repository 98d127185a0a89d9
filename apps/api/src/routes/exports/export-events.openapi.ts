import { EXPORT_STATUSES } from '@export-service/contracts';
import { JOB_ID_PARAM, ref, type ApiDocPart } from '../../openapi/route-doc';

/** GET /export/status/{job_id}/events (Server-Sent Events). */
export const EXPORT_EVENTS_DOCS: ApiDocPart = {
  schemas: {
    ExportProgressEvent: {
      type: 'object',
      description: 'The data of a `progress` event.',
      required: ['job_id', 'status', 'progress'],
      additionalProperties: false,
      properties: {
        job_id: { type: 'string' },
        status: { enum: EXPORT_STATUSES.filter((status) => status === 'queued' || status === 'processing') },
        progress: ref('ExportProgress'),
      },
    },
  },
  routes: [
    {
      method: 'get',
      path: '/api/v1/export/status/{job_id}/events',
      tag: 'exports',
      summary: 'Live progress of an export (Server-Sent Events)',
      description: [
        'A `text/event-stream`: `event: progress` with an `ExportProgressEvent` at least every second while the export runs (on every change while it is queued),',
        'then one `event: done` whose data is the `ExportStatus` answer (completed, failed or cancelled), and the stream ends.',
        'Comment lines (`: keep-alive`) every SSE_HEARTBEAT_SECONDS keep proxies from closing a quiet stream; `retry: 2000` tells EventSource how soon to reconnect.',
        "Works on any API replica (the workers publish through Redis). Same visibility as status: 404 for an unknown job or another workspace's.",
      ].join(' '),
      auth: 'api_key',
      params: [JOB_ID_PARAM],
      responses: { 200: { description: 'The event stream.', contentType: 'text/event-stream', schema: { type: 'string' } } },
      errors: [401, 404, 429],
    },
  ],
};
