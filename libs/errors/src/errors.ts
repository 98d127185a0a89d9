import { AppError, ErrorCode, type ErrorDetail } from './app-error';

/** At most this many problems are listed; the message gives the full count. */
const MAX_DETAILS = 50;

/** An error that tells the client when to try again (429 or 503 with Retry-After). */
function comeBackLater(code: ErrorCode, status: number, message: string, retryAfterSeconds: number): AppError {
  return new AppError(code, status, message, { headers: { 'Retry-After': String(retryAfterSeconds) } });
}

/** Named factories: every deliberate error the service raises is built here. */
export const errors = {
  validation(details: ErrorDetail[]): AppError {
    const first = details[0];
    const message =
      details.length === 1 && first
        ? `Invalid request: ${first.field} ${first.problem}.`
        : `Invalid request: ${details.length} problems${details.length > MAX_DETAILS ? `, the first ${MAX_DETAILS} listed` : ''}, see details.`;
    return new AppError(ErrorCode.validationFailed, 422, message, { details: details.slice(0, MAX_DETAILS) });
  },
  badRequest(problem: string): AppError {
    return new AppError(ErrorCode.badRequest, 400, `The request could not be read: ${problem}.`);
  },
  invalidJson(problem: string): AppError {
    return new AppError(ErrorCode.invalidJson, 400, `The request body is not valid JSON: ${problem}.`);
  },
  unsupportedMediaType(): AppError {
    return new AppError(ErrorCode.unsupportedMediaType, 415, 'Send the request body as application/json.');
  },
  payloadTooLarge(limitBytes: number): AppError {
    return new AppError(ErrorCode.payloadTooLarge, 413, `The request body is larger than ${limitBytes} bytes.`);
  },
  unauthenticated(): AppError {
    return new AppError(ErrorCode.unauthenticated, 401, 'Send a valid API key as "Authorization: Bearer <key>".', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  },
  adminRequired(): AppError {
    return new AppError(ErrorCode.forbidden, 403, 'This endpoint needs an admin API key.');
  },
  /** A viewer key (read only) asked for something that changes state or reads export data. */
  readOnlyRole(): AppError {
    return new AppError(
      ErrorCode.readOnlyRole,
      403,
      'A viewer key is read only: it may read the status of exports and schedules, the template list and the dashboard, not change anything, download files or read what they hold.',
    );
  },
  dashboardRoleRequired(): AppError {
    return new AppError(ErrorCode.forbidden, 403, 'The queue dashboard needs an admin or viewer key.');
  },
  csrfRejected(): AppError {
    return new AppError(ErrorCode.csrfFailed, 403, 'This request changes state and needs the X-XSRF-TOKEN header of the dashboard session.');
  },
  metricsTokenRequired(): AppError {
    return new AppError(ErrorCode.unauthenticated, 401, 'Send the metrics token as "Authorization: Bearer <token>".', { headers: { 'WWW-Authenticate': 'Bearer' } });
  },
  notFound(what: string, id: string): AppError {
    return new AppError(ErrorCode.notFound, 404, `No ${what} "${id}" in your workspace.`);
  },
  routeNotFound(method: string, path: string): AppError {
    return new AppError(ErrorCode.notFound, 404, `No endpoint ${method} ${path}.`);
  },
  conflict(what: string): AppError {
    return new AppError(ErrorCode.conflict, 409, `${what} already exists.`);
  },
  exportNotCompleted(id: string, status: string): AppError {
    return new AppError(ErrorCode.exportNotCompleted, 400, `Export ${id} is ${status}; files can be downloaded once it is completed.`);
  },
  invalidExportPassword(): AppError {
    return new AppError(ErrorCode.invalidPassword, 401, 'This export is password protected: send the right password in X-Export-Password.');
  },
  downloadLocked(retryAfterSeconds: number): AppError {
    return comeBackLater(ErrorCode.downloadLocked, 429, `Too many wrong passwords for this export; try again in ${retryAfterSeconds} seconds.`, retryAfterSeconds);
  },
  tooManyActiveExports(limit: number, retryAfterSeconds: number): AppError {
    return comeBackLater(ErrorCode.quotaExceeded, 429, `Your workspace already has ${limit} exports queued or running; try again when one has finished.`, retryAfterSeconds);
  },
  dependencyUnavailable(what: string, retryAfterSeconds: number): AppError {
    return comeBackLater(ErrorCode.unavailable, 503, `The service cannot reach ${what} right now; try again in ${retryAfterSeconds} seconds.`, retryAfterSeconds);
  },
  analyticsBusy(retryAfterSeconds: number): AppError {
    return comeBackLater(ErrorCode.unavailable, 503, `The analytics database is too busy to estimate this export; try again in ${retryAfterSeconds} seconds.`, retryAfterSeconds);
  },
  passwordChecksBusy(retryAfterSeconds: number): AppError {
    return comeBackLater(ErrorCode.rateLimited, 429, `Other password checks of this export are under way; try again in ${retryAfterSeconds} seconds.`, retryAfterSeconds);
  },
  rateLimited(retryAfterSeconds: number): AppError {
    return comeBackLater(ErrorCode.rateLimited, 429, `Too many requests; try again in ${retryAfterSeconds} seconds.`, retryAfterSeconds);
  },
  rangeNotSatisfiable(size: number): AppError {
    return new AppError(ErrorCode.rangeNotSatisfiable, 416, `The requested range is outside the file (${size} bytes).`, {
      headers: { 'Content-Range': `bytes */${size}` },
    });
  },
  featureUnavailable(field: string, value: string, note: string): AppError {
    return new AppError(ErrorCode.featureUnavailable, 422, `${field} "${value}" is not available yet: ${note}.`, {
      details: [{ field, problem: `"${value}" is not available yet` }],
    });
  },
  invalidSignedLink(): AppError {
    return new AppError(ErrorCode.invalidSignedLink, 403, 'This link is not valid: its signature does not match.');
  },
  signedLinkExpired(): AppError {
    return new AppError(ErrorCode.signedLinkExpired, 410, 'This link has expired; ask for a new one.');
  },
  /** 410 for the files of an export that was deleted or has expired (its row, status and metadata stay). */
  exportGone(id: string, reason: 'deleted' | 'expired', at: Date): AppError {
    const code = reason === 'expired' ? ErrorCode.exportExpired : ErrorCode.exportDeleted;
    const when = at.toISOString();
    return new AppError(
      code,
      410,
      reason === 'expired' ? `Export ${id} expired at ${when}; its files are no longer served.` : `Export ${id} was deleted at ${when}; its files are gone.`,
    );
  },
  exportStillRunning(id: string, status: string, action: string): AppError {
    return new AppError(ErrorCode.exportRunning, 409, `Export ${id} is ${status}; cancel it first (POST /api/v1/export/${id}/cancel), then ${action} it.`);
  },
  /** A source or target export in a state the action cannot use, naming the field that points at it. */
  exportUnusable(id: string, status: string, field: string, action: string): AppError {
    const code = status === 'queued' || status === 'processing' ? ErrorCode.exportRunning : ErrorCode.exportNotCompleted;
    return new AppError(code, 409, `Export ${id} is ${status}; only a completed export can be ${action}.`, {
      details: [{ field, problem: `is ${status}; only a completed export can be ${action}` }],
    });
  },
  /** 410 for an export whose files are gone, naming the field that points at it. */
  exportGoneFor(id: string, reason: 'deleted' | 'expired', at: Date, field: string): AppError {
    const gone = errors.exportGone(id, reason, at);
    return new AppError(gone.code, 410, gone.message, { details: [{ field, problem: `was ${reason} at ${at.toISOString()}` }] });
  },
  exportNotCancellable(id: string, status: string): AppError {
    return new AppError(ErrorCode.exportFinished, 409, `Export ${id} is ${status} already; only a queued or running export can be cancelled.`);
  },
  deliveryNotRetryable(index: number, state: string): AppError {
    return new AppError(ErrorCode.deliveryNotRetryable, 409, `Delivery ${index} is ${state}; only a failed delivery can be retried.`);
  },
  signedLinkGone(): AppError {
    return new AppError(ErrorCode.gone, 410, 'The file behind this link is no longer available.');
  },
};
