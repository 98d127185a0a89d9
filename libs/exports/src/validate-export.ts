import { createHash } from 'node:crypto';
import pg from 'pg';
import { loadProblem, renderRowsSelect, STAGING_SETTINGS, StagingTable, ident } from '@export-service/analytics';
import type { ColumnSchema } from '@export-service/contracts';
import type { ExportFileEntity, ExportJobEntity, ExportJobRepository, RecordedSource } from '@export-service/db';
import { decodeExportFile, duckdbType, isUnreadableFile, type DecodedExportFile } from '@export-service/export-adapters';
import { sourceStems, type ArtifactStore } from '@export-service/export-core';
import { sourcesOf } from './recorded-sources';

/** What validating an export reads. */
export interface ValidateDeps {
  jobs: ExportJobRepository;
  store: ArtifactStore;
  /** The service's own PostgreSQL: `full` loads every file into a temporary table with the recorded types. */
  stagingUrl: string;
  scratchDir: string;
}

/** `checksum` recomputes SHA-256 from storage; `schema` also reads each file's header or schema; `full` also parses every row. */
export type ValidationType = 'checksum' | 'schema' | 'full';

/** What was found about one file; a check not run is null. */
export interface FileFinding {
  file_index: number;
  filename: string;
  exists: boolean;
  checksum_valid: boolean | null;
  schema_valid: boolean | null;
  rows_expected: number;
  rows_found: number | null;
  row_count_match: boolean | null;
  no_corruption: boolean | null;
  problems: string[];
}

/** The spec's answer, with per-file findings. */
export interface ValidationReport {
  job_id: string;
  validation_type: ValidationType;
  valid: boolean;
  checks: { checksum_valid: boolean | null; schema_valid: boolean | null; row_count_match: boolean | null; no_corruption: boolean | null };
  files: FileFinding[];
  sample_data: Array<{ filename: string; data_source: string; rows: unknown[] }> | null;
}

/**
 * Validates a completed export against what it recorded: every file's SHA-256 and size recomputed
 * from storage; with `schema`, each file's header or Parquet schema against the recorded columns; with
 * `full`, every file decrypted, decompressed and parsed to its end into the recorded types (so a value
 * that does not parse is corruption), its rows counted against the recorded count. A missing, altered
 * or truncated file is a finding, never an error.
 */
export async function validateExport(deps: ValidateDeps, job: ExportJobEntity, type: ValidationType, sampleRows: number, password: string | null): Promise<ValidationReport> {
  const files = await deps.jobs.listFiles(job.id);
  const recorded = await sourcesOf(deps.jobs, job, files);
  const stems = sourceStems(job.spec.sources);
  const isWorkbook = job.spec.format === 'excel' && job.spec.excelSheets === true;
  const client = type === 'full' || sampleRows > 0 ? await openStaging(deps.stagingUrl) : null;
  const findings: FileFinding[] = [];
  const samples: NonNullable<ValidationReport['sample_data']> = [];
  let sampled = 0;
  try {
    for (const file of files) {
      const finding: FileFinding = {
        file_index: file.fileIndex,
        filename: file.filename,
        exists: true,
        checksum_valid: null,
        schema_valid: null,
        rows_expected: file.rows,
        rows_found: null,
        row_count_match: null,
        no_corruption: null,
        problems: [],
      };
      findings.push(finding);
      if ((await deps.store.stat(file.storageKey)) === null) {
        Object.assign(finding, { exists: false, checksum_valid: false, schema_valid: type === 'checksum' ? null : false, no_corruption: type === 'full' ? false : null });
        if (type === 'full') finding.row_count_match = false;
        finding.problems.push('missing from storage');
        continue;
      }
      if (file.format === 'manifest' || type === 'checksum') {
        await checkChecksum(deps.store, file, finding);
        if (file.format === 'manifest' && type === 'full' && !file.encrypted) await checkManifest(deps.store, file, files, finding);
        continue;
      }
      // A workbook holds every source (one sheet title each); any other file belongs to the source that lists it.
      const owners = isWorkbook ? recorded.map((source, index) => ({ source, title: stems[index] as string })) : ownersOf(file, recorded);
      let rowsFound = 0;
      for (const owner of owners) {
        const decoded = await open(deps, file, owner.source.columns, isWorkbook ? owner.title : null, password, finding);
        if (!decoded) break;
        try {
          checkStored(decoded, file, finding);
          checkSchema(decoded, owner.source.columns, finding, isWorkbook ? owner.title : null);
          if (type !== 'full' && sampled >= sampleRows) continue;
          const loaded = await load(client as pg.Client, `v_${file.fileIndex}_${owners.indexOf(owner)}`, owner.source.columns, decoded, finding);
          if (loaded === null) continue;
          rowsFound += loaded.rows;
          if (sampled < sampleRows) {
            const rows = await loaded.sample(sampleRows - sampled);
            sampled += rows.length;
            if (rows.length > 0) samples.push({ filename: file.filename, data_source: owner.source.dataSource, rows });
          }
        } finally {
          await decoded.close();
        }
      }
      if (type === 'full' && finding.no_corruption !== false) {
        finding.no_corruption = true;
        finding.rows_found = rowsFound;
        finding.row_count_match = rowsFound === file.rows;
        if (!finding.row_count_match) finding.problems.push(`holds ${rowsFound} rows, the export recorded ${file.rows}`);
      } else if (type === 'full') finding.row_count_match = false;
    }
  } finally {
    await client?.end().catch(() => undefined);
  }
  const all = (key: 'checksum_valid' | 'schema_valid' | 'row_count_match' | 'no_corruption') => {
    const values = findings.map((finding) => finding[key]).filter((value): value is boolean => value !== null);
    return values.length === 0 ? null : values.every(Boolean);
  };
  const checks = { checksum_valid: all('checksum_valid'), schema_valid: all('schema_valid'), row_count_match: all('row_count_match'), no_corruption: all('no_corruption') };
  const valid = findings.every((finding) => finding.exists) && Object.values(checks).every((value) => value !== false);
  return { job_id: job.id, validation_type: type, valid, checks, files: findings, sample_data: sampleRows > 0 ? samples : null };
}

function ownersOf(file: ExportFileEntity, recorded: RecordedSource[]): Array<{ source: RecordedSource; title: string }> {
  const source = recorded.find((candidate) => candidate.files.includes(file.filename)) ?? recorded.find((candidate) => candidate.dataSource === file.dataSource);
  return source ? [{ source, title: source.dataSource }] : [];
}

async function openStaging(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'export-validation' });
  client.on('error', () => undefined);
  await client.connect();
  await client.query(STAGING_SETTINGS);
  return client;
}

async function open(deps: ValidateDeps, file: ExportFileEntity, columns: ColumnSchema[], sheetTitle: string | null, password: string | null, finding: FileFinding) {
  try {
    return await decodeExportFile(
      deps.store,
      { ...file, format: file.format as Exclude<ExportFileEntity['format'], 'manifest'> },
      { password, scratchDir: deps.scratchDir, columns, sheetTitle },
    );
  } catch (error) {
    if (!isUnreadableFile(error)) throw error;
    finding.problems.push(error.problem);
    // A file whose bytes were read but could not be opened is corrupt; its checksum says whether it changed.
    if (finding.checksum_valid === null) await checkChecksum(deps.store, file, finding);
    Object.assign(finding, { schema_valid: false, no_corruption: false });
    return null;
  }
}

function checkStored(decoded: DecodedExportFile, file: ExportFileEntity, finding: FileFinding): void {
  if (finding.checksum_valid !== null) return;
  finding.checksum_valid = decoded.storedSha256 === file.sha256 && decoded.storedBytes === file.bytes;
  if (decoded.storedBytes !== file.bytes) finding.problems.push(`holds ${decoded.storedBytes} bytes in storage, the export recorded ${file.bytes}`);
  else if (!finding.checksum_valid) finding.problems.push('its SHA-256 differs from the recorded checksum (altered in storage)');
}

function checkSchema(decoded: DecodedExportFile, columns: ColumnSchema[], finding: FileFinding, sheet: string | null): void {
  const where = sheet ? `sheet ${sheet}: ` : '';
  const expected = columns.map((column) => column.name);
  let isValid = true;
  // A JSON file without rows declares no keys: nothing to compare.
  if (!(decoded.header.length === 0 && finding.rows_expected === 0) && decoded.header.join('\u0000') !== expected.join('\u0000')) {
    isValid = false;
    finding.problems.push(`${where}declares the columns ${JSON.stringify(decoded.header)}, the export recorded ${JSON.stringify(expected)}`);
  }
  if (decoded.headerTypes) {
    columns.forEach((column, index) => {
      const actual = decoded.headerTypes?.[index];
      const wanted = duckdbType(column).replace(/, /g, ',').replace('TIMESTAMPTZ', 'TIMESTAMP WITH TIME ZONE');
      if (actual !== undefined && actual !== wanted) {
        isValid = false;
        finding.problems.push(`${where}column ${column.name} is ${actual}, the export recorded ${wanted}`);
      }
    });
  }
  finding.schema_valid = (finding.schema_valid ?? true) && isValid;
}

async function load(client: pg.Client, name: string, columns: ColumnSchema[], decoded: DecodedExportFile, finding: FileFinding) {
  const table = new StagingTable(client, name, columns);
  await client.query(`DROP TABLE IF EXISTS ${ident(name)}, ${ident(`${name}_docs`)}; DROP SEQUENCE IF EXISTS ${ident(`${name}_ord`)}`);
  await table.create();
  try {
    const rows = await table.load(decoded.rows, null);
    return {
      rows,
      sample: async (limit: number): Promise<unknown[]> => {
        const select = renderRowsSelect(
          'jsonl',
          columns.map((column) => ({ name: column.name, type: column.type, ref: `src.${ident(column.name)}` })),
          `${ident(name)} AS src ORDER BY src.__ord LIMIT ${Math.floor(limit)}`,
        );
        const { rows: found } = await client.query<{ row: string }>(`SELECT t.row FROM (${select}) AS t(row)`);
        return found.map((row) => JSON.parse(row.row) as unknown);
      },
    };
  } catch (error) {
    finding.no_corruption = false;
    finding.problems.push(isUnreadableFile(error) ? error.problem : `cannot be parsed: ${loadProblem(error)}`);
    return null;
  }
}

async function checkChecksum(store: ArtifactStore, file: ExportFileEntity, finding: FileFinding): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of await store.read(file.storageKey)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  finding.checksum_valid = bytes === file.bytes && hash.digest('hex') === file.sha256;
  if (bytes !== file.bytes) finding.problems.push(`holds ${bytes} bytes in storage, the export recorded ${file.bytes}`);
  else if (!finding.checksum_valid) finding.problems.push('its SHA-256 differs from the recorded checksum (altered in storage)');
}

/** A plain manifest must parse and list every data file with the recorded rows and checksum. */
async function checkManifest(store: ArtifactStore, file: ExportFileEntity, files: ExportFileEntity[], finding: FileFinding): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(file.storageKey)) chunks.push(chunk as Buffer);
  try {
    const manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { files?: Array<{ filename: string; sha256: string; rows: number }> };
    const listed = new Map((manifest.files ?? []).map((entry) => [entry.filename, entry]));
    const wrong = files.filter((data) => data.format !== 'manifest' && (listed.get(data.filename)?.sha256 !== data.sha256 || listed.get(data.filename)?.rows !== data.rows));
    finding.no_corruption = wrong.length === 0;
    finding.schema_valid = wrong.length === 0;
    if (wrong.length > 0) finding.problems.push(`does not list ${wrong.map((data) => data.filename).join(', ')} as recorded`);
  } catch {
    finding.no_corruption = false;
    finding.schema_valid = false;
    finding.problems.push('is not valid JSON');
  }
}

/** What a validation job's password is sealed to. */
export function validationPasswordContext(validationId: string): string {
  return `validation:${validationId}`;
}
