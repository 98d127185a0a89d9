import type { DateRangeRequest, ExportRequest } from '@export-service/contracts';
import { SINCE_LAST_RUN } from '@export-service/contracts';
import type { ExportTemplateEntity, TemplateConfiguration } from '@export-service/db';
import { openSecret, sealSecret, type SecretKeys } from '@export-service/security';

/** The context a template's password is sealed under: bound to the template, so it opens nowhere else. */
const passwordContext = (templateId: string) => `template-password:${templateId}`;

/** A configuration as stored: the password taken out and sealed apart (never stored or returned in clear). */
export function sealTemplateConfiguration(
  templateId: string,
  configuration: TemplateConfiguration,
  keys: SecretKeys,
): { configuration: TemplateConfiguration; sealedPassword: string | null } {
  const password = configuration.encryption?.password;
  if (password === undefined || !configuration.encryption) return { configuration, sealedPassword: null };
  const { password: _password, ...encryption } = configuration.encryption;
  return { configuration: { ...configuration, encryption }, sealedPassword: sealSecret(password, keys, passwordContext(templateId)) };
}

/**
 * The create request a template stands for, named `name`, with `overrides` on top. The merge rule:
 * every top-level field the overrides give replaces the template's whole (`data_sources`,
 * `encryption`, `split_files`... are not merged inside), the rest comes from the template. The
 * template's sealed password goes back into its encryption block unless that block was replaced.
 */
export function requestFromTemplate(template: ExportTemplateEntity, name: string, overrides: Partial<ExportRequest>, keys: SecretKeys): ExportRequest {
  const base: ExportRequest = { ...template.configuration, name };
  if (template.sealedPassword && base.encryption) base.encryption = { ...base.encryption, password: openSecret(template.sealedPassword, keys, passwordContext(template.id)) };
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as Partial<ExportRequest>;
  return { ...base, ...defined };
}

/** True when any source reads `since_last_run`: the run is incremental. */
export function isIncremental(request: Pick<ExportRequest, 'data_sources'>): boolean {
  return request.data_sources.some((source) => (source.filters?.date_range as DateRangeRequest | undefined)?.relative === SINCE_LAST_RUN);
}

/**
 * Why a template cannot be run by a schedule, or null: an encrypted template without a password of
 * its own would get a generated password on every run that nobody is ever shown.
 */
export function unschedulableReason(template: Pick<ExportTemplateEntity, 'configuration' | 'sealedPassword'>): string | null {
  const encryption = template.configuration.encryption;
  const needsPassword = (encryption?.enabled ?? false) || (encryption?.password_protected ?? false);
  return needsPassword && !template.sealedPassword
    ? 'encrypts its files with a generated password, which a scheduled run could show no one; give the template an encryption.password'
    : null;
}
