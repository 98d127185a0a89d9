import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { COMPRESSIONS, EXPORT_FORMATS, XLSX_MAX_CELL_CHARS, type Compression, type ExportFormat } from '@export-service/contracts';
import {
  activityRow,
  createTestEnvironment,
  describeParquetWithDuckDb,
  edgeCaseActivityRows,
  insertActivityRows,
  inspectXlsx,
  makeTempDir,
  parseCsv,
  queryWithDuckDb,
  readParquetWithHyparquet,
  runTool,
  type TestEnvironment,
  type XlsxCell,
} from '@export-service/testing';
import {
  activitySource,
  COMPRESSION_SUFFIX,
  exportSpec,
  FORMAT_EXTENSION,
  innerBytes,
  innerBytesWith7z,
  runToFiles,
  scratchFile,
  USER_ACTIVITY_FIELDS,
  type ProducedFile,
} from './support/run-to-files';
import { USER_ACTIVITY_PARQUET_TYPES } from './support/read-parts';

/**
 * Every format × every compression on the edge-case rows, read back from disk with the real
 * decompressors and an independent reader per format, and compared value by value with what
 * PostgreSQL itself holds.
 */

jest.setTimeout(60_000);

const WORKSPACE = 'ws_roundtrip';
let env: TestEnvironment;
let scratch: { path: string; cleanup: () => Promise<void> };
let truth: TruthRow[];

/** A row as PostgreSQL renders it: text for every value, NULL as null, and the instant in epoch microseconds. */
interface TruthRow {
  id: string;
  user_id: string;
  session_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  credits: string;
  duration_ms: string | null;
  success: boolean;
  metadata: string | null;
  epoch_us: string;
}

/** ISO-8601 UTC with microseconds, computed here from epoch microseconds (not by the pipeline's SQL). */
function isoFromMicros(micros: string): string {
  const value = BigInt(micros);
  const millis = value / 1000n;
  const rest = (value % 1000n).toString().padStart(3, '0');
  return new Date(Number(millis)).toISOString().replace('Z', `${rest}Z`);
}

/** The instant cut to the millisecond (Excel's precision; the writer truncates so no row crosses into the next day), as openpyxl prints it. */
function excelDateTime(micros: string): string {
  const millis = BigInt(micros) / 1000n;
  return new Date(Number(millis)).toISOString().replace('Z', '000');
}

/** Decodes the OOXML `_xHHHH_` escapes of cell text (ECMA-376 ST_Xstring), as Excel and LibreOffice do. */
function decodeOoxmlEscapes(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Within the rounding of one IEEE double: the reader parsed the same decimal to the nearest double. */
function expectSameDouble(actual: number, decimalText: string): void {
  const expected = Number(decimalText);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Number.EPSILON * Math.max(1, Math.abs(expected)));
}

beforeAll(async () => {
  env = await createTestEnvironment('roundtrip');
  scratch = await makeTempDir('roundtrip-scratch');
  await insertActivityRows(env.analyticsPool, [
    ...edgeCaseActivityRows(WORKSPACE),
    // Noise that must never appear: another workspace's rows and a soft-deleted row of this one.
    ...edgeCaseActivityRows('ws_roundtrip_other'),
    activityRow({ workspace_id: WORKSPACE, action: 'deleted_row', deleted_at: '2024-05-01T00:00:00Z', timestamp: '2024-04-01T00:00:00Z' }),
  ]);
  const { rows } = await env.analyticsPool.query<TruthRow>(
    `SELECT id::text AS id, user_id::text AS user_id, session_id::text AS session_id, action, resource_type, resource_id,
            credits::text AS credits, duration_ms::text AS duration_ms, success, metadata::text AS metadata,
            (extract(epoch FROM "timestamp") * 1000000)::bigint::text AS epoch_us
       FROM user_activity WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY "timestamp", id`,
    [WORKSPACE],
  );
  truth = rows;
});

afterAll(async () => {
  await env.cleanup();
  await scratch.cleanup();
});

it('has the edge cases the round trips rely on', () => {
  expect(truth).toHaveLength(12);
  expect(truth.some((row) => (row.resource_id ?? '').length === 50_000)).toBe(true);
  expect(truth.some((row) => row.resource_id === '')).toBe(true);
  expect(truth.some((row) => row.resource_id === null)).toBe(true);
  expect(truth.map((row) => row.credits)).toEqual(expect.arrayContaining(['9999999999.9999', '-1234567.8901', '0.0000']));
});

describe.each(EXPORT_FORMATS.map((format) => [format]))('%s', (format: ExportFormat) => {
  it.each(COMPRESSIONS.map((compression) => [compression]))('with %s compression reads back value by value', async (compression: Compression) => {
    const run = await runToFiles(env, WORKSPACE, exportSpec({ name: `roundtrip ${format} ${compression}`, format, compression }));

    expect(run.files).toHaveLength(1);
    const file = run.files[0] as ProducedFile;
    expect(file.info.filename).toBe(`user_activity.${FORMAT_EXTENSION[format]}${COMPRESSION_SUFFIX[compression]}`);
    expect(file.info.rows).toBe(truth.length);
    expect(file.sizeOnDisk).toBe(file.info.bytes);
    expect(
      createHash('sha256')
        .update(await readFile(file.path))
        .digest('hex'),
    ).toBe(file.info.sha256);
    expect(run.manifest.files).toEqual([expect.objectContaining({ filename: file.info.filename, rows: truth.length, bytes: file.sizeOnDisk, sha256: file.info.sha256 })]);

    const inner = await innerBytes(file, compression, scratch.path);
    // A second, independent decompressor must agree byte for byte.
    expect((await innerBytesWith7z(file, compression)).equals(inner)).toBe(true);

    switch (format) {
      case 'csv':
        return checkCsv(inner);
      case 'json':
      case 'jsonl':
        return checkJson(inner, format);
      case 'excel':
        return checkExcel(await scratchFile(scratch.path, 'roundtrip.xlsx', inner));
      case 'parquet':
        return checkParquet(await scratchFile(scratch.path, 'roundtrip.parquet', inner));
    }
  });
});

// A worker runs export after export in one process: the second export of a format must be as valid as the first.
it.each(EXPORT_FORMATS.map((format) => [format]))('writes a valid %s zip on the second export of the same process too', async (format: ExportFormat) => {
  for (const attempt of [1, 2]) {
    const run = await runToFiles(env, WORKSPACE, exportSpec({ name: `zip twice ${attempt}`, format, compression: 'zip' }));
    const file = run.files[0] as ProducedFile;
    const tested = await runTool('unzip', ['-t', file.path]);
    expect([attempt, tested.code, tested.stdout.toString('utf8')]).toEqual([attempt, 0, expect.stringContaining('No errors detected')]);
  }
});

it('gives each data source of an Excel export its own workbook with one sheet named after the source', async () => {
  const agentFields = ['id', 'agent_id', 'status', 'recorded_at'];
  const run = await runToFiles(
    env,
    WORKSPACE,
    exportSpec({
      format: 'excel',
      sources: [activitySource({ fields: ['id', 'action'] }), activitySource({ type: 'agent_performance', fields: agentFields })],
    }),
  );
  expect(run.files.map((file) => [file.info.filename, file.info.rows])).toEqual([
    ['user_activity.xlsx', truth.length],
    ['agent_performance.xlsx', 0],
  ]);
  const [activity, agents] = await Promise.all(run.files.map((file) => inspectXlsx(file.path)));
  expect(activity?.map((sheet) => [sheet.name, sheet.frozen, sheet.boldHeader, sheet.rows.length])).toEqual([['user_activity', 'A2', true, truth.length + 1]]);
  expect(agents?.map((sheet) => [sheet.name, sheet.frozen, sheet.boldHeader, sheet.rows])).toEqual([
    ['agent_performance', 'A2', true, [agentFields.map((name) => ({ kind: 'str', value: name }))]],
  ]);
});

async function checkCsv(inner: Buffer): Promise<void> {
  const text = inner.toString('utf8').replace(/^\uFEFF/, '');
  expect(text.slice(0, text.indexOf('\n'))).toBe(USER_ACTIVITY_FIELDS.join(','));
  const rows = await parseCsv(inner);
  expect(rows).toHaveLength(truth.length);
  rows.forEach((row, index) => {
    const expected = truth[index] as TruthRow;
    // CSV has no NULL: an empty field stands for it. Everything else is PostgreSQL's text, exactly.
    expect(row).toEqual({
      id: expected.id,
      user_id: expected.user_id,
      session_id: expected.session_id ?? '',
      action: expected.action,
      resource_type: expected.resource_type ?? '',
      resource_id: expected.resource_id ?? '',
      credits: expected.credits,
      duration_ms: expected.duration_ms ?? '',
      success: String(expected.success),
      metadata: expected.metadata ?? '',
      timestamp: isoFromMicros(expected.epoch_us),
    });
  });
  // NULL and '' still differ on the wire (PostgreSQL's COPY convention, which the Parquet path relies on):
  // NULL is an empty unquoted field, the empty string a quoted one.
  const lines = text.split('\n');
  expect(lines.find((line) => line.includes(',api_call,'))).toContain(',dashboard,"",');
  expect(lines.find((line) => line.includes(',login,'))).toMatch(/,login,,,1\.5000,/);
}

async function checkJson(inner: Buffer, format: 'json' | 'jsonl'): Promise<void> {
  const text = inner.toString('utf8');
  let lines: string[];
  if (format === 'json') {
    expect(text.startsWith('[\n')).toBe(true);
    expect(text.endsWith('\n]\n')).toBe(true);
    const parsed = JSON.parse(text) as unknown;
    expect(Array.isArray(parsed)).toBe(true);
    lines = text.slice(2, -3).split(',\n');
    expect(parsed).toEqual(lines.map((line) => JSON.parse(line) as unknown));
  } else {
    expect(text.endsWith('\n')).toBe(true);
    lines = text.slice(0, -1).split('\n');
  }
  expect(lines).toHaveLength(truth.length);
  lines.forEach((line, index) => {
    const expected = truth[index] as TruthRow;
    const row = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(USER_ACTIVITY_FIELDS);
    expect(row).toEqual({
      id: Number(expected.id),
      user_id: expected.user_id,
      session_id: expected.session_id,
      action: expected.action,
      resource_type: expected.resource_type,
      resource_id: expected.resource_id,
      credits: Number(expected.credits),
      duration_ms: expected.duration_ms === null ? null : Number(expected.duration_ms),
      success: expected.success,
      metadata: expected.metadata === null ? null : (JSON.parse(expected.metadata) as unknown),
      timestamp: isoFromMicros(expected.epoch_us),
    });
    // Numbers are written with PostgreSQL's own digits (no float round trip): compare the literals.
    expect(line.startsWith(`{"id":${expected.id},`)).toBe(true);
    expect(line).toContain(`,"credits":${expected.credits},`);
  });
}

function cellText(cell: XlsxCell | undefined): string | null {
  if (cell?.kind === 'empty') return null;
  if (cell?.kind !== 'str') throw new Error(`expected a text cell, got ${JSON.stringify(cell)}`);
  return cell.value;
}

async function checkExcel(path: string): Promise<void> {
  const sheets = await inspectXlsx(path);
  expect(sheets.map((sheet) => sheet.name)).toEqual(['user_activity']);
  const [sheet] = sheets;
  expect(sheet?.frozen).toBe('A2');
  expect(sheet?.boldHeader).toBe(true);
  const [header, ...rows] = sheet?.rows ?? [];
  expect(header).toEqual(USER_ACTIVITY_FIELDS.map((name) => ({ kind: 'str', value: name })));
  expect(rows).toHaveLength(truth.length);
  rows.forEach((row, index) => {
    const expected = truth[index] as TruthRow;
    const [id, userId, sessionId, action, resourceType, resourceId, credits, durationMs, success, metadata, timestamp] = row;
    expect(id).toEqual({ kind: 'int', value: Number(expected.id), format: 'General' });
    expect(cellText(userId)).toBe(expected.user_id);
    expect(cellText(sessionId)).toBe(expected.session_id);
    expect(cellText(action)).toBe(expected.action);
    expect(cellText(resourceType)).toBe(expected.resource_type);
    // Excel holds at most 32,767 characters a cell; openpyxl 3.0 does not decode the OOXML `_xHHHH_`
    // escapes the writer uses for characters XML forbids, so they are decoded here as Excel would.
    const text = cellText(resourceId);
    expect(text === null ? null : decodeOoxmlEscapes(text)).toBe(expected.resource_id === null ? null : expected.resource_id.slice(0, XLSX_MAX_CELL_CHARS));
    // Excel numbers are IEEE doubles.
    expect(credits?.kind).toBe('float');
    expectSameDouble(credits?.kind === 'float' ? credits.value : NaN, expected.credits);
    expect(durationMs).toEqual(expected.duration_ms === null ? { kind: 'empty' } : { kind: 'int', value: Number(expected.duration_ms), format: 'General' });
    expect(success).toEqual({ kind: 'bool', value: expected.success });
    expect(cellText(metadata)).toBe(expected.metadata);
    // Excel date-times hold milliseconds: the instant, cut to the millisecond.
    expect(timestamp).toEqual({ kind: 'datetime', value: excelDateTime(expected.epoch_us), format: 'yyyy-mm-dd hh:mm:ss' });
  });
  // What openpyxl itself returns for the escaped rows (documented: it leaves `_xHHHH_` as written).
  const texts = rows.map((row) => cellText(row[5]));
  expect(texts).toContain('bell_x0007_char');
  expect(texts).toContain('literal _x005F_x0041_ and tab\there');
  expect(texts.find((value) => value?.startsWith('xxx'))).toHaveLength(XLSX_MAX_CELL_CHARS);
}

async function checkParquet(path: string): Promise<void> {
  // Reader 1: DuckDB. Types as DuckDB sees them, and the file's own physical/logical types.
  const columns = await describeParquetWithDuckDb(path);
  expect(Object.fromEntries(columns.map((column) => [column.name, column.type]))).toEqual(USER_ACTIVITY_PARQUET_TYPES);
  for (const column of columns) {
    if (column.type === 'VARCHAR') expect([column.name, column.physicalType, column.convertedType]).toEqual([column.name, 'BYTE_ARRAY', 'UTF8']);
  }
  expect(columns.find((column) => column.name === 'timestamp')).toMatchObject({
    physicalType: 'INT64',
    convertedType: 'TIMESTAMP_MICROS',
    logicalType: expect.stringContaining('isAdjustedToUTC=1'),
  });
  expect(columns.find((column) => column.name === 'credits')).toMatchObject({ convertedType: 'DECIMAL', precision: 14, scale: 4 });
  expect(columns.find((column) => column.name === 'id')).toMatchObject({ physicalType: 'INT64' });

  const rows = await queryWithDuckDb(
    path,
    `SELECT id::VARCHAR AS id, user_id, session_id, action, resource_type, resource_id, credits::VARCHAR AS credits,
            duration_ms::VARCHAR AS duration_ms, success, metadata, epoch_us("timestamp")::VARCHAR AS epoch_us
       FROM read_parquet({path})`,
  );
  expect(rows).toEqual(truth.map((row) => ({ ...row })));

  // Reader 2: hyparquet, a separate implementation with its own footer and page decoding.
  const read = await readParquetWithHyparquet(path);
  expect(read.numRows).toBe(truth.length);
  expect(Object.fromEntries(read.columns.map((column) => [column.name, [column.type, column.convertedType]]))).toEqual({
    id: ['INT64', 'INT_64'],
    user_id: ['BYTE_ARRAY', 'UTF8'],
    session_id: ['BYTE_ARRAY', 'UTF8'],
    action: ['BYTE_ARRAY', 'UTF8'],
    resource_type: ['BYTE_ARRAY', 'UTF8'],
    resource_id: ['BYTE_ARRAY', 'UTF8'],
    credits: ['INT64', 'DECIMAL'],
    duration_ms: ['INT32', 'INT_32'],
    success: ['BOOLEAN', null],
    metadata: ['BYTE_ARRAY', 'UTF8'],
    timestamp: ['INT64', 'TIMESTAMP_MICROS'],
  });
  expect(read.columns.find((column) => column.name === 'timestamp')?.logicalType).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
  expect(read.columns.find((column) => column.name === 'credits')).toMatchObject({ precision: 14, scale: 4 });
  expect(read.rows).toHaveLength(truth.length);
  read.rows.forEach((row, index) => {
    const expected = truth[index] as TruthRow;
    expect(row).toEqual({
      id: { bigint: expected.id },
      user_id: expected.user_id,
      session_id: expected.session_id,
      action: expected.action,
      resource_type: expected.resource_type,
      resource_id: expected.resource_id,
      // hyparquet hands decimals back as doubles (unscaled / 10^scale); DuckDB above checked the exact digits.
      credits: Number(expected.credits),
      duration_ms: expected.duration_ms === null ? null : Number(expected.duration_ms),
      success: expected.success,
      metadata: expected.metadata,
      timestamp: { micros: expected.epoch_us },
    });
  });
}
