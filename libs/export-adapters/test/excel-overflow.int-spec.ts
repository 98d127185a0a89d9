import { ensureAnalyticsSchema } from '@export-service/analytics';
import { XLSX_MAX_SHEET_ROWS } from '@export-service/contracts';
import { createTestEnvironment, outlineXlsx, readXlsxSheetReadOnly, type TestEnvironment } from '@export-service/testing';
import { exportSpec, activitySource, runToFiles } from './support/run-to-files';

/**
 * Past Excel's 1,048,576 rows a sheet, the workbook continues on `user_activity (2)`: every row
 * kept once, in order, each sheet with its own frozen bold header.
 */

jest.setTimeout(120_000);

const WORKSPACE = 'ws_overflow';
/** Data rows a sheet holds (its first row is the header). */
const DATA_ROWS_PER_SHEET = XLSX_MAX_SHEET_ROWS - 1;
/** One full sheet and 151 rows more. */
const ROWS = DATA_ROWS_PER_SHEET + 151;
const FIELDS = ['id', 'action', 'success', 'timestamp'];

let env: TestEnvironment;

beforeAll(async () => {
  env = await createTestEnvironment('overflow');
  await ensureAnalyticsSchema(env.analyticsPool);
  // One set-based statement; ids and timestamps both increase with i, so export order is id order.
  await env.analyticsPool.query(
    `INSERT INTO user_activity (workspace_id, user_id, action, success, "timestamp")
     SELECT $1, '00000000-0000-4000-8000-000000000000', 'click', i % 2 = 0, timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
       FROM generate_series(1, $2::int) AS i`,
    [WORKSPACE, ROWS],
  );
});

afterAll(() => env.cleanup());

/** The value of the first cell (`id`) of a `<row>` element. */
function firstCellValue(rowXml: string | null | undefined): string | null {
  return rowXml?.match(/^<row[^>]*><c[^>]*><v>([^<]*)<\/v><\/c>/)?.[1] ?? null;
}

it('continues on a new sheet "user_activity (2)" past 1,048,576 rows, losing and repeating none', async () => {
  const { rows: ids } = await env.analyticsPool.query<{ id: string }>(
    `SELECT id::text AS id FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY "timestamp", id`,
    [WORKSPACE],
  );
  expect(ids).toHaveLength(ROWS);

  const run = await runToFiles(env, WORKSPACE, exportSpec({ format: 'excel', compression: 'none', sources: [activitySource({ fields: FIELDS })] }));
  expect(run.files.map((file) => [file.info.filename, file.info.rows])).toEqual([['user_activity.xlsx', ROWS]]);
  expect(run.manifest.totals.rows).toBe(ROWS);
  const path = (run.files[0] as { path: string }).path;

  const outline = await outlineXlsx(path);
  expect(outline.sheets).toEqual(['user_activity', 'user_activity (2)']);
  // Header included: the first sheet is full to Excel's limit, the second holds the rest.
  expect(outline.rowCounts).toEqual([XLSX_MAX_SHEET_ROWS, ROWS - DATA_ROWS_PER_SHEET + 1]);
  for (const [index, header] of outline.headerRows.entries()) {
    // Each sheet has its own header row in the bold header style (s="3"), and its own frozen pane.
    expect([index, header]).toEqual([index, `<row>${FIELDS.map((name) => `<c t="inlineStr" s="3"><is><t>${name}</t></is></c>`).join('')}</row>`]);
    expect(outline.sheetViews[index]).toMatch(/<pane [^>]*topLeftCell="A2"[^>]*state="frozen"/);
  }
  // Rows run on across the sheets: the last of sheet 1 and the first of sheet 2 are neighbours.
  expect(firstCellValue(outline.firstDataRows[0])).toBe(ids[0]?.id);
  expect(firstCellValue(outline.lastRows[0])).toBe(ids[DATA_ROWS_PER_SHEET - 1]?.id);
  expect(firstCellValue(outline.firstDataRows[1])).toBe(ids[DATA_ROWS_PER_SHEET]?.id);
  expect(firstCellValue(outline.lastRows[1])).toBe(ids[ROWS - 1]?.id);

  // openpyxl opens the workbook and reads the second sheet, typed, row for row.
  const second = await readXlsxSheetReadOnly(path, 'user_activity (2)');
  expect(second.sheets).toEqual(['user_activity', 'user_activity (2)']);
  expect(second.rows[0]).toEqual(FIELDS);
  expect(second.rows.slice(1).map((row) => String(row[0]))).toEqual(ids.slice(DATA_ROWS_PER_SHEET).map((row) => row.id));
  for (const row of second.rows.slice(1)) {
    expect([typeof row[0], row[1], typeof row[2], row[3]]).toEqual(['number', 'click', 'boolean', { datetime: expect.stringMatching(/^2024-01-1\dT\d\d:\d\d:\d\d\.000000$/) }]);
  }
});
