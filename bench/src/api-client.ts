/** One file of a completed export, as GET /status reports it. */
export interface ExportedFile {
  filename: string;
  /** `manifest` for the job's manifest.json, else the data format. */
  format: string;
  bytes: number;
  rows: number;
}

/** The parts of GET /api/v1/export/status/{id} the benchmark reads. */
export interface ExportStatus {
  status: string;
  rowsProcessed: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  files: ExportedFile[];
  error: string | null;
  /** Each delivery's state and last error. */
  deliveries: Array<{ state: string; lastError: string | null }>;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: expected an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function parseStatus(body: unknown): ExportStatus {
  const top = record(body, 'status answer');
  const progress = top.progress === undefined ? {} : record(top.progress, 'progress');
  const files = Array.isArray(top.files) ? top.files.map((file) => record(file, 'file')) : [];
  const error = top.error ?? top.last_error;
  return {
    status: String(top.status),
    rowsProcessed: Number(progress.rows_processed ?? 0),
    createdAt: String(top.created_at),
    startedAt: text(top.started_at),
    completedAt: text(top.completed_at),
    files: files.map((file) => ({ filename: String(file.filename), format: String(file.format), bytes: Number(file.bytes), rows: Number(file.rows) })),
    error: error === null || error === undefined ? null : typeof error === 'string' ? error : JSON.stringify(error),
    deliveries: (Array.isArray(top.deliveries) ? top.deliveries : []).map((item) => {
      const delivery = record(item, 'delivery');
      return { state: String(delivery.state), lastError: text(delivery.last_error) };
    }),
  };
}

/** A small client of the export API with one key. */
export class ExportApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer: unknown = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** POST /api/v1/export/create; returns the job id. */
  async create(body: Record<string, unknown>): Promise<string> {
    const answer = record(await this.call('POST', '/api/v1/export/create', body), 'create answer');
    if (typeof answer.job_id !== 'string') throw new Error(`create answered no job_id: ${JSON.stringify(answer)}`);
    return answer.job_id;
  }

  /** GET /api/v1/export/status/{id}. */
  async status(jobId: string): Promise<ExportStatus> {
    return parseStatus(await this.call('GET', `/api/v1/export/status/${encodeURIComponent(jobId)}`));
  }
}
