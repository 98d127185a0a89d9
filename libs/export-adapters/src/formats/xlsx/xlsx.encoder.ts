import { XLSX_MAX_SHEET_ROWS } from '@export-service/contracts';
import { splitRows, type ByteSink, type EncodeContext, type PartEncoder, type RowChunk, type StreamingEncoder } from '@export-service/export-core';
import { deflateBound } from '../../compression/zlib-flush';
import { ZipWriter, type ZipEntry } from '../../compression/zip/zip-writer';
import { contentTypesXml, ROOT_RELS_XML, SHEET_END, sheetName, sheetStart, STYLES_XML, workbookRelsXml, workbookXml } from './xlsx-parts';

/** Data rows a sheet takes: Excel's row limit less the header. */
const DATA_ROWS_PER_SHEET = XLSX_MAX_SHEET_ROWS - 1;
/** Most bytes the closing parts (workbook, relationships, content types, zip records) take; ~3 KB in practice. */
const CLOSING_BYTES = 16 * 1024;
/** Most bytes a new sheet (its header, its closing tags, its zip records and workbook entries) adds. */
const SHEET_OVERHEAD_BYTES = 4 * 1024;

/**
 * One .xlsx file. PostgreSQL renders each row as a SpreadsheetML `<row>` with typed cells; this
 * writes them into worksheets of a streamed zip, opening `name (2)` when a sheet is full, and adds
 * the workbook parts at the end. Memory stays flat: nothing waits in memory but the zip's deflate.
 */
class XlsxPart implements PartEncoder {
  private readonly zip: ZipWriter;
  private sheet: ZipEntry | null = null;
  private readonly sheetNames: string[] = [];
  private rowsInSheet = 0;
  /** Sheets of the current section (data source): `name`, `name (2)`, ... */
  private sheetsInSection = 0;
  private isStarted = false;

  constructor(
    next: ByteSink,
    private context: EncodeContext,
  ) {
    this.zip = new ZipWriter(next);
  }

  /** The workbook's opening parts are counted in `maxOutput` (SHEET_OVERHEAD_BYTES); nothing to write early. */
  async start(): Promise<void> {}

  async writeRows(chunk: RowChunk): Promise<void> {
    let rest = chunk;
    while (rest.ends.length > 0) {
      const sheet = await this.openSheet();
      const room = DATA_ROWS_PER_SHEET - this.rowsInSheet;
      if (room === 0) {
        await this.closeSheet();
        continue;
      }
      const [head, tail] = rest.ends.length > room ? splitRows(rest, room) : [rest, { data: Buffer.alloc(0), ends: new Uint32Array(0) }];
      await sheet.write(head.data);
      this.rowsInSheet += head.ends.length;
      rest = tail;
    }
  }

  async flush(): Promise<void> {
    await (await this.openSheet()).flush();
  }

  async finish(): Promise<void> {
    await this.openSheet();
    await this.closeSheet();
    const count = this.sheetNames.length;
    await this.zip.addFile('xl/workbook.xml', Buffer.from(workbookXml(this.sheetNames)), { deflate: true });
    await this.zip.addFile('xl/_rels/workbook.xml.rels', Buffer.from(workbookRelsXml(count)), { deflate: true });
    await this.zip.addFile('[Content_Types].xml', Buffer.from(contentTypesXml(count)), { deflate: true });
    await this.zip.finish();
  }

  destroy(error?: Error): Promise<void> {
    return this.zip.destroy(error);
  }

  /** The next data source of a workbook (excel_sheets): the current one keeps its sheet even without rows. */
  async startSection(context: EncodeContext): Promise<void> {
    await this.openSheet();
    await this.closeSheet();
    this.context = context;
    this.sheetsInSection = 0;
  }

  private async openSheet(): Promise<ZipEntry> {
    if (this.sheet) return this.sheet;
    if (!this.isStarted) {
      this.isStarted = true;
      await this.zip.addFile('_rels/.rels', Buffer.from(ROOT_RELS_XML), { deflate: true });
      await this.zip.addFile('xl/styles.xml', Buffer.from(STYLES_XML), { deflate: true });
    }
    const index = this.sheetNames.length + 1;
    this.sheetsInSection += 1;
    this.sheetNames.push(sheetName(this.context.title, this.sheetsInSection));
    this.sheet = await this.zip.openEntry(`xl/worksheets/sheet${index}.xml`, { deflate: true, level: 1 });
    this.rowsInSheet = 0;
    await this.sheet.write(Buffer.from(sheetStart(this.context.columns), 'utf8'));
    return this.sheet;
  }

  private async closeSheet(): Promise<void> {
    const sheet = this.sheet;
    if (!sheet) return;
    this.sheet = null;
    await sheet.write(Buffer.from(SHEET_END));
    await sheet.end();
  }
}

/** Excel .xlsx: one sheet per data source (continued on new sheets past 1,048,576 rows), typed cells. */
export const xlsxEncoder: StreamingEncoder = {
  kind: 'streaming',
  format: 'excel',
  extension: 'xlsx',
  contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  dialect: 'xlsx',
  openPart: (next, context) => new XlsxPart(next, context),
  maxOutput: (rowBytes) => deflateBound(rowBytes) + CLOSING_BYTES + SHEET_OVERHEAD_BYTES * (1 + Math.ceil(rowBytes / (DATA_ROWS_PER_SHEET * 16))),
};
