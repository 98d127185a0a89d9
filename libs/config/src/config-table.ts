import { readFileSync, writeFileSync } from 'node:fs';
import { ENV_SCHEMA, type EnvName } from './env-schema';
import type { EnvRule } from './parsers';

/** Markers around the generated table in the README. */
export const TABLE_START = '<!-- config-table:start (generated from libs/config/src/env-schema.ts: npm run docs:config) -->';
export const TABLE_END = '<!-- config-table:end -->';

/** Defaults whose value says less than a sentence would. */
const DEFAULT_NOTES: Partial<Record<EnvName, string>> = {
  EXPORT_SECRET_KEY: 'development key (refused in production)',
  DEMO_API_KEY: 'generated',
};

function shownDefault(name: EnvName, rule: EnvRule<unknown>): string {
  const note = DEFAULT_NOTES[name];
  if (note) return note;
  const value = rule.fallback;
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return '—';
  return `\`${String(value)}\``;
}

/** The README's configuration table: one row per variable, straight from the schema. */
export function renderConfigTable(): string {
  const rows = (Object.keys(ENV_SCHEMA) as EnvName[]).map((name) => {
    const rule = ENV_SCHEMA[name] as EnvRule<unknown>;
    return `| \`${name}\` | ${shownDefault(name, rule)} | ${rule.doc.replace(/\|/g, '\\|')} |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README with its table section replaced by the current one. */
export function withConfigTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('the README has no config-table markers');
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

/** Rewrites the README's table in place (`npm run docs:config`). */
export function writeReadmeConfigTable(path: string): void {
  writeFileSync(path, withConfigTable(readFileSync(path, 'utf8')));
}
