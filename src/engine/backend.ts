import type { Table } from "apache-arrow";
import type { DataFormat } from "./types.ts";

/**
 * What a platform must provide for the engine: the few DuckDB calls that differ between the
 * browser (an AsyncDuckDB in a worker, files as `File` handles) and Node (the blocking
 * bindings, files as paths). Everything else lives once, in `DuckEngine`.
 */
export interface Backend<S> {
  /**
   * Run SQL (its last statement gives the result). Once `signal` fires the query is interrupted
   * and rejects. Errors are DuckDB's own; the engine wraps them.
   */
  query(sql: string, signal?: AbortSignal): Promise<Table>;
  /**
   * Run SQL in one call, which nothing interrupts. Polled results lose the values of ENUM
   * columns (DuckDB-WASM issue 1548); this path keeps them.
   */
  queryWhole(sql: string): Promise<Table>;
  /** The user-facing name of a source (the file name, not a path). */
  nameOf(source: S): string;
  /** The size of a source in bytes. */
  sizeOf(source: S): Promise<number>;
  /** Bytes [start, end) of a source. */
  read(source: S, start: number, end: number): Promise<Uint8Array>;
  /** Make a source readable by DuckDB under a virtual file name, without copying it. */
  registerSource(virtualName: string, source: S): Promise<void>;
  /** Make bytes readable by DuckDB under a virtual file name. */
  registerBytes(virtualName: string, bytes: Uint8Array): Promise<void>;
  /**
   * Hear how far the running query has come, in percent (DuckDB's progress bar, for queries
   * that run a while); undefined stops listening. Absent where the platform cannot tell.
   */
  onProgress?(listener: ((percent: number) => void) | undefined): void;
  /** Forget a virtual file. */
  dropFile(virtualName: string): Promise<void>;
  /**
   * Take out a file SQL wrote into the engine's memory (`COPY … TO`): its bytes, and the engine
   * forgets it; undefined when there is none of that name. Only where SQL writes into memory
   * (the browser): on a platform whose SQL writes real files (Node), absent.
   */
  takeFile?(path: string): Promise<Uint8Array | undefined>;
  /**
   * Create table `table` from an Arrow IPC stream; with `append`, add its rows to the existing
   * table instead (same columns, in the same order). The bytes may be transferred, not copied:
   * the caller must not use them afterwards.
   */
  insertArrowIPC(table: string, ipc: Uint8Array, append?: boolean): Promise<void>;
  /** Create table `table` from a registered JSON file holding an array of objects. */
  insertJSON(table: string, virtualName: string): Promise<void>;
  /**
   * Open a Parquet source for decoding batch by batch, away from the caller's thread: the file
   * is read by row group as the batches are asked for, never whole. Once `signal` fires the
   * decoder stops and the reader's pending and later calls reject with its reason.
   */
  openParquet(source: S, signal?: AbortSignal): Promise<ParquetReader>;
  /**
   * Start over with a new, empty in-memory database and a new connection: every table, view,
   * schema, macro, attached database, temporary object, setting and file of the old one goes.
   */
  reset(): Promise<void>;
  /** Release the database. */
  close(): Promise<void>;
  /**
   * The engine found the database unusable (it read a known file wrongly): give it up, so that
   * the app starts another. Where there is no one to start another, absent.
   */
  broken?(reason: string): void;
}

/** One file being loaded into a table, as the loaders of each format take it. */
export interface FileLoad<S> {
  source: S;
  /** the file name as the user gave it */
  fileName: string;
  format: DataFormat;
  /** the table to create or replace */
  table: string;
  /** the name DuckDB reads the source under, while the load lasts */
  virtualName: string;
  size: number;
  /** the first HEAD_BYTES of the file, already read to check it */
  head: Uint8Array;
}

/** A Parquet file being decoded, one batch of rows at a time. */
export interface ParquetReader {
  /** the rows the file holds, from its footer */
  rows: number;
  /** what its columns take decoded, from its footer (the row groups' uncompressed size) */
  decodedBytes: number;
  /** the file's columns as an Arrow IPC stream with no rows (the table of an empty file) */
  schema: Uint8Array;
  /**
   * The next batch as an Arrow IPC stream and its row count, or undefined after the last.
   * Rejects with a `ParquetFailure` when the file cannot be decoded.
   */
  next(): Promise<{ ipc: Uint8Array; rows: number } | undefined>;
  /** Stop decoding and release the decoder; harmless when already closed. */
  close(): void;
}
