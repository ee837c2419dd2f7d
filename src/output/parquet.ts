import {
  DataType,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  TimestampMillisecond,
  type Data,
  type Vector,
} from "apache-arrow";

/**
 * Arrow tables as Parquet files, by parquet-wasm: the only Parquet writer Strata has (DuckDB-WASM
 * would fetch its Parquet extension from the internet, and its engine is kept offline). The
 * browser and Node load different builds of it, so the caller passes the module in.
 */

/** The part of parquet-wasm that writes (its browser and Node builds both have it). */
export type ParquetWasm = Pick<typeof import("parquet-wasm/esm"), "Table" | "writeParquet">;

/** The table as a Parquet file (NULL stays null; types as `parquetReady` makes them). */
export function parquetBytes(table: Table, wasm: ParquetWasm): Uint8Array<ArrayBuffer> {
  const ipc = tableToIPC(parquetReady(table), "stream");
  // A copy out of the wasm memory: a plain ArrayBuffer of its own.
  return wasm.writeParquet(wasm.Table.fromIPCStream(ipc)) as Uint8Array<ArrayBuffer>;
}

/**
 * The table with the types a Parquet reader reads back as they were. DuckDB sends TIMESTAMP as
 * Arrow Date64 (milliseconds), which Parquet writers store as a plain 64-bit integer: it goes
 * as a timestamp in milliseconds, which it is. Every other type is written as it is.
 */
export function parquetReady(table: Table): Table {
  const dated = table.schema.fields.filter((f) => DataType.isDate(f.type) && f.type.unit === 1);
  if (dated.length === 0) return table;
  const columns: Record<string, Vector> = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name)!;
    columns[field.name] = dated.includes(field) ? asTimestamp(vector) : vector;
  }
  return new Table(columns);
}

/** A Date64 column as a timestamp column of the same milliseconds. */
function asTimestamp(vector: Vector): Vector {
  return makeVector(
    (vector.data as Data[]).map((data) =>
      makeData({
        type: new TimestampMillisecond(),
        offset: data.offset,
        length: data.length,
        nullCount: data.nullCount,
        nullBitmap: data.nullBitmap,
        data: data.values as BigInt64Array,
      }),
    ),
  );
}
