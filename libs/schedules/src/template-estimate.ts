import type pg from 'pg';
import { estimateExport } from '@export-service/analytics';
import type { ExportRequest } from '@export-service/contracts';
import type { ExportTemplateEntity, TemplateRepository } from '@export-service/db';
import { resolveExportRequest, type ResolvedExport } from '@export-service/exports';

/** A `since_last_run` template is estimated for one day of rows: a typical run of a daily schedule. */
const INCREMENTAL_ESTIMATE_MS = 86_400_000;

/**
 * Checks a template's configuration against the catalog as a run would (throws 422 naming the field),
 * reading `since_last_run` as the last day. The one check both saving and estimating use.
 */
export function resolveTemplate(configuration: Omit<ExportRequest, 'name'>, name: string, workspaceId: string, now: Date): ResolvedExport {
  return resolveExportRequest({ ...configuration, name }, workspaceId, now, {
    sinceLastRun: { from: new Date(now.getTime() - INCREMENTAL_ESTIMATE_MS).toISOString(), to: now.toISOString() },
  });
}

/**
 * Takes the estimate again for templates whose estimate is missing or older than `maxAgeMs`, all of
 * them within one time budget: the first get exact counts while the budget lasts, the rest the query
 * planner's estimate (a few milliseconds each), so listing 50 templates costs about one budget, not
 * 50. Updates the entities in place and stores the figures with their time.
 */
export async function refreshTemplateEstimates(
  deps: { templates: TemplateRepository; analyticsPool: pg.Pool },
  templates: ExportTemplateEntity[],
  options: { maxAgeMs: number; budgetMs: number; now?: Date },
): Promise<void> {
  const now = options.now ?? new Date();
  const deadline = Date.now() + options.budgetMs;
  for (const template of templates) {
    if (template.estimatedAt && now.getTime() - template.estimatedAt.getTime() < options.maxAgeMs) continue;
    let resolved: ResolvedExport;
    try {
      resolved = resolveTemplate(template.configuration, template.name, template.workspaceId, now);
    } catch {
      continue; // a template the catalog no longer accepts keeps its last figure; running it would fail the same way
    }
    const estimate = await estimateExport(deps.analyticsPool, resolved.spec, template.workspaceId, Math.max(0, deadline - Date.now()));
    await deps.templates.recordEstimate(template.id, estimate, now);
    Object.assign(template, { estimatedRows: estimate.rows, estimatedSizeMb: estimate.sizeMb, estimatedAt: now });
  }
}
