import { ADMIN_DOCS } from '../routes/admin/admin.openapi';
import { AUDIT_DOCS } from '../routes/audit/audit.openapi';
import { CREDENTIAL_DOCS } from '../routes/credentials/credential.openapi';
import { DELIVERY_SETTINGS_DOCS } from '../routes/delivery-settings/delivery-settings.openapi';
import { DOCS_DOCS } from '../routes/docs/docs.router';
import { EXPORT_EVENTS_DOCS } from '../routes/exports/export-events.openapi';
import { EXPORT_DOCS } from '../routes/exports/export.openapi';
import { LIFECYCLE_DOCS } from '../routes/exports/lifecycle.openapi';
import { SIGNED_FILE_DOCS } from '../routes/files/signed-file.openapi';
import { HEALTH_DOCS } from '../routes/health/health.openapi';
import { METRICS_DOCS } from '../routes/metrics/metrics.router';
import { SCHEDULE_DOCS } from '../routes/schedules/schedule.openapi';
import { TEMPLATE_DOCS } from '../routes/templates/template.openapi';
import type { ApiDocPart } from './route-doc';

/**
 * Every router's route table. A new router adds its `<resource>.openapi.ts` here; `openapi.int-spec.ts`
 * walks the Express app and fails, listing them, when a route is served that no table describes.
 */
export const DOCUMENTED_ROUTES: readonly ApiDocPart[] = [
  EXPORT_DOCS,
  EXPORT_EVENTS_DOCS,
  LIFECYCLE_DOCS,
  TEMPLATE_DOCS,
  SCHEDULE_DOCS,
  SIGNED_FILE_DOCS,
  AUDIT_DOCS,
  CREDENTIAL_DOCS,
  DELIVERY_SETTINGS_DOCS,
  HEALTH_DOCS,
  METRICS_DOCS,
  ADMIN_DOCS,
  DOCS_DOCS,
];
