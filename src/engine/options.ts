/**
 * How a file is read: the import options a user sets in the dataset panel, recorded with the
 * dataset in the notebook's front matter (src/notebook/datasetOptions.ts reads and writes them
 * there, in the same shape) so that the file loads the same way next time and in `strata run`.
 * Every field is optional: what is absent is detected.
 */
export interface ImportOptions {
  /** CSV: the field separator, one character, or "whitespace" for runs of blanks */
  delimiter?: string;
  /** CSV: whether the first line (after `skip`) holds column names */
  header?: boolean;
  /** CSV: the quote character, or "" for none */
  quote?: string;
  /** CSV: the character that escapes a quote inside a quoted value ("" for none) */
  escape?: string;
  /** CSV: lines above the header (a title, a date) to pass over */
  skip?: number;
  /** CSV: the text encoding */
  encoding?: Encoding;
  /** a strptime format for dates, e.g. `%m/%d/%Y` */
  dateFormat?: string;
  /** a strptime format for timestamps, e.g. `%m/%d/%Y %H:%M` */
  timestampFormat?: string;
  /** DuckDB types by column name: `{ InvoiceDate: "TIMESTAMP", zip: "VARCHAR" }` */
  types?: Record<string, string>;
  /**
   * CSV: what a malformed row does: "reject" (the default) keeps it in `<table>_rejected` and
   * loads the others; "fail" fails the load on the first one.
   */
  badRows?: BadRows;
}

/** The text encodings the CSV reader takes. */
export type Encoding = "utf-8" | "latin-1" | "utf-16";
/** What a malformed row does: kept apart (the default), or fails the load. */
export type BadRows = "reject" | "fail";

/** One column whose type the loader changed after reading it. */
export interface Converted {
  column: string;
  /** the DuckDB type it became */
  type: string;
  /** the strptime format it was read with, where one was needed */
  format?: string;
}

/** What a load did, for the dataset panel: how the file was read and what was set aside. */
export interface LoadReport {
  /** the options the file was read with, given or detected */
  used: ImportOptions;
  /** rows of the file that did not load; kept in `rejectedTable` */
  rejected: number;
  /** the table holding the rejected rows (line, column, reason, raw) */
  rejectedTable?: string;
  /** columns given another type than they were read with */
  converted: Converted[];
  /** lines of news: a header over several lines, a dialect read leniently */
  notes: string[];
}
