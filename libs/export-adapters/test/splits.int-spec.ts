import { ensureAnalyticsSchema } from '@export-service/analytics';
import { COMPRESSIONS, EXPORT_FORMATS, type Compression, type ExportFormat } from '@export-service/contracts';
import {
  activityRow,
  createTestEnvironment,
  describeParquetWithDuckDb,
  insertActivityRows,
  makeTempDir,
  parseCsv,
  queryWithDuckDb,
  readParquetWithHyparquet,
  summarizeXlsxFiles,
  type TestEnvironment,
} from '@export-service/testing';
import { readParts, USER_ACTIVITY_PARQUET_TYPES, type PartContent } from './support/read-parts';
import {
  activitySource,
  COMPRESSION_SUFFIX,
  exportSpec,
  FORMAT_EXTENSION,
  innerBytes,
  runToFiles,
  scratchFile,
  USER_ACTIVITY_FIELDS,
  type ExportRun,
} from './support/run-to-files';

/**
 * Splitting by month, ISO week and size, and both: every row lands in exactly one file, the right
 * one; every file is within its limit and a complete file of its format on its own.
 */

jest.setTimeout(120_000);

/** Rows on period boundaries (plus a few thousand filler rows) for month and week splits. */
const BOUNDS = 'ws_bounds';
/** High-entropy rows for size splits (~3.7 MB as CSV), spread over March to May 2024, plus July. */
const SIZED = 'ws_sized';
/** Agent runs for weekly rollups split by month. */
const AGENTS = 'ws_agents';

const DAY_MS = 86_400_000;

/** Boundary instants and the files they must land in, written out by hand (not computed). */
const BOUNDARY_ROWS: Array<{ timestamp: string; month: string; week: string }> = [
  { timestamp: '2020-12-31T12:00:00.000000Z', month: '2020_12', week: '2020_W53' },
  { timestamp: '2021-01-03T23:59:59.999999Z', month: '2021_01', week: '2020_W53' },
  { timestamp: '2021-01-04T00:00:00.000000Z', month: '2021_01', week: '2021_W01' },
  { timestamp: '2024-01-31T23:59:59.999999Z', month: '2024_01', week: '2024_W05' },
  { timestamp: '2024-02-01T00:00:00.000000Z', month: '2024_02', week: '2024_W05' },
  { timestamp: '2024-02-29T23:59:59.999999Z', month: '2024_02', week: '2024_W09' },
  { timestamp: '2024-03-01T00:00:00.000000Z', month: '2024_03', week: '2024_W09' },
  { timestamp: '2024-12-29T23:59:59.999999Z', month: '2024_12', week: '2024_W52' },
  { timestamp: '2024-12-30T00:00:00.000000Z', month: '2024_12', week: '2025_W01' },
  { timestamp: '2024-12-31T23:59:59.999999Z', month: '2024_12', week: '2025_W01' },
  { timestamp: '2025-01-01T00:00:00.000000Z', month: '2025_01', week: '2025_W01' },
  { timestamp: '2025-12-28T23:59:59.999999Z', month: '2025_12', week: '2025_W52' },
  { timestamp: '2025-12-29T00:00:00.000000Z', month: '2025_12', week: '2026_W01' },
  { timestamp: '2025-12-31T23:59:59.999999Z', month: '2025_12', week: '2026_W01' },
  { timestamp: '2026-01-01T00:00:00.000000Z', month: '2026_01', week: '2026_W01' },
];

let env: TestEnvironment;
let scratch: { path: string; cleanup: () => Promise<void> };

/** A source row: its id and instant (epoch microseconds), in export order. */
interface SourceRow {
  id: string;
  epoch_us: string;
}

async function sourceRows(workspaceId: string): Promise<SourceRow[]> {
  const { rows } = await env.analyticsPool.query<SourceRow>(
    `SELECT id::text AS id, (extract(epoch FROM "timestamp") * 1000000)::bigint::text AS epoch_us
       FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY "timestamp", id`,
    [workspaceId],
  );
  return rows;
}

/** Epoch microseconds of an ISO instant with six fractional digits. */
function micros(timestamp: string): string {
  return String(BigInt(Date.parse(timestamp.slice(0, 23) + 'Z')) * 1000n + BigInt(timestamp.slice(23, 26)));
}

function millis(epochUs: string): number {
  return Number(BigInt(epochUs) / 1000n);
}

/** `YYYY_MM` of an instant, UTC. */
function monthLabel(epochUs: string): string {
  return new Date(millis(epochUs)).toISOString().slice(0, 7).replace('-', '_');
}

/** `IYYY_WNN` of an instant: the ISO-8601 week (Monday first; week 1 holds the year's first Thursday), UTC. */
function isoWeekLabel(epochUs: string): string {
  const date = new Date(millis(epochUs));
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  const thursday = day + (3 - weekday) * DAY_MS;
  const isoYear = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS));
  return `${isoYear}_W${String(week).padStart(2, '0')}`;
}

/** Monday (UTC date) of the ISO week an instant falls in, `YYYY-MM-DD`. */
function weekStart(epochUs: string): string {
  const date = new Date(millis(epochUs));
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - weekday * DAY_MS).toISOString().slice(0, 10);
}

function extension(format: ExportFormat, compression: Compression): string {
  return `${FORMAT_EXTENSION[format]}${COMPRESSION_SUFFIX[compression]}`;
}

/** The checks every export shares: sizes measured on disk, rows per file, and the manifest's totals. */
function expectConsistentRun(run: ExportRun, parts: PartContent[], sourceCount: number): void {
  for (const part of parts) {
    expect([part.file.info.filename, part.file.info.bytes]).toEqual([part.file.info.filename, part.file.sizeOnDisk]);
    expect([part.file.info.filename, part.file.info.rows]).toEqual([part.file.info.filename, part.keys.length]);
  }
  expect(parts.reduce((sum, part) => sum + part.keys.length, 0)).toBe(sourceCount);
  expect(run.manifest.totals.rows).toBe(sourceCount);
  expect(run.manifest.files.map((file) => file.filename)).toEqual(run.files.map((file) => file.info.filename));
}

beforeAll(async () => {
  env = await createTestEnvironment('splits');
  scratch = await makeTempDir('splits-scratch');
  await ensureAnalyticsSchema(env.analyticsPool);

  await insertActivityRows(env.analyticsPool, [
    ...BOUNDARY_ROWS.map(({ timestamp }) => activityRow({ workspace_id: BOUNDS, action: 'boundary', timestamp })),
    // Noise on the same boundaries that must never appear: another workspace, and soft-deleted rows.
    ...BOUNDARY_ROWS.map(({ timestamp }) => activityRow({ workspace_id: 'ws_bounds_other', timestamp })),
    ...BOUNDARY_ROWS.slice(0, 4).map(({ timestamp }) => activityRow({ workspace_id: BOUNDS, action: 'deleted', timestamp, deleted_at: '2026-02-01T00:00:00Z' })),
  ]);
  // Filler: 4,000 rows every 4 h 22 min 7.654321 s from 2024-01-01, through late 2025.
  await env.analyticsPool.query(
    `INSERT INTO user_activity (workspace_id, user_id, action, resource_id, credits, duration_ms, success, metadata, "timestamp")
     SELECT $1, md5(i::text)::uuid, 'filler', 'res_' || i, (i % 97) * 0.25, i % 1000, i % 2 = 0, jsonb_build_object('i', i),
            timestamptz '2024-01-01 00:00:00+00' + i * interval '4 hours 22 minutes 7.654321 seconds'
       FROM generate_series(0, 3999) AS i`,
    [BOUNDS],
  );

  // Size data: 14,000 rows of hex (little redundancy, so compressed files are big too), 7 min 13.000417 s apart.
  await env.analyticsPool.query(
    `INSERT INTO user_activity (workspace_id, user_id, session_id, action, resource_type, resource_id, credits, duration_ms, success, metadata, "timestamp")
     SELECT $1, md5(i::text)::uuid, md5((i * 7)::text)::uuid, (ARRAY['click','view','search','export'])[1 + i % 4], 'dashboard',
            md5(i::text || 'a') || md5(i::text || 'b'), round((i * 1.37)::numeric % 1000, 4), i % 5000, i % 3 <> 0,
            jsonb_build_object('k', md5(i::text || 'c'), 'n', i),
            timestamptz '2024-03-01 00:00:00+00' + i * interval '7 minutes 13.000417 seconds'
       FROM generate_series(0, 13999) AS i`,
    [SIZED],
  );
  await insertActivityRows(
    env.analyticsPool,
    ['2024-07-01T00:00:00Z', '2024-07-15T12:00:00Z', '2024-07-31T23:59:59.999999Z'].map((timestamp) => activityRow({ workspace_id: SIZED, action: 'july', timestamp })),
  );
});

afterAll(async () => {
  await env.cleanup();
  await scratch.cleanup();
});

describe('split by period', () => {
  let bounds: SourceRow[];
  beforeAll(async () => {
    bounds = await sourceRows(BOUNDS);
  });

  it('has every hand-written boundary row, and no noise, in the source', () => {
    expect(bounds).toHaveLength(BOUNDARY_ROWS.length + 4000);
    // The hand-written labels agree with the label functions used for the filler rows.
    for (const row of BOUNDARY_ROWS) {
      expect([row.timestamp, monthLabel(micros(row.timestamp)), isoWeekLabel(micros(row.timestamp))]).toEqual([row.timestamp, row.month, row.week]);
      expect(bounds.some((source) => source.epoch_us === micros(row.timestamp))).toBe(true);
    }
  });

  // Each format once per split kind; compressions rotate so each path is crossed with a period split.
  const cases: Array<[by: 'month' | 'week', format: ExportFormat, compression: Compression]> = [
    ['month', 'csv', 'none'],
    ['month', 'json', 'gzip'],
    ['month', 'jsonl', 'bz2'],
    ['month', 'excel', 'zip'],
    ['month', 'parquet', 'none'],
    ['week', 'csv', 'bz2'],
    ['week', 'json', 'zip'],
    ['week', 'jsonl', 'gzip'],
    ['week', 'excel', 'none'],
    ['week', 'parquet', 'gzip'],
  ];

  it.each(cases)('by %s in %s (%s): each row in its period file, none lost or doubled', async (by, format, compression) => {
    const run = await runToFiles(env, BOUNDS, exportSpec({ format, compression, split: { by, maxBytes: null } }));
    const label = by === 'month' ? monthLabel : isoWeekLabel;
    const expectedLabels = [...new Set(bounds.map((row) => label(row.epoch_us)))].sort();
    expect(run.files.map((file) => file.info.filename)).toEqual(expectedLabels.map((period) => `user_activity_${period}.${extension(format, compression)}`));
    expect(run.files.map((file) => [file.info.period, file.info.part])).toEqual(expectedLabels.map((period) => [period, null]));

    const parts = await readParts(run.files, format, compression, USER_ACTIVITY_FIELDS, scratch.path);
    expectConsistentRun(run, parts, bounds.length);
    const fileOf = new Map<string, string>();
    for (const part of parts) {
      for (const id of part.keys) {
        expect(fileOf.has(id)).toBe(false);
        fileOf.set(id, part.file.info.period as string);
      }
    }
    const misplaced = bounds.filter((row) => fileOf.get(row.id) !== label(row.epoch_us));
    expect(misplaced).toEqual([]);
    // Each file's rows are in source order.
    expect(parts.flatMap((part) => part.keys)).toEqual(bounds.map((row) => row.id));

    // The hand-written boundary expectations, file by file.
    const idAt = new Map(bounds.map((row) => [row.epoch_us, row.id]));
    for (const row of BOUNDARY_ROWS) {
      const id = idAt.get(micros(row.timestamp));
      expect([row.timestamp, id === undefined ? 'missing' : fileOf.get(id)]).toEqual([row.timestamp, by === 'month' ? row.month : row.week]);
    }
  });

  it.each([
    ['csv', 'none'],
    ['json', 'bz2'],
    ['jsonl', 'gzip'],
    ['excel', 'none'],
    ['parquet', 'none'],
  ] as Array<[ExportFormat, Compression]>)(
    'caps each month at max bytes in %s (%s): the first file keeps the plain name, the rest are _part002, …',
    async (format, compression) => {
      const sized = await sourceRows(SIZED);
      const maxBytes = 300_000;
      const run = await runToFiles(env, SIZED, exportSpec({ format, compression, split: { by: 'month', maxBytes } }));
      const ext = extension(format, compression);
      const byMonth = new Map<string, string[]>();
      for (const file of run.files) byMonth.set(file.info.period as string, [...(byMonth.get(file.info.period as string) ?? []), file.info.filename]);
      expect([...byMonth.keys()]).toEqual(['2024_03', '2024_04', '2024_05', '2024_07']);
      for (const [month, names] of byMonth) {
        expect(names).toEqual(names.map((_, index) => `user_activity_${month}${index === 0 ? '' : `_part${String(index + 1).padStart(3, '0')}`}.${ext}`));
        // March and April hold ~1.5 MB of CSV each: both must have been cut.
        if (month === '2024_03' || month === '2024_04') expect([month, names.length > 1]).toEqual([month, true]);
      }
      expect(byMonth.get('2024_07')).toEqual([`user_activity_2024_07.${ext}`]);
      // Part numbers: null for a month in one file, 1..n for a month cut by size.
      const partOf = (filename: string, period: string) => {
        const names = byMonth.get(period) ?? [];
        return names.length > 1 ? names.indexOf(filename) + 1 : null;
      };
      expect(run.files.map((file) => file.info.part)).toEqual(run.files.map((file) => partOf(file.info.filename, file.info.period as string)));
      expect(run.files.filter((file) => file.sizeOnDisk > maxBytes).map((file) => `${file.info.filename}: ${file.sizeOnDisk} bytes`)).toEqual([]);

      const parts = await readParts(run.files, format, compression, USER_ACTIVITY_FIELDS, scratch.path);
      expectConsistentRun(run, parts, sized.length);
      expect(parts.flatMap((part) => part.keys)).toEqual(sized.map((row) => row.id));
      const monthOf = new Map(sized.map((row) => [row.id, monthLabel(row.epoch_us)]));
      for (const part of parts) expect([part.file.info.filename, part.keys.filter((id) => monthOf.get(id) !== part.file.info.period)]).toEqual([part.file.info.filename, []]);
    },
  );

  it('gives each weekly bucket of an aggregated source to the month its week starts in', async () => {
    // Hand-written runs of two agents the filler does not use, on week and month edges.
    const agentRows: Array<[agent: string, status: string, latency: number, recordedAt: string]> = [
      ['edge_a', 'success', 100, '2024-01-29T00:00:00.000000Z'],
      ['edge_a', 'failure', 200, '2024-01-31T23:59:59.999999Z'],
      ['edge_a', 'success', 300, '2024-02-02T10:00:00.000000Z'],
      ['edge_b', 'timeout', 400, '2024-02-04T23:59:59.999999Z'],
      ['edge_a', 'success', 500, '2024-02-05T00:00:00.000000Z'],
      ['edge_a', 'success', 600, '2024-02-29T12:00:00.000000Z'],
      ['edge_b', 'failure', 700, '2024-03-01T00:00:00.000000Z'],
      ['edge_b', 'success', 800, '2024-03-03T23:59:59.999999Z'],
      ['edge_a', 'success', 900, '2024-03-04T00:00:00.000000Z'],
      ['edge_a', 'success', 110, '2024-12-29T23:59:59.999999Z'],
      ['edge_a', 'failure', 120, '2024-12-30T00:00:00.000000Z'],
      ['edge_a', 'success', 130, '2025-01-01T00:00:00.000000Z'],
      ['edge_b', 'success', 140, '2025-01-05T23:59:59.999999Z'],
      ['edge_b', 'success', 150, '2025-01-06T00:00:00.000000Z'],
    ];
    // Bucket (Monday) → the month file it must be in, and its runs, by hand.
    const handBuckets: Record<string, [month: string, runs: number]> = {
      '2024-01-29|edge_a': ['2024_01', 3],
      '2024-01-29|edge_b': ['2024_01', 1],
      '2024-02-05|edge_a': ['2024_02', 1],
      '2024-02-26|edge_a': ['2024_02', 1],
      '2024-02-26|edge_b': ['2024_02', 2],
      '2024-03-04|edge_a': ['2024_03', 1],
      '2024-12-23|edge_a': ['2024_12', 1],
      '2024-12-30|edge_a': ['2024_12', 2],
      '2024-12-30|edge_b': ['2024_12', 1],
      '2025-01-06|edge_b': ['2025_01', 1],
    };
    const insert = `INSERT INTO agent_performance (workspace_id, agent_id, run_id, task_type, status, latency_ms, tokens_input, tokens_output, credits_used, recorded_at, deleted_at)
                    VALUES ($1, $2, gen_random_uuid(), 'summarise', $3, $4, 10, 20, 0.5, $5, $6)`;
    for (const [agent, status, latency, recordedAt] of agentRows) {
      await env.analyticsPool.query(insert, [AGENTS, agent, status, latency, recordedAt, null]);
      await env.analyticsPool.query(insert, ['ws_agents_other', agent, status, latency, recordedAt, null]);
    }
    await env.analyticsPool.query(insert, [AGENTS, 'edge_a', 'success', 999, '2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z']);
    // Filler: 600 runs over 2024, three agents, mixed statuses.
    await env.analyticsPool.query(
      `INSERT INTO agent_performance (workspace_id, agent_id, run_id, task_type, status, latency_ms, tokens_input, tokens_output, credits_used, quality_score, recorded_at)
       SELECT $1, 'agent_' || (ARRAY['a','b','c'])[1 + i % 3], gen_random_uuid(), 'classify', (ARRAY['success','success','failure','timeout'])[1 + i % 4],
              50 + (i * 37) % 900, i, i * 2, 0.25, (i % 10) / 10.0, timestamptz '2024-01-01 00:00:00+00' + i * interval '14 hours 37 minutes 11.5 seconds'
         FROM generate_series(0, 599) AS i`,
      [AGENTS],
    );
    const { rows: raw } = await env.analyticsPool.query<{ agent_id: string; status: string; latency_ms: number; epoch_us: string }>(
      `SELECT agent_id, status, latency_ms, (extract(epoch FROM recorded_at) * 1000000)::bigint::text AS epoch_us
         FROM agent_performance WHERE workspace_id = $1 AND deleted_at IS NULL`,
      [AGENTS],
    );
    // Expected buckets, computed here from the raw rows: key `period_start|agent_id`.
    const expected = new Map<string, { runs: number; successes: number; failures: number; timeouts: number; max: number }>();
    for (const row of raw) {
      const key = `${weekStart(row.epoch_us)}|${row.agent_id}`;
      const bucket = expected.get(key) ?? { runs: 0, successes: 0, failures: 0, timeouts: 0, max: 0 };
      bucket.runs += 1;
      if (row.status === 'success') bucket.successes += 1;
      if (row.status === 'failure') bucket.failures += 1;
      if (row.status === 'timeout') bucket.timeouts += 1;
      bucket.max = Math.max(bucket.max, row.latency_ms);
      expected.set(key, bucket);
    }
    const expectedMonths = [...new Set([...expected.keys()].map((key) => key.slice(0, 7).replace('-', '_')))].sort();
    const fields = ['period_start', 'agent_id', 'runs', 'successes', 'failures', 'timeouts', 'max_latency_ms'];
    const source = activitySource({ type: 'agent_performance', fields, aggregation: 'weekly' });

    for (const [format, compression] of [
      ['csv', 'none'],
      ['parquet', 'gzip'],
    ] as Array<[ExportFormat, Compression]>) {
      const run = await runToFiles(env, AGENTS, exportSpec({ format, compression, sources: [source], split: { by: 'month', maxBytes: null } }));
      expect(run.files.map((file) => file.info.filename)).toEqual(expectedMonths.map((month) => `agent_performance_${month}.${extension(format, compression)}`));
      const found = new Map<string, { runs: number; successes: number; failures: number; timeouts: number; max: number }>();
      const placed = new Map<string, string>();
      for (const file of run.files) {
        const inner = await innerBytes(file, compression, scratch.path);
        let rows: Array<Record<string, string>>;
        if (format === 'csv') {
          rows = await parseCsv(inner);
        } else {
          const path = await scratchFile(scratch.path, 'agents.parquet', inner);
          const types = Object.fromEntries((await describeParquetWithDuckDb(path)).map((column) => [column.name, column.type]));
          expect(types).toEqual({
            period_start: 'DATE',
            agent_id: 'VARCHAR',
            runs: 'BIGINT',
            successes: 'BIGINT',
            failures: 'BIGINT',
            timeouts: 'BIGINT',
            max_latency_ms: 'INTEGER',
          });
          rows = (await queryWithDuckDb(path, `SELECT ${fields.map((field) => `${field}::VARCHAR AS ${field}`).join(', ')} FROM read_parquet({path})`)) as Array<
            Record<string, string>
          >;
        }
        expect([file.info.filename, file.info.rows]).toEqual([file.info.filename, rows.length]);
        for (const row of rows) {
          const key = `${row.period_start}|${row.agent_id}`;
          // A bucket belongs to the month its week starts in, and appears exactly once.
          expect([key, (row.period_start as string).slice(0, 7).replace('-', '_')]).toEqual([key, file.info.period]);
          expect([key, found.has(key)]).toEqual([key, false]);
          placed.set(key, file.info.period as string);
          found.set(key, {
            runs: Number(row.runs),
            successes: Number(row.successes),
            failures: Number(row.failures),
            timeouts: Number(row.timeouts),
            max: Number(row.max_latency_ms),
          });
        }
      }
      expect(Object.fromEntries(found)).toEqual(Object.fromEntries(expected));
      // The straddling weeks, by hand: every run of the week, even those recorded in the next month or year.
      for (const [key, [month, runs]] of Object.entries(handBuckets)) expect([key, placed.get(key), found.get(key)?.runs]).toEqual([key, month, runs]);
      expect([...found.values()].reduce((sum, bucket) => sum + bucket.runs, 0)).toBe(raw.length);
    }
  });
});

describe('split by size', () => {
  let sized: SourceRow[];
  beforeAll(async () => {
    sized = await sourceRows(SIZED);
  });

  const cases = EXPORT_FORMATS.flatMap((format) => COMPRESSIONS.flatMap((compression) => [300_000, 1_000_000].map((maxBytes) => [format, compression, maxBytes] as const)));

  it.each(cases)('%s with %s under %d bytes: numbered parts, each within the limit and valid on its own', async (format, compression, maxBytes) => {
    const run = await runToFiles(env, SIZED, exportSpec({ format, compression, split: { by: 'size', maxBytes } }));
    // The data is big enough that every case needs at least two parts, so the cut itself is tested.
    expect(run.files.length).toBeGreaterThan(1);
    expect(run.files.map((file) => file.info.filename)).toEqual(
      run.files.map((_, index) => `user_activity_part${String(index + 1).padStart(3, '0')}.${extension(format, compression)}`),
    );
    expect(run.files.map((file) => [file.info.period, file.info.part])).toEqual(run.files.map((_, index) => [null, index + 1]));
    const oversized = run.files.filter((file) => file.sizeOnDisk > maxBytes).map((file) => `${file.info.filename}: ${file.sizeOnDisk} bytes`);
    expect(oversized).toEqual([]);

    const parts = await readParts(run.files, format, compression, USER_ACTIVITY_FIELDS, scratch.path);
    expect(parts.filter((part) => part.keys.length === 0).map((part) => part.file.info.filename)).toEqual([]);
    expectConsistentRun(run, parts, sized.length);
    // Cut on row boundaries only: the parts, in order, hold every row once, in source order.
    expect(parts.flatMap((part) => part.keys)).toEqual(sized.map((row) => row.id));
  });
});

describe('a source with zero matching rows', () => {
  const nothing = { date_range: { from: '2030-01-01T00:00:00Z', to: '2030-02-01T00:00:00Z' } };

  it.each(EXPORT_FORMATS.flatMap((format) => COMPRESSIONS.map((compression) => [format, compression] as const)))(
    'writes one valid empty %s file (%s)',
    async (format, compression) => {
      const run = await runToFiles(env, BOUNDS, exportSpec({ format, compression, sources: [activitySource({ filters: nothing })] }));
      expect(run.files.map((file) => [file.info.filename, file.info.rows])).toEqual([[`user_activity.${extension(format, compression)}`, 0]]);
      const file = run.files[0];
      if (!file) return;
      expect(file.sizeOnDisk).toBe(file.info.bytes);
      const inner = await innerBytes(file, compression, scratch.path);
      switch (format) {
        case 'csv':
          expect(inner.toString('utf8').replace(/^\uFEFF/, '')).toBe(`${USER_ACTIVITY_FIELDS.join(',')}\n`);
          expect(await parseCsv(inner)).toEqual([]);
          break;
        case 'json':
          expect(JSON.parse(inner.toString('utf8'))).toEqual([]);
          break;
        case 'jsonl':
          expect(inner.length).toBe(0);
          break;
        case 'parquet': {
          const path = await scratchFile(scratch.path, 'empty.parquet', inner);
          const columns = await describeParquetWithDuckDb(path);
          expect(Object.fromEntries(columns.map((column) => [column.name, column.type]))).toEqual(USER_ACTIVITY_PARQUET_TYPES);
          expect(await queryWithDuckDb(path, 'SELECT count(*)::INTEGER AS n FROM read_parquet({path})')).toEqual([{ n: 0 }]);
          const read = await readParquetWithHyparquet(path);
          expect([read.numRows, read.rows, read.columns.map((column) => column.name)]).toEqual([0, [], USER_ACTIVITY_FIELDS]);
          break;
        }
        case 'excel': {
          const path = await scratchFile(scratch.path, 'empty.xlsx', inner);
          expect(await summarizeXlsxFiles([path])).toEqual([
            [{ name: 'user_activity', frozen: 'A2', boldHeader: true, header: USER_ACTIVITY_FIELDS, dataRows: 0, firstColumn: [] }],
          ]);
          break;
        }
      }
    },
  );

  it.each(['month', 'week'] as const)('still writes one valid empty file, with no period in its name, when split by %s', async (by) => {
    const run = await runToFiles(env, BOUNDS, exportSpec({ format: 'csv', compression: 'gzip', sources: [activitySource({ filters: nothing })], split: { by, maxBytes: null } }));
    expect(run.files.map((file) => [file.info.filename, file.info.rows, file.info.period])).toEqual([['user_activity.csv.gz', 0, null]]);
    const parts = await readParts(run.files, 'csv', 'gzip', USER_ACTIVITY_FIELDS, scratch.path);
    expect(parts.map((part) => part.keys)).toEqual([[]]);
  });

  it('writes one valid empty part when split by size', async () => {
    const run = await runToFiles(
      env,
      BOUNDS,
      exportSpec({ format: 'csv', compression: 'gzip', sources: [activitySource({ filters: nothing })], split: { by: 'size', maxBytes: 1_000_000 } }),
    );
    expect(run.files.map((file) => [file.info.filename, file.info.rows, file.info.part])).toEqual([['user_activity_part001.csv.gz', 0, 1]]);
    const parts = await readParts(run.files, 'csv', 'gzip', USER_ACTIVITY_FIELDS, scratch.path);
    expect(parts.map((part) => part.keys)).toEqual([[]]);
  });
});
