import { existsSync } from 'node:fs';
import { runToolOk } from './tools';

/** A cell as openpyxl reads it, with its type kept: openpyxl's `data_type` and the Python type of the value. */
export type XlsxCell =
  | { kind: 'empty' }
  | { kind: 'int' | 'float'; value: number; format: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'datetime' | 'date'; value: string; format: string }
  | { kind: 'str'; value: string };

/** One worksheet as openpyxl reads it. */
export interface XlsxSheet {
  name: string;
  frozen: string | null;
  /** Whether every header cell is bold. */
  boldHeader: boolean;
  /** Every row, header first, each cell with its type. */
  rows: XlsxCell[][];
}

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const INSPECT_SCRIPT = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def cell(c):
    v = c.value
    if v is None: return {"kind": "empty"}
    if isinstance(v, bool): return {"kind": "bool", "value": v}
    if isinstance(v, int): return {"kind": "int", "value": v, "format": c.number_format}
    if isinstance(v, float): return {"kind": "float", "value": v, "format": c.number_format}
    if isinstance(v, datetime.datetime): return {"kind": "datetime", "value": v.isoformat(timespec="microseconds"), "format": c.number_format}
    if isinstance(v, datetime.date): return {"kind": "date", "value": v.isoformat(), "format": c.number_format}
    if isinstance(v, str): return {"kind": "str", "value": v}
    raise TypeError(f"unexpected cell value {v!r}")
out = []
for ws in wb.worksheets:
    header = next(ws.iter_rows(min_row=1, max_row=1), ())
    out.append({"name": ws.title, "frozen": ws.freeze_panes,
                "boldHeader": len(header) > 0 and all(bool(c.font.b) for c in header),
                "rows": [[cell(c) for c in row] for row in ws.iter_rows()]})
json.dump(out, sys.stdout)
`;

/** Reads every sheet of a (small) .xlsx with openpyxl, keeping each cell's type. */
export async function inspectXlsx(path: string): Promise<XlsxSheet[]> {
  return JSON.parse((await runToolOk(PYTHON, ['-c', INSPECT_SCRIPT, path])).toString('utf8')) as XlsxSheet[];
}

/** Sheet names and row counts of a (possibly huge) .xlsx, read without loading the cells. */
export interface XlsxOutline {
  /** Sheet names as the workbook lists them, in order. */
  sheets: string[];
  /** `<row>` elements of each worksheet (header row included). */
  rowCounts: number[];
  /** The first `<row>` element (the header) of each worksheet, as XML text, or null. */
  headerRows: Array<string | null>;
  /** The second `<row>` element (first data row) of each worksheet, as XML text, or null. */
  firstDataRows: Array<string | null>;
  /** The last `<row>` element of each worksheet, as XML text, or null. */
  lastRows: Array<string | null>;
  /** The `<sheetViews>` element of each worksheet (frozen panes live there), or null. */
  sheetViews: Array<string | null>;
}

const OUTLINE_SCRIPT = `
import json, re, sys, zipfile
import xml.etree.ElementTree as ET
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ROW = re.compile(rb"<row(?:\\s[^>]*)?>.*?</row>", re.S)
VIEWS = re.compile(rb"<sheetViews>.*?</sheetViews>", re.S)
out = {"sheets": [], "rowCounts": [], "headerRows": [], "firstDataRows": [], "lastRows": [], "sheetViews": []}
with zipfile.ZipFile(sys.argv[1]) as z:
    workbook = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    for sheet in workbook.iter(NS + "sheet"):
        count, header, first, last, views, pending = 0, None, None, None, None, b""
        with z.open("xl/" + targets[sheet.get(RNS + "id")]) as part:
            while True:
                chunk = part.read(1 << 22)
                data = pending + chunk
                if views is None:
                    found = VIEWS.search(data)
                    if found: views = found.group(0).decode()
                # Only whole rows are matched; a row cut by the chunk edge waits for the next chunk.
                cut = data.rfind(b"</row>") + 6 if chunk else len(data)
                if chunk and cut < 6:
                    pending = data
                    continue
                match = None
                for match in ROW.finditer(data, 0, cut):
                    count += 1
                    if count == 1: header = match.group(0).decode()
                    if count == 2: first = match.group(0).decode()
                if match is not None: last = match.group(0).decode()
                pending = data[cut:]
                if not chunk: break
        out["sheets"].append(sheet.get("name"))
        out["rowCounts"].append(count)
        out["headerRows"].append(header)
        out["firstDataRows"].append(first)
        out["lastRows"].append(last)
        out["sheetViews"].append(views)
print(json.dumps(out))
`;

/** Reads sheet names and counts rows of every worksheet by streaming the zip, for files too big for openpyxl. */
export async function outlineXlsx(path: string): Promise<XlsxOutline> {
  return JSON.parse((await runToolOk(PYTHON, ['-c', OUTLINE_SCRIPT, path])).toString('utf8')) as XlsxOutline;
}

/** A worksheet summarised: enough to check a split part stands on its own and which rows it holds. */
export interface XlsxSheetSummary {
  name: string;
  frozen: string | null;
  boldHeader: boolean;
  header: unknown[];
  /** Rows after the header. */
  dataRows: number;
  /** Values of column A after the header, as openpyxl reads them. */
  firstColumn: unknown[];
}

const SUMMARY_SCRIPT = `
import json, sys, openpyxl
out = []
for path in sys.argv[1:]:
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=False))
        header = rows[0] if rows else ()
        sheets.append({"name": ws.title, "frozen": ws.freeze_panes,
                       "boldHeader": len(header) > 0 and all(bool(c.font.b) for c in header),
                       "header": [c.value for c in header], "dataRows": max(0, len(rows) - 1),
                       "firstColumn": [r[0].value for r in rows[1:]]})
    out.append(sheets)
json.dump(out, sys.stdout, default=str)
`;

/** Summarises many .xlsx files in one openpyxl process (one entry per path, in order). */
export async function summarizeXlsxFiles(paths: string[]): Promise<XlsxSheetSummary[][]> {
  if (paths.length === 0) return [];
  return JSON.parse((await runToolOk(PYTHON, ['-c', SUMMARY_SCRIPT, ...paths])).toString('utf8')) as XlsxSheetSummary[][];
}

const READ_ONLY_SHEET_SCRIPT = `
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
def cell(v):
    if isinstance(v, datetime.datetime): return {"datetime": v.isoformat(timespec="microseconds")}
    return v
rows = [[cell(v) for v in row] for row in wb[sys.argv[2]].iter_rows(values_only=True)]
json.dump({"sheets": wb.sheetnames, "rows": rows}, sys.stdout)
`;

/** Sheet names, and the cell values of one sheet, read by openpyxl in read-only mode (only that sheet is parsed). */
export async function readXlsxSheetReadOnly(path: string, sheet: string): Promise<{ sheets: string[]; rows: unknown[][] }> {
  return JSON.parse((await runToolOk(PYTHON, ['-c', READ_ONLY_SHEET_SCRIPT, path, sheet])).toString('utf8')) as { sheets: string[]; rows: unknown[][] };
}
