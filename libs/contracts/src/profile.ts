/**
 * What an export recorded about the values of one data source while it counted them (one scan with
 * the partition count): the facts that decide whether another format can hold every value, and the
 * date range the rows really cover. Numbers and instants are text, exactly as PostgreSQL printed them.
 */
export interface ColumnProfile {
  name: string;
  nulls: number;
  /** Longest text in characters (text columns; json columns only when `isJsonMeasured`). */
  maxChars?: number | null;
  /** Smallest and largest value (numbers, dates, ISO-8601 UTC instants with microseconds). */
  min?: string | null;
  max?: string | null;
  /** The first instant with a part below the millisecond (Excel keeps milliseconds). */
  firstSubMillisecond?: string | null;
  /** The first number with more than 15 significant digits (Excel's precision). */
  firstBeyond15Digits?: string | null;
  /** The first NaN or infinity of a numeric column (Parquet decimals cannot hold them). */
  firstNonFinite?: string | null;
}

/** The recorded profile of a data source's rows. */
export interface SourceProfile {
  rows: number;
  /** The source's time column and the first and last instant present in the rows (null without rows). */
  timeRange: { column: string; start: string | null; end: string | null };
  columns: ColumnProfile[];
  /** False when json columns' text lengths were not measured (exports skip them: measured at +0.55 s per 2 M rows). */
  isJsonMeasured: boolean;
}
