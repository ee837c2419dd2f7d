/**
 * How a file is read: the import options a user sets in the dataset panel, recorded with the
 * dataset in the notebook's front matter so that the file loads the same way next time and in
 * `strata run`. Every field is optional: what is absent is detected.
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

export const ENCODINGS = ["utf-8", "latin-1", "utf-16"] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const BAD_ROWS = ["reject", "fail"] as const;
export type BadRows = (typeof BAD_ROWS)[number];

/** The option keys, in the order they are written. */
export const OPTION_KEYS: readonly (keyof ImportOptions)[] = [
  "delimiter",
  "header",
  "quote",
  "escape",
  "skip",
  "encoding",
  "dateFormat",
  "timestampFormat",
  "types",
  "badRows",
];

/**
 * Check options read from a file (the front matter): the options, or why not, naming the key.
 * Unknown keys and values of the wrong kind are errors, so a typo is never silently ignored.
 */
export function readImportOptions(value: Record<string, unknown>): ImportOptions | string {
  const options: ImportOptions = {};
  for (const [key, v] of Object.entries(value)) {
    switch (key) {
      case "delimiter":
        if (typeof v !== "string" || (v !== "whitespace" && [...v].length !== 1))
          return `${key} must be one character or "whitespace"`;
        options.delimiter = v;
        break;
      case "quote":
      case "escape":
        if (typeof v !== "string" || [...v].length > 1)
          return `${key} must be one character, or "" for none`;
        options[key] = v;
        break;
      case "header":
        if (typeof v !== "boolean") return `${key} must be true or false`;
        options.header = v;
        break;
      case "skip":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
          return `${key} must be a whole number of lines`;
        options.skip = v;
        break;
      case "encoding":
        if (!ENCODINGS.includes(v as Encoding))
          return `${key} must be one of ${ENCODINGS.join(", ")}`;
        options.encoding = v as Encoding;
        break;
      case "dateFormat":
      case "timestampFormat":
        if (typeof v !== "string" || !v.includes("%"))
          return `${key} must be a strptime format such as %m/%d/%Y`;
        options[key] = v;
        break;
      case "types": {
        if (typeof v !== "object" || v === null || Array.isArray(v))
          return `${key} must map column names to DuckDB types`;
        const types: Record<string, string> = {};
        for (const [column, type] of Object.entries(v)) {
          if (typeof type !== "string" || !/^[A-Za-z][\w ()[\],]*$/.test(type.trim()))
            return `types.${column} must be a DuckDB type such as DATE or VARCHAR`;
          types[column] = type.trim().toUpperCase();
        }
        options.types = types;
        break;
      }
      case "badRows":
        if (!BAD_ROWS.includes(v as BadRows)) return `${key} must be one of ${BAD_ROWS.join(", ")}`;
        options.badRows = v as BadRows;
        break;
      default:
        return `unknown option ${key} (expected ${OPTION_KEYS.join(", ")})`;
    }
  }
  return options;
}

/** The options with absent ones dropped, keys in their written order; empty when none is set. */
export function compactOptions(options: ImportOptions): ImportOptions {
  const out: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) {
    const v = options[key];
    if (v === undefined) continue;
    if (key === "types" && Object.keys(v as object).length === 0) continue;
    out[key] = v;
  }
  return out as ImportOptions;
}

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
