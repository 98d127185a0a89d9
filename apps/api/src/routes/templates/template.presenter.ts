import type { TemplateWithCreator } from '@export-service/db';

/** A template as the spec lists it, plus its visibility, dates and when its estimate was taken. */
export function presentTemplate(template: TemplateWithCreator) {
  return {
    id: template.id,
    name: template.name,
    description: template.description,
    data_sources: template.configuration.data_sources.map((source) => source.type),
    format: template.configuration.format,
    estimated_size_mb: template.estimatedSizeMb,
    estimated_rows: template.estimatedRows,
    estimated_at: template.estimatedAt?.toISOString() ?? null,
    last_used: template.lastUsed?.toISOString() ?? null,
    created_by: template.creatorName,
    created_by_user_id: template.createdBy,
    is_public: template.isPublic,
    created_at: template.createdAt.toISOString(),
    updated_at: template.updatedAt.toISOString(),
  };
}

/** One template with its whole configuration; a stored password is never shown, only that there is one. */
export function presentTemplateDetail(template: TemplateWithCreator) {
  return { ...presentTemplate(template), configuration: template.configuration, has_password: template.sealedPassword !== null };
}
