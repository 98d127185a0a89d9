/**
 * The measurement behind the Excel decision (docs/decisions.md): exceljs's streaming WorkbookWriter,
 * fed by a pg cursor over the benchmark's rows, with what the issue asks of our files (bold frozen
 * header, date formats, sized columns). Prints rows/s and peak RSS; compare with `npm run bench`'s
 * excel line. Run after `npm run bench` has seeded: node bench/dist/xlsx-exceljs.js [--rows 1000000]
 */
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import pg from 'pg';
import Cursor from 'pg-cursor';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/export_bench_data' } },
});
const limit = Number(values.rows);
const columns = ['id', 'user_id', 'session_id', 'action', 'resource_type', 'resource_id', 'credits', 'duration_ms', 'success', 'metadata', 'timestamp'];

/** Peak resident memory of this process so far, in MB. */
function peakRssMb(): number {
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024);
}

async function main(): Promise<void> {
  const client = new pg.Client({ connectionString: values.database });
  await client.connect();
  const path = join(tmpdir(), `exceljs-${process.pid}.xlsx`);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: createWriteStream(path), useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('user_activity', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((name) => ({ header: name, key: name, width: 20, style: name === 'timestamp' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {} }));
  sheet.getRow(1).font = { bold: true };
  const started = Date.now();
  const cursor = client.query(
    new Cursor(
      `SELECT ${columns.map((name) => `"${name}"`).join(', ')} FROM user_activity WHERE workspace_id = 'bench_2000000' AND deleted_at IS NULL ORDER BY "timestamp", id LIMIT $1`,
      [limit],
    ),
  );
  let rows = 0;
  for (;;) {
    const batch = await cursor.read(5_000);
    if (batch.length === 0) break;
    for (const row of batch) sheet.addRow(columns.map((name) => (name === 'metadata' && row[name] !== null ? JSON.stringify(row[name]) : row[name]))).commit();
    rows += batch.length;
    // Yield so the zip stream can drain: exceljs's commit() is synchronous and ignores backpressure.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await cursor.close();
  sheet.commit();
  await workbook.commit();
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `exceljs WorkbookWriter: ${rows} rows in ${seconds.toFixed(1)} s = ${Math.round(rows / seconds)} rows/s, peak RSS ${peakRssMb()} MB, ${(statSync(path).size / 1e6).toFixed(1)} MB file`,
  );
  await client.end();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
