import {
  Int64,
  makeData,
  makeVector,
  Table,
  TimestampMicrosecond,
  TimestampNanosecond,
  Uint64,
  type Vector,
} from "apache-arrow";
import { ident } from "./sql.ts";
import type { ColumnInfo, Engine } from "./types.ts";

/**
 * A table's rows for export, without the losses of the engine's Arrow (QUERY_CONFIG): there
 * BIGINT becomes a double (2^53 + 1 reads as 2^53) and TIMESTAMP milliseconds (microseconds
 * go). Here such a column crosses as text — the integer, or the timestamp's count of
 * microseconds (nanoseconds for TIMESTAMP_NS) since 1970 — and `restoreExact` puts it back as
 * a 64-bit Arrow column. HUGEINT goes back to 64 bits when every value fits, and stays text
 * (exact) when one does not. DECIMAL stays a double, as everywhere in Strata.
 */

/** How a column that crossed as text becomes what it was. */
export type Restore = "int64" | "uint64" | "hugeint" | "timestamp" | "timestamptz" | "timestamp_ns";

/** The query that reads a table exactly, and what to restore of its result. */
export interface ExactQuery {
  sql: string;
  /** the columns that crossed as text, by name */
  restore: [column: string, how: Restore][];
}

/** How each DuckDB type that loses something crosses; other types cross as they are. */
const RESTORE: Record<string, Restore> = {
  BIGINT: "int64",
  UBIGINT: "uint64",
  HUGEINT: "hugeint",
  UHUGEINT: "hugeint",
  TIMESTAMP: "timestamp",
  TIMESTAMP_S: "timestamp",
  TIMESTAMP_MS: "timestamp",
  TIMESTAMP_NS: "timestamp_ns",
  "TIMESTAMP WITH TIME ZONE": "timestamptz",
};

/** The SQL that reads `table` (whose columns are `columns`) so that nothing is lost. */
export function exactQuery(table: string, columns: readonly ColumnInfo[]): ExactQuery {
  const restore: [string, Restore][] = [];
  const select = columns.map(({ name, type }) => {
    const how = RESTORE[type];
    if (how === undefined) return ident(name);
    restore.push([name, how]);
    const column = ident(name);
    const text =
      how === "timestamp" || how === "timestamptz"
        ? `epoch_us(${column})`
        : how === "timestamp_ns"
          ? `epoch_ns(${column})`
          : column;
    return `CAST(${text} AS VARCHAR) AS ${column}`;
  });
  return { sql: `SELECT ${select.join(", ")} FROM ${ident(table)}`, restore };
}

/** The result of an `exactQuery` with its text columns made 64-bit columns again. */
export function restoreExact(table: Table, restore: ExactQuery["restore"]): Table {
  if (restore.length === 0) return table;
  const how = new Map(restore);
  const columns: Record<string, Vector> = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name)!;
    const kind = how.get(field.name);
    columns[field.name] = kind === undefined ? vector : restored(vector, kind);
  }
  return new Table(columns);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function restored(text: Vector, how: Restore): Vector {
  const values = Array.from({ length: text.length }, (_, i) => {
    const value = text.get(i) as string | null;
    return value === null ? null : BigInt(value);
  });
  if (how === "hugeint" && values.some((v) => v !== null && (v < INT64_MIN || v > INT64_MAX)))
    return text;
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  const data =
    how === "uint64" ? new BigUint64Array(values.length) : new BigInt64Array(values.length);
  values.forEach((value, i) => {
    if (value === null) nullCount++;
    else {
      data[i] = value;
      valid[i >> 3] = valid[i >> 3]! | (1 << (i & 7));
    }
  });
  const bits = { length: values.length, nullCount, nullBitmap: nullCount > 0 ? valid : undefined };
  if (data instanceof BigUint64Array)
    return makeVector(makeData({ type: new Uint64(), data, ...bits }));
  if (how === "timestamp_ns")
    return makeVector(makeData({ type: new TimestampNanosecond(), data, ...bits }));
  if (how === "timestamp" || how === "timestamptz")
    return makeVector(
      makeData({
        type: new TimestampMicrosecond(how === "timestamptz" ? "UTC" : null),
        data,
        ...bits,
      }),
    );
  return makeVector(makeData({ type: new Int64(), data, ...bits }));
}

/** A table's rows read exactly: `exactQuery`, run, and restored. */
export async function exactTable(engine: Engine<unknown>, table: string): Promise<Table> {
  const { sql, restore } = exactQuery(table, (await engine.describe(table)).columns);
  return restoreExact(await engine.query(sql), restore);
}
