/** Cell styles shared by the SQL that renders Excel rows and the styles.xml of the xlsx writer. */
export const XLSX_STYLE = {
  default: 0,
  dateTime: 1,
  date: 2,
  header: 3,
} as const;

/** Rows an Excel sheet holds, header included. */
export const XLSX_MAX_SHEET_ROWS = 1_048_576;

/** Characters an Excel cell holds; longer text is cut to this. */
export const XLSX_MAX_CELL_CHARS = 32_767;
