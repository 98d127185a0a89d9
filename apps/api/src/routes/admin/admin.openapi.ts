import type { ApiDocPart } from '../../openapi/route-doc';
import { BOARD_PATH } from './bull-board';

const HTML = { description: 'An HTML page.', contentType: 'text/html', schema: { type: 'string' } };

/** The dashboard: its login, logout and entry page (Bull Board's own API under it is not listed). */
export const ADMIN_DOCS: ApiDocPart = {
  opaqueMounts: [BOARD_PATH],
  routes: [
    { method: 'get', path: '/admin/login', tag: 'operations', summary: 'The dashboard login form', auth: 'none', responses: { 200: HTML }, errors: [] },
    {
      method: 'post',
      path: '/admin/login',
      tag: 'operations',
      summary: 'Trade an admin or viewer API key for a dashboard session',
      description:
        'Sets `export_admin_session` (signed, HttpOnly, SameSite=Strict, Secure on https, ADMIN_SESSION_TTL_SECONDS) and the `XSRF-TOKEN` cookie whose value changing requests echo in `X-XSRF-TOKEN`, then redirects to the board.',
      auth: 'none',
      rawBody: {
        contentType: 'application/x-www-form-urlencoded',
        schema: { type: 'object', required: ['api_key'], additionalProperties: false, properties: { api_key: { type: 'string' } } },
      },
      responses: {
        303: { description: 'Signed in: on to /admin/queues.' },
        401: { ...HTML, description: 'A wrong key: the form again.' },
        403: { ...HTML, description: 'A member key: the form again.' },
      },
      errors: [429],
    },
    {
      method: 'post',
      path: '/admin/logout',
      tag: 'operations',
      summary: 'End the dashboard session',
      auth: 'none',
      responses: { 303: { description: 'Signed out.' } },
      errors: [],
    },
    {
      method: 'get',
      path: BOARD_PATH,
      tag: 'operations',
      summary: 'Bull Board: every queue, its jobs and their state',
      description:
        "Admins may retry, clean and remove jobs; viewers see it read only (its changing API answers them 403). Bull Board's own JSON API lives under this path. Job data holds ids only, never secrets. Without valid credentials: 401 (a browser gets the login form); members: 403.",
      auth: 'dashboard',
      roles: ['admin', 'viewer'],
      responses: { 200: HTML },
      errors: [401, 403, 429],
    },
  ],
};
