import type { Converted, ImportOptions, LoadReport } from "./options.ts";
import { retype } from "./retype.ts";
import { DataType, Field, Schema, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import type { Backend, FileLoad, ParquetReader } from "./backend.ts";
import { toRows } from "./convert.ts";
import { EngineLost, firstLine, LoadError, messageOf, QueryError } from "./errors.ts";
import { checkParquetTail } from "./formats.ts";
import { ident } from "./sql.ts";
import type { LoadProgress } from "./types.ts";

/**
 * Parquet files load batch by batch: a worker decodes them with parquet-wasm (reading the file
 * by row group, never whole), and each batch goes into a staging table as it comes; the staging
 * table then takes the target's name in one transaction. DuckDB-WASM's own Parquet reader is an
 * extension it would download, which Strata never does (docs/architecture.md).
 */

/** What the Parquet loader needs of the engine: the platform's backend and the engine's SQL runner. */
export interface ParquetHost<S> {
  backend: Backend<S>;
  /** run one statement, wrapping DuckDB's errors */
  run(sql: string): Promise<Table>;
}

/** How a Parquet load reports and stops (RegisterOptions' part for it). */
export interface ParquetLoadOptions {
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

const STAGING = "__strata_parquet_staging";
/** About how much decoded data one batch holds: fewer, larger inserts are faster in DuckDB-WASM. */
const BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Load a Parquet file into `load.table`. The old table stays as it was when anything fails or
 * the signal fires; progress is reported in rows, from 0 to the rows the footer counts.
 */
export async function loadParquet<S>(
  host: ParquetHost<S>,
  load: FileLoad<S>,
  options: ParquetLoadOptions & ImportOptions = {},
): Promise<LoadReport> {
  const { onProgress, signal } = options;
  signal?.throwIfAborted();
  const tail = await host.backend.read(load.source, Math.max(0, load.size - 8), load.size);
  checkParquetTail(load.fileName, tail, load.size);
  const reader = await host.backend
    .openParquet(load.source, signal)
    .catch((error: unknown) => Promise.reject(asLoadError(load, error, signal)));
  try {
    await checkFits(host, load, reader);
    const total = reader.rows;
    onProgress?.({ loaded: 0, total, unit: "rows" });
    await host.run(`DROP TABLE IF EXISTS ${STAGING}`);
    try {
      let loaded = 0;
      let created = false;
      for (;;) {
        const batch = await reader.next().catch((error: unknown) => {
          throw asLoadError(load, error, signal, { loaded, total });
        });
        if (!batch) break;
        await insert(host, load, batch.ipc, created, { loaded, total });
        created = true;
        loaded += batch.rows;
        signal?.throwIfAborted();
        onProgress?.({ loaded, total, unit: "rows" });
      }
      // A file with no rows still has columns: the table is made from its schema alone.
      if (!created) await insert(host, load, plainSchema(reader.schema), false, { loaded, total });
      signal?.throwIfAborted();
      const changed = await retypeStaging(host, load, options);
      await takeName(host, load);
      return { used: {}, rejected: 0, converted: changed.converted, notes: changed.notes };
    } finally {
      // The staging table must not outlive the load; a failure here must not hide the load's own.
      await host.run(`DROP TABLE IF EXISTS ${STAGING}`).catch(() => undefined);
    }
  } finally {
    reader.close();
  }
}

/**
 * A schema with no rows, its dictionary-encoded columns made plain: DuckDB-WASM refuses a
 * dictionary column that comes with no dictionary (as it does with no rows).
 */
function plainSchema(ipc: Uint8Array): Uint8Array {
  const fields = tableFromIPC(ipc).schema.fields.map((f) =>
    DataType.isDictionary(f.type) ? new Field(f.name, f.type.dictionary, f.nullable) : f,
  );
  return tableToIPC(new Table(new Schema(fields)), "stream");
}

/** Rows per batch for a file of `rows` rows that decode to `decodedBytes`: about BATCH_BYTES each. */
export function batchRows(rows: number, decodedBytes: number): number {
  const perRow = rows > 0 ? decodedBytes / rows : 0;
  const wanted = perRow > 0 ? Math.round(BATCH_BYTES / perRow) : 65_536;
  return Math.min(1_048_576, Math.max(1_024, wanted));
}

/** Append one batch to the staging table (create it with the first), naming the file on failure. */
async function insert<S>(
  host: ParquetHost<S>,
  load: FileLoad<S>,
  ipc: Uint8Array,
  append: boolean,
  at: { loaded: number; total: number },
): Promise<void> {
  try {
    await host.backend.insertArrowIPC(STAGING, ipc, append);
  } catch (error) {
    if (error instanceof EngineLost) throw error;
    // As a QueryError, DuckDB's kind of error is known: running out of memory replaces the database.
    const cause = new QueryError(`insert into ${STAGING}`, new Error(duckdbMessage(error)));
    throw new LoadError(load.fileName, `${cause.message} (${rowsDone(at)})`, { cause });
  }
}

/**
 * DuckDB-WASM's Arrow insert fails with its error as JSON (`{"exception_type": "Invalid Input",
 * "exception_message": "…"}`); as DuckDB writes it elsewhere: "Invalid Input Error: …".
 */
export function duckdbMessage(error: unknown): string {
  const message = messageOf(error);
  try {
    const parsed = JSON.parse(message) as { exception_type?: unknown; exception_message?: unknown };
    if (typeof parsed.exception_message === "string")
      return typeof parsed.exception_type === "string"
        ? `${parsed.exception_type} Error: ${parsed.exception_message}`
        : parsed.exception_message;
  } catch {
    // not JSON: DuckDB's own words already
  }
  return message;
}

/**
 * The staging table becomes the load's table, in one transaction: the old table goes only when the new
 * one takes its place. Renaming moves no data (CREATE … AS SELECT would hold it twice).
 */
/**
 * The user's column types and the dates held as text (retype.ts), changed in the staging table
 * column by column; a type that does not fit fails the load before the old table goes.
 */
async function retypeStaging<S>(
  host: ParquetHost<S>,
  load: FileLoad<S>,
  options: ImportOptions,
): Promise<{ converted: Converted[]; notes: string[] }> {
  try {
    const changed = await retype(host, STAGING, options);
    for (const c of changed.columns)
      await host.run(
        `ALTER TABLE ${STAGING} ALTER ${ident(c.column)} SET DATA TYPE ${c.type} USING ${c.expr}`,
      );
    return changed;
  } catch (error) {
    if (error instanceof EngineLost) throw error;
    throw new LoadError(
      load.fileName,
      firstLine(messageOf(error)).replace(/^[A-Za-z ]*Error: /, ""),
      {
        cause: error,
      },
    );
  }
}

async function takeName<S>(host: ParquetHost<S>, load: FileLoad<S>): Promise<void> {
  const table = ident(load.table);
  await host.run("BEGIN TRANSACTION");
  try {
    await host.run(`DROP TABLE IF EXISTS ${table}`);
    await host.run(`ALTER TABLE ${STAGING} RENAME TO ${table}`);
    await host.run("COMMIT");
  } catch (error) {
    await host.run("ROLLBACK").catch(() => undefined);
    // A view of that name, say: DuckDB's reason, with the file's name.
    if (error instanceof EngineLost) throw error;
    throw new LoadError(load.fileName, firstLine(messageOf(error)), { cause: error });
  }
}

/**
 * Refuse, before decoding anything, a file whose columns cannot fit in DuckDB's memory: its
 * `memory_limit` (3.1 GiB of DuckDB-WASM's 4 GiB of WebAssembly memory) is the most a table can
 * take where DuckDB has no temp_directory to spill to — in the browser, and in Node too, whose
 * DuckDB-WASM runtime cannot clean up a temp directory (docs/architecture.md).
 */
async function checkFits<S>(
  host: ParquetHost<S>,
  load: FileLoad<S>,
  reader: ParquetReader,
): Promise<void> {
  const [setting] = toRows(
    await host.run(
      "SELECT current_setting('memory_limit') AS memory, current_setting('temp_directory') AS spill",
    ),
  );
  if (!setting || String(setting.spill ?? "") !== "") return;
  const limit = bytesOf(String(setting.memory));
  if (limit === undefined || reader.decodedBytes <= limit) return;
  throw new LoadError(
    load.fileName,
    `it decodes to about ${sized(reader.decodedBytes)}, more than the ${setting.memory} DuckDB-WASM can hold (its WebAssembly memory ends at 4 GiB, in the browser and in \`strata run\` alike): load part of it, fewer columns or a file split in parts`,
  );
}

/** Bytes in a size as DuckDB writes one ("3.1 GiB", "512.0 MiB", "100.0 MB"), or undefined. */
export function bytesOf(size: string): number | undefined {
  const match = /^([\d.]+)\s*(bytes|[KMGT]i?B)$/.exec(size.trim());
  if (!match) return undefined;
  const unit = match[2]!;
  const power = " KMGT".indexOf(unit[0]!);
  const base = unit === "bytes" ? 1 : unit.includes("i") ? 1024 : 1000;
  return Number(match[1]) * base ** Math.max(0, power);
}

/** A size in DuckDB's units: "812 bytes", "96.3 KiB", "5.2 GiB". */
function sized(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  const power = Math.min(
    units.length - 1,
    Math.floor(Math.log(Math.max(1, bytes)) / Math.log(1024)),
  );
  return power === 0 ? `${bytes} bytes` : `${(bytes / 1024 ** power).toFixed(1)} ${units[power]}`;
}

function rowsDone({ loaded, total }: { loaded: number; total: number }): string {
  return `after ${loaded.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} rows`;
}

/** Why a Parquet decoder gave up: where, what it said, and whether it crashed (a panic). */
export class ParquetFailure extends Error {
  override name = "ParquetFailure";
  /** opening the file (its footer) or reading its rows */
  readonly stage: "open" | "read";
  /** the decoder died rather than returning an error (parquet-wasm panics on some damage) */
  readonly crashed: boolean;
  constructor(message: string, stage: "open" | "read", crashed: boolean) {
    super(message);
    this.stage = stage;
    this.crashed = crashed;
  }
}

/**
 * A decoder's failure as one line naming the file; a stop stays the signal's reason, and a lost
 * engine stays lost. Damage (a bad footer, a crash, data cut short) says so in those words.
 */
function asLoadError<S>(
  load: FileLoad<S>,
  error: unknown,
  signal: AbortSignal | undefined,
  at?: { loaded: number; total: number },
): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof LoadError || error instanceof EngineLost) return error;
  const said = firstLine(messageOf(error))
    .replace(/^(?:\w*Error: )+/, "")
    .replace(/^Parquet (?:argument )?error: /i, "");
  const where = at ? ` ${rowsDone(at)}` : "";
  if (error instanceof ParquetFailure && error.crashed) {
    // parquet-wasm panics (a wasm trap) on data it cannot make sense of; other deaths of the
    // worker (its script missing, memory exhausted) are not the file's fault.
    const reason = /RuntimeError|unreachable/.test(error.message)
      ? `the file is truncated or damaged: the Parquet decoder failed${where}`
      : `the Parquet decoder stopped${where}: ${said}`;
    return new LoadError(load.fileName, reason, { cause: error });
  }
  if (/corrupt|eof|out of (?:range|bounds)|unexpected end|truncat/i.test(said)) {
    return new LoadError(load.fileName, `the file is truncated or damaged: ${said}${where}`, {
      cause: error,
    });
  }
  return new LoadError(load.fileName, `not a readable Parquet file: ${said}${where}`, {
    cause: error,
  });
}

/*
 * The decoder workers (parquetWorker.ts in the browser, parquetNodeWorker.js in Node) answer
 * these requests in order, one at a time: `open` once, then `next` until `end`.
 */

/**
 * What the engine asks of a Parquet decoder worker. `S` is a `File` or a path; `wasm` is
 * parquet-wasm's module, compiled once by the engine, so that a new worker only instantiates it.
 */
export type ParquetRequest<S> =
  | { kind: "open"; source: S; wasm: WebAssembly.Module }
  /** the next batch; the first `next` starts reading with `batchRows` rows per batch */
  | { kind: "next"; batchRows: number };

/** What a Parquet decoder worker answers. */
export type ParquetReply =
  | { kind: "opened"; rows: number; decodedBytes: number; schema: Uint8Array }
  /** `ipc` is transferred, not copied */
  | { kind: "batch"; ipc: Uint8Array; rows: number }
  | { kind: "end" }
  | { kind: "failed"; message: string };

/** A decoder worker, as each platform has one. */
export interface DecoderWorker<S> {
  post(request: ParquetRequest<S>): void;
  /** `onReply` hears its answers; `onCrash` that it died of an uncaught error (a wasm panic) */
  listen(onReply: (reply: ParquetReply) => void, onCrash: (message: string) => void): void;
  /** End the worker, and with it all the memory its decoder took. */
  terminate(): void;
}

/**
 * Open `source` in a decoder worker of its own and read it as a `ParquetReader`. While the
 * caller inserts one batch, the worker already decodes the next. Closing, a failure and the
 * signal all end the worker.
 */
export async function readInWorker<S>(
  worker: DecoderWorker<S>,
  source: S,
  wasm: WebAssembly.Module,
  signal?: AbortSignal,
): Promise<ParquetReader> {
  const client = new WorkerClient(worker, signal);
  const opened = await client.ask({ kind: "open", source, wasm }, "open");
  if (opened.kind !== "opened") {
    client.close();
    throw new ParquetFailure(`the decoder answered ${opened.kind} to open`, "open", false);
  }
  const rowsPerBatch = batchRows(opened.rows, opened.decodedBytes);
  let ahead: Promise<ParquetReply> | undefined;
  const ask = () => {
    const reply = client.ask({ kind: "next", batchRows: rowsPerBatch }, "read");
    // Decoded ahead and perhaps never awaited (the load failed meanwhile): not an unhandled error.
    reply.catch(() => undefined);
    return reply;
  };
  return {
    rows: opened.rows,
    decodedBytes: opened.decodedBytes,
    schema: opened.schema,
    async next() {
      const reply = await (ahead ?? ask());
      ahead = undefined;
      if (reply.kind !== "batch") return undefined;
      ahead = ask();
      return { ipc: reply.ipc, rows: reply.rows };
    },
    close: () => client.close(),
  };
}

/** One request at a time to a decoder worker, its failures as `ParquetFailure`s. */
class WorkerClient<S> {
  #worker: DecoderWorker<S>;
  #signal: AbortSignal | undefined;
  #waiting:
    { resolve: (reply: ParquetReply) => void; reject: (error: unknown) => void } | undefined;
  #stage: "open" | "read" = "open";
  #ended = false;
  #reason: unknown;
  #onAbort = () => this.#end(this.#signal?.reason);

  constructor(worker: DecoderWorker<S>, signal: AbortSignal | undefined) {
    this.#worker = worker;
    this.#signal = signal;
    worker.listen(
      (reply) => {
        if (reply.kind === "failed") {
          this.#end(new ParquetFailure(reply.message, this.#stage, false));
          return;
        }
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.resolve(reply);
      },
      (message) => this.#end(new ParquetFailure(message, this.#stage, true)),
    );
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  ask(request: ParquetRequest<S>, stage: "open" | "read"): Promise<ParquetReply> {
    if (this.#signal?.aborted) this.#end(this.#signal.reason);
    if (this.#ended) return Promise.reject(this.#reason);
    this.#stage = stage;
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#worker.post(request);
    });
  }

  close(): void {
    this.#end(new Error("the Parquet reader is closed"));
  }

  /** End the worker once; what waits, and what asks later, fails with `reason`. */
  #end(reason: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#reason = reason;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#worker.terminate();
    this.#waiting?.reject(reason);
    this.#waiting = undefined;
  }
}
