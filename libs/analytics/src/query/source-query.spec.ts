import type { SourceSpec } from '@export-service/contracts';
import { CATALOG } from '../catalog/catalog';
import { toCopyStatement } from './copy-statement';
import { buildPartitionCountQuery, buildRowsQuery } from './source-query';

const hostile = `x'); DROP TABLE user_activity; --`;
const spec: SourceSpec = {
  type: 'user_activity',
  fields: ['user_id', 'action', 'timestamp', 'credits'],
  aggregation: null,
  filters: {
    date_range: { from: '2024-01-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z' },
    actions: ['click', hostile],
    user_ids: ['00000000-0000-4000-8000-000000000001'],
    success: true,
  },
};
const selection = { def: CATALOG.user_activity, spec, workspaceId: `ws'; DELETE FROM x; --` };

describe('source queries', () => {
  it('bind every value, including the workspace, and never put one in the SQL text', () => {
    for (const dialect of ['csv', 'json', 'jsonl', 'xlsx'] as const) {
      const query = buildRowsQuery(selection, dialect, { by: 'month', start: '2024-02-01T00:00:00' });
      expect(query.text).not.toContain('DROP');
      expect(query.text).not.toContain('DELETE');
      expect(query.text).not.toContain('2024-02-01');
      expect(query.values).toEqual(expect.arrayContaining([selection.workspaceId, ['click', hostile], true, '2024-02-01T00:00:00']));
      expect(query.text).toMatch(/src\.workspace_id = \$1::text AND src\.deleted_at IS NULL/);
    }
  });

  it('select only catalog columns, in the requested order, with ISO-8601 UTC timestamps', () => {
    const { text } = buildRowsQuery(selection, 'csv');
    expect(text).toMatch(
      /^SELECT src\."user_id" AS "user_id", src\."action" AS "action", to_char\(src\."timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS\.US"Z"'\) AS "timestamp", src\."credits" AS "credits" FROM "user_activity" AS src/,
    );
    expect(text).toMatch(/ORDER BY src\."timestamp", src\.id$/);
  });

  it('turn placeholders into one-shot settings for COPY, values passed as bind parameters', () => {
    const { setup, copy } = toCopyStatement(buildRowsQuery(selection, 'json'), 'json');
    expect(copy).not.toMatch(/\$\d/);
    expect(copy).toContain(`(SELECT current_setting('export_service.p1')::text)::text`);
    expect(copy).toContain(`= ANY((SELECT current_setting('export_service.p5')::text[])::text[])`);
    expect(copy).toMatch(/QUOTE E'\\x01', DELIMITER E'\\x02'\)$/);
    expect(setup?.text).toMatch(/^SELECT set_config\('export_service\.p1', \$1, true\)/);
    expect(setup?.values).toContain(`{"click","x'); DROP TABLE user_activity; --"}`);
  });

  it('give weekly rollups to the month their week starts in', () => {
    const rollup = {
      def: CATALOG.agent_performance,
      workspaceId: 'ws',
      spec: { type: 'agent_performance' as const, fields: ['period_start', 'agent_id', 'runs'], aggregation: 'weekly' as const, filters: {} },
    };
    const { text } = buildRowsQuery(rollup, 'csv', { by: 'month', start: '2024-04-01T00:00:00' });
    expect(text).toContain(`date_trunc('month', date_trunc('week', src."recorded_at" AT TIME ZONE 'UTC')) = $2::timestamp`);
    expect(text).toContain('GROUP BY 1, src.agent_id');
    expect(buildPartitionCountQuery(rollup, 'week').text).toContain(`'IYYY_"W"IW'`);
  });
});
