import type { Table } from "apache-arrow";
import type { ImportOptions, LoadReport } from "./options.ts";

/** A file format the engine can load into a table. */
export type DataFormat = "csv" | "tsv" | "parquet" | "json" | "ndjson";

/** One column of a table, as DuckDB describes it. */
export interface ColumnInfo {
  /** the column name, exactly as in the table */
  name: string;
  /** the DuckDB type, e.g. `BIGINT`, `VARCHAR`, `DATE` */
  type: string;
}

/** A table in the engine with its schema and size. */
export interface TableInfo {
  /** the table name, usable in SQL after quoting */
  name: string;
  /** how many rows the table holds */
  rowCount: number;
  /** the columns in table order */
  columns: ColumnInfo[];
  /**
   * set by loading a CSV or TSV file: whether its first line was read as column names; when
   * false the columns are named column0, column1, …
   */
  header?: boolean;
  /** set by loading a file: how it was read, what was set aside, which columns changed type */
  load?: LoadReport;
}

/**
 * Options for loading a file into a table: the import options (see options.ts; what is
 * absent is detected) and the table's name.
 */
export interface RegisterOptions extends ImportOptions {
  /** the table to create or replace; defaults to a name derived from the file name */
  table?: string;
  /**
   * called as the load goes on: CSV in bytes of the file DuckDB has read, Parquet in rows
   * decoded of those its footer counts
   */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * stops the load: it rejects (`QueryStopped` for CSV, the signal's reason for Parquet), and
   * the table it would replace stays as it was
   */
  signal?: AbortSignal;
}

/** How far a file's load has come: `loaded` of `total`, counted in `unit`. */
export interface LoadProgress {
  loaded: number;
  total: number;
  unit: "rows" | "bytes";
}

/** How a query runs. */
export interface QueryOptions {
  /**
   * Stops the query: one still waiting for its turn never starts, a running one is interrupted
   * in DuckDB; either way it rejects with `QueryStopped`.
   */
  signal?: AbortSignal;
  /**
   * Where the engine keeps what SQL writes in its own memory (DuckDB-WASM in the browser, which
   * has no disk), each file a `COPY … TO 'path'` of this query wrote is handed here once the
   * query is done, and the engine forgets it. Without this, such files are forgotten at once.
   */
  files?: (file: WrittenFile) => void;
}

/** A file SQL wrote into the engine's memory: its path as the SQL named it, and its bytes. */
export interface WrittenFile {
  path: string;
  bytes: Uint8Array;
}

/**
 * The one interface to DuckDB. `S` is what a file source is on this platform:
 * a `File` in the browser, a path in Node.
 */
export interface Engine<S> {
  /** Run SQL and return the result as an Arrow table (BIGINT, HUGEINT, DECIMAL as doubles). */
  query(sql: string, options?: QueryOptions): Promise<Table>;
  /** Load a CSV, TSV, Parquet or JSON file as a table, replacing a table of the same name. */
  registerFile(source: S, options?: RegisterOptions): Promise<TableInfo>;
  /** Create or replace table `name` from an Arrow IPC stream (a table a TS cell computed). */
  registerArrow(name: string, ipc: Uint8Array): Promise<TableInfo>;
  /** The user's tables, by name. */
  tables(): Promise<TableInfo[]>;
  /** One table's schema and row count. */
  describe(table: string): Promise<TableInfo>;
  /** Drop every table and view the user or the cells made (another notebook is opening). */
  clear(): Promise<void>;
  /** Remove a table; removing one that does not exist is an error. */
  dropTable(table: string): Promise<void>;
  /** Release the database and its worker. */
  close(): Promise<void>;
}
