import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_SCHEMA } from './env-schema';
import { renderConfigTable, withConfigTable } from './config-table';

describe('the README configuration table', () => {
  it('is the one generated from the env schema (run `npm run docs:config` after changing it)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('lists every variable with its documentation', () => {
    const table = renderConfigTable();
    for (const [name, rule] of Object.entries(ENV_SCHEMA)) {
      expect(table).toContain(`| \`${name}\` |`);
      expect(table).toContain(rule.doc);
    }
  });
});
