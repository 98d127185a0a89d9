import type { ExportActivityRepository, ExportJobRepository } from '@export-service/db';
import type { ArtifactStore } from '@export-service/export-core';
import { validateExport, validationPasswordContext, type ValidationType } from '@export-service/exports';
import type { Logger } from '@export-service/logger';
import { openSecret, type SecretKeys } from '@export-service/security';
import type { JobHandler } from './job-handler';

/** What validating an export as a job needs. */
export interface ValidateExportDeps {
  activity: ExportActivityRepository;
  jobs: ExportJobRepository;
  store: ArtifactStore;
  stagingUrl: string;
  scratchDir: string;
  secrets: SecretKeys;
  logger: Logger;
}

/**
 * Validates an export too large to validate within the request, with the same `validateExport` the
 * API runs inline; the result (or what stopped it) is stored on the validation's row and its sealed
 * password forgotten. A finished validation is never run twice.
 */
export function createValidateExportHandler(deps: ValidateExportDeps): JobHandler<'validate-export'> {
  return {
    async perform({ validationId }) {
      const validation = await deps.activity.startValidation(validationId);
      if (!validation) return;
      try {
        const job = await deps.jobs.findById(validation.jobId);
        if (!job) throw new Error('the export no longer exists');
        const password = validation.sealedPassword ? openSecret(validation.sealedPassword, deps.secrets, validationPasswordContext(validation.id)) : null;
        const report = await validateExport(deps, job, validation.validationType as ValidationType, validation.sampleRows, password);
        await deps.activity.finishValidation(validation.id, { result: report as unknown as Record<string, unknown> });
        deps.logger.info('export validated', { validationId, exportJobId: job.id, valid: report.valid });
      } catch (error) {
        deps.logger.error('validation failed', { validationId, error });
        await deps.activity.finishValidation(validation.id, { error: 'the validation could not run to its end; it has been logged' });
      }
    },
  };
}
