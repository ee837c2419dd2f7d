import { Table as ArrowTable, tableToIPC } from "apache-arrow";
import { ColumnTable, from, toArrowIPC } from "arquero";
import type { TableLike } from "../output/index.ts";

/** A table-like value as an Arrow IPC stream, for DuckDB. */
export function toIPC(value: TableLike): Uint8Array {
  if (value instanceof ArrowTable) return tableToIPC(value, "stream");
  const table = value instanceof ColumnTable ? value : from(value);
  return toArrowIPC(table, { format: "stream" });
}
