/**
 * A dataset's import options in the front matter: how its file is read (the separator, the
 * header, the quote, the encoding, date formats, column types, what a bad row does). The
 * engine takes them in the same shape (src/engine/options.ts); the compiler keeps the two
 * alike where the app and the runner hand one to the other.
 */
export interface DatasetOptions {
  delimiter?: string;
  header?: boolean;
  quote?: string;
  escape?: string;
  skip?: number;
  encoding?: Encoding;
  dateFormat?: string;
  timestampFormat?: string;
  types?: Record<string, string>;
  badRows?: BadRows;
}

export const ENCODINGS = ["utf-8", "latin-1", "utf-16"] as const;
export type Encoding = (typeof ENCODINGS)[number];
export const BAD_ROWS = ["reject", "fail"] as const;
export type BadRows = (typeof BAD_ROWS)[number];

/** The option keys, in the order they are written. */
export const OPTION_KEYS: readonly (keyof DatasetOptions)[] = [
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
export function readImportOptions(value: Record<string, unknown>): DatasetOptions | string {
  const options: DatasetOptions = {};
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
export function compactOptions(options: DatasetOptions): DatasetOptions {
  const out: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) {
    const v = options[key];
    if (v === undefined) continue;
    if (key === "types" && Object.keys(v as object).length === 0) continue;
    out[key] = v;
  }
  return out as DatasetOptions;
}
