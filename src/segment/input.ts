import { ColumnTable } from "arquero";

/** Any table a cell can hold: an Arrow table, an Arquero table, or an array of records. */
export type TableInput = ArrowLike | ColumnTable | readonly Record<string, unknown>[];

/** The part of an Arrow table we read; duck-typed so that any copy of apache-arrow works. */
export interface ArrowLike {
  numRows: number;
  schema: { fields: readonly { name: string; type: unknown }[] };
  getChild(name: string): {
    length: number;
    nullCount: number;
    get(i: number): unknown;
    toArray(): ArrayLike<unknown>;
  } | null;
}

/** A dense row-major matrix of the complete rows of some numeric columns. */
export interface Matrix {
  /** row-major values, n × d */
  values: Float64Array;
  n: number;
  d: number;
  columns: string[];
  /** the input row each matrix row came from */
  rows: Int32Array;
  /** how many input rows there were */
  totalRows: number;
  /** rows left out because a used column was missing, NaN or infinite */
  excluded: number;
}

function isArrowLike(table: unknown): table is ArrowLike {
  return (
    table !== null &&
    typeof table === "object" &&
    typeof (table as ArrowLike).numRows === "number" &&
    typeof (table as ArrowLike).getChild === "function" &&
    Array.isArray((table as ArrowLike).schema?.fields)
  );
}

/** The column names of a table input. */
export function columnNames(table: TableInput): string[] {
  if (table instanceof ColumnTable) return table.columnNames();
  if (isArrowLike(table)) return table.schema.fields.map((f) => f.name);
  if (Array.isArray(table)) {
    const names = new Set<string>();
    for (const row of table.slice(0, 100)) for (const key of Object.keys(row)) names.add(key);
    return [...names];
  }
  throw new Error(
    "invalid table: expected an Arrow table, an Arquero table or an array of records",
  );
}

/** How many rows a table input has. */
export function rowCount(table: TableInput): number {
  if (table instanceof ColumnTable) return table.numRows();
  if (isArrowLike(table)) return table.numRows;
  if (Array.isArray(table)) return table.length;
  throw new Error(
    "invalid table: expected an Arrow table, an Arquero table or an array of records",
  );
}

/** One column's values, in row order (missing values as null). */
export function columnValues(table: TableInput, name: string): ArrayLike<unknown> {
  requireColumns(table, [name]);
  if (table instanceof ColumnTable) return table.array(name) as ArrayLike<unknown>;
  if (isArrowLike(table)) {
    const vector = table.getChild(name)!;
    if (vector.nullCount === 0) return vector.toArray();
    return Array.from({ length: vector.length }, (_, i) => vector.get(i));
  }
  return (table as readonly Record<string, unknown>[]).map((row) => row[name] ?? null);
}

/** Fail with the columns that exist when a requested column does not. */
export function requireColumns(table: TableInput, columns: readonly string[]): void {
  if (!Array.isArray(columns) || columns.length === 0)
    throw new Error("invalid columns: expected a non-empty list of column names");
  const names = columnNames(table);
  for (const column of columns) {
    if (typeof column !== "string" || !names.includes(column)) {
      throw new Error(`unknown column: ${String(column)} (columns: ${names.join(", ") || "none"})`);
    }
  }
}

/**
 * The complete rows of numeric columns as a matrix. A non-numeric column is an error; a row
 * with a missing, NaN or infinite value in a used column is left out and counted, never zeroed.
 */
export function toMatrix(table: TableInput, columns: readonly string[]): Matrix {
  requireColumns(table, columns);
  const total = rowCount(table);
  const d = columns.length;
  const source = columns.map((c) => numericColumn(table, c));
  // Plain loops over typed arrays: a million rows of six columns take milliseconds, on the page.
  const keep = new Uint8Array(total).fill(1);
  for (let j = 0; j < d; j++) {
    const column = source[j]!;
    for (let i = 0; i < total; i++) if (!Number.isFinite(column[i]!)) keep[i] = 0;
  }
  let n = 0;
  for (let i = 0; i < total; i++) n += keep[i]!;
  const values = new Float64Array(n * d);
  const rows = new Int32Array(n);
  for (let i = 0, r = 0; i < total; i++) if (keep[i]) rows[r++] = i;
  for (let j = 0; j < d; j++) {
    const column = source[j]!;
    for (let r = 0, o = j; r < n; r++, o += d) values[o] = column[rows[r]!]!;
  }
  return { values, n, d, columns: [...columns], rows, totalRows: total, excluded: total - n };
}

/** Column j of a matrix, as its own array. */
export function matrixColumn(m: Matrix, j: number): Float64Array {
  const column = new Float64Array(m.n);
  for (let i = 0, o = j; i < m.n; i++, o += m.d) column[i] = m.values[o]!;
  return column;
}

/** Numeric columns read out of a table as plain typed arrays, to post to a worker. */
export interface NumericColumns {
  names: string[];
  /** one array per name; a missing value is NaN */
  values: Float64Array[];
}

/**
 * Read numeric columns (failing as toMatrix does on an unknown or non-numeric column). Each
 * array is compact: a view into a larger Arrow buffer is copied, so that posting it to a worker
 * copies the column and not the whole buffer around it.
 */
export function numericColumns(table: TableInput, columns: readonly string[]): NumericColumns {
  requireColumns(table, columns);
  return {
    names: [...columns],
    values: columns.map((name) => {
      const values = numericColumn(table, name);
      return values.byteLength === values.buffer.byteLength ? values : values.slice();
    }),
  };
}

/** A table over numeric columns, for the functions that take a table. */
export function columnsTable({ names, values }: NumericColumns): ArrowLike {
  return {
    numRows: values[0]?.length ?? 0,
    schema: { fields: names.map((name) => ({ name, type: null })) },
    getChild(name) {
      const column = values[names.indexOf(name)];
      if (!column) return null;
      return {
        length: column.length,
        nullCount: 0,
        get: (i: number) => column[i],
        toArray: () => column,
      };
    },
  };
}

function numericColumn(table: TableInput, name: string): Float64Array {
  const raw = columnValues(table, name);
  if (raw instanceof Float64Array) return raw;
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (typeof v === "number") out[i] = v;
    else if (typeof v === "bigint") out[i] = Number(v);
    else if (v === null || v === undefined) out[i] = NaN;
    else if (typeof v === "boolean") out[i] = v ? 1 : 0;
    else throw new Error(`column ${name} is not numeric: row ${i + 1} holds ${JSON.stringify(v)}`);
  }
  return out;
}
