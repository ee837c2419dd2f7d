import { DataType, type Table } from "apache-arrow";
import type { Backend, FileLoad } from "./backend.ts";
import { toRows } from "./convert.ts";
import { loadCsv, type CsvHost } from "./csv.ts";
import type { ImportOptions, LoadReport } from "./options.ts";
import { retype } from "./retype.ts";
import {
  allocationFailed,
  EngineLost,
  firstLine,
  LoadError,
  messageOf,
  QueryError,
  QueryStopped,
} from "./errors.ts";
import { copyTargets, type CopyTarget } from "./copy.ts";
import { checkHead, formatOf, HEAD_BYTES, tableNameFor } from "./formats.ts";
import { ident, literal } from "./sql.ts";
import { hasDictionary, readsOnly } from "./enums.ts";
import { jsonProblem, keysInOrder, ndjsonToArray } from "./json.ts";
import { loadParquet } from "./parquet.ts";
import type {
  ColumnInfo,
  Engine,
  QueryOptions,
  RegisterOptions,
  TableInfo,
  WrittenFile,
} from "./types.ts";

/** Settings that keep the engine offline: no extension downloads, no loading behind the user's back. */
export const OFFLINE = [
  "SET autoinstall_known_extensions = false",
  "SET autoload_known_extensions = false",
  // DuckDB reports how far a query has come once it has run this long (a file's load).
  "SET enable_progress_bar = true",
  "SET progress_bar_time = 200",
];

/** How far `lockDown` closes the engine. */
export interface LockOptions {
  /** let SQL reach outside the database itself (paths in queries, COPY, ATTACH, LOAD); true unless false */
  externalAccess?: boolean;
}

const STAGING = "__strata_staging";
/** The largest JSON file whose failure is read again by JavaScript's parser, to say where. */
const JSON_CHECK_BYTES = 256 * 1024 * 1024;

/** Why `COPY … TO` a Parquet file fails where SQL writes into memory (the browser). */
const NO_PARQUET = new Error(
  "COPY to Parquet cannot run in the browser: DuckDB-WASM's Parquet writer is an extension it would fetch from the internet, and Strata stays offline; use Download Parquet under a result instead",
);

/** The engine over either platform's backend: loading, describing and error wrapping live here. */
export class DuckEngine<S> implements Engine<S> {
  #backend: Backend<S>;
  #queue: Promise<unknown> = Promise.resolve();
  #files = 0;
  /** a load failed: check the database reads files right before the next */
  #suspect = false;
  /** how the engine was locked, to lock a fresh database the same way */
  #locked: LockOptions | undefined;

  constructor(backend: Backend<S>) {
    this.#backend = backend;
  }

  /** Apply the offline settings; called once by the platform's factory, before any file loads. */
  goOffline(): Promise<void> {
    return this.#serial(async () => {
      for (const sql of OFFLINE) await this.#run(sql);
    });
  }

  /**
   * Lock the configuration, so that SQL cannot undo the settings. With `externalAccess: false`
   * SQL can no longer read or write a file, attach a database or load an extension: only the
   * tables already loaded remain, and `registerFile` stops working too.
   */
  lockDown({ externalAccess = true }: LockOptions = {}): Promise<void> {
    const locked = { externalAccess };
    this.#locked = locked;
    return this.#serial(() => this.#lock(locked));
  }

  async #lock({ externalAccess }: LockOptions): Promise<void> {
    if (externalAccess === false) await this.#run("SET enable_external_access = false");
    await this.#run("SET lock_configuration = true");
  }

  query(sql: string, { signal, files }: QueryOptions = {}): Promise<Table> {
    return this.#serial(async () => {
      // Stopped while it waited for its turn: it never starts.
      if (signal?.aborted) throw new QueryStopped(sql);
      const targets = this.#backend.takeFile ? copyTargets(sql) : [];
      if (targets.some((t) => t.format === "parquet")) throw new QueryError(sql, NO_PARQUET);
      let ran = false;
      try {
        const table = await this.#run(sql, signal);
        ran = true;
        return table;
      } finally {
        await this.#takeFiles(targets, ran ? files : undefined);
      }
    });
  }

  /**
   * The files a query's `COPY … TO` wrote into the engine's memory: each handed to `deliver`
   * (when the query succeeded and someone wants them), and forgotten by the engine either way.
   */
  async #takeFiles(
    targets: readonly CopyTarget[],
    deliver: ((file: WrittenFile) => void) | undefined,
  ): Promise<void> {
    for (const { path } of targets) {
      const bytes = await this.#backend.takeFile?.(path).catch(() => undefined);
      if (bytes !== undefined) deliver?.({ path, bytes });
    }
  }

  registerFile(source: S, options: RegisterOptions = {}): Promise<TableInfo> {
    return this.#serial(async () => {
      if (this.#suspect) await this.#checkHealth();
      const fileName = this.#backend.nameOf(source);
      const format = formatOf(fileName);
      const table = options.table ?? tableNameFor(fileName);
      if (table.trim() === "") throw new LoadError(fileName, "the table name is empty");
      const size = await this.#backend.sizeOf(source);
      const head = await this.#backend.read(source, 0, Math.min(size, HEAD_BYTES));
      checkHead(fileName, format, head, size, options.encoding);
      const virtualName = `strata-${++this.#files}-${fileName.replace(/[^\w.-]/g, "_")}`;
      const load = { source, fileName, format, table, virtualName, size, head };
      const { table: _, ...importOptions } = options;
      let report: LoadReport & { header?: boolean };
      let outOfMemory = false;
      try {
        if (format === "csv" || format === "tsv") report = await this.#loadCsv(load, importOptions);
        else if (format === "parquet") report = await this.#loadParquet(load, importOptions);
        else report = await this.#loadJson(load, importOptions);
      } catch (error) {
        // A failed load can leave DuckDB reading every later file wrong (a huge one did).
        this.#suspect = true;
        outOfMemory = allocationFailed(error);
        throw error;
      } finally {
        // Names are never reused, so a file not forgotten is harmless; the load's error matters.
        await this.#backend.dropFile(virtualName).catch(() => undefined);
        // Out of memory, the database is replaced before anything else loads into it.
        if (outOfMemory) this.#backend.broken?.(`it ran out of memory loading ${fileName}`);
      }
      const { header, ...loaded } = report;
      const info = { ...(await this.#describe(table)), load: loaded };
      return header === undefined ? info : { ...info, header };
    });
  }

  registerArrow(name: string, ipc: Uint8Array): Promise<TableInfo> {
    return this.#serial(async () => {
      await this.#replaceFromStaging(name, () => this.#backend.insertArrowIPC(STAGING, ipc));
      return this.#describe(name);
    });
  }

  tables(): Promise<TableInfo[]> {
    return this.#serial(async () => {
      const names = toRows(
        await this.#run(
          "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary ORDER BY table_name",
        ),
      ).map((r) => String(r.table_name));
      const infos: TableInfo[] = [];
      for (const name of names) infos.push(await this.#describe(name));
      return infos;
    });
  }

  describe(table: string): Promise<TableInfo> {
    return this.#serial(() => this.#describe(table));
  }

  dropTable(table: string): Promise<void> {
    return this.#serial(async () => {
      await this.#run(`DROP TABLE ${ident(table)}`);
    });
  }

  /**
   * Another notebook opens: a new, empty database, offline and locked as this one was. Nothing a
   * notebook made survives into the next — not its tables and views, nor what SQL could leave
   * behind (temporary views, macros, schemas, attached databases, files written by COPY).
   */
  clear(): Promise<void> {
    return this.#serial(async () => {
      await this.#backend.reset();
      for (const sql of OFFLINE) await this.#run(sql);
      if (this.#locked) await this.#lock(this.#locked);
    });
  }

  close(): Promise<void> {
    return this.#serial(() => this.#backend.close());
  }

  /**
   * Before the first load after a failed one: DuckDB reads a known two-row CSV. A database that
   * reads it wrong (after a failed 2.4 GB load, every later CSV loaded as one empty column) is
   * given up, so that the app starts another instead of making wrong tables.
   */
  async #checkHealth(): Promise<void> {
    // With external access off, no file can be read at all: there is nothing to check.
    if (this.#locked?.externalAccess === false) return;
    const name = `strata-check-${++this.#files}.csv`;
    let healthy: boolean;
    try {
      await this.#backend.registerBytes(name, new TextEncoder().encode("a,b\n1,x\n2,y\n"));
      const table = await this.#run(`SELECT * FROM read_csv(${literal(name)})`);
      healthy = table.numRows === 2 && table.numCols === 2;
    } catch (error) {
      if (error instanceof EngineLost) throw error;
      healthy = false;
    } finally {
      await this.#backend.dropFile(name).catch(() => undefined);
    }
    if (healthy) {
      this.#suspect = false;
      return;
    }
    const reason = "after a failed load it read a known file wrong";
    this.#backend.broken?.(reason);
    throw new EngineLost(reason);
  }

  /** One operation at a time: a load's transaction must not interleave with a query. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task, task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(sql: string, signal?: AbortSignal): Promise<Table> {
    let table: Table;
    try {
      table = await this.#backend.query(sql, signal);
      if (hasDictionary(table) && !signal?.aborted) table = await this.#whole(sql, table);
    } catch (error) {
      // A lost worker is not the query's fault: the app starts another.
      if (error instanceof QueryError || error instanceof EngineLost) throw error;
      throw signal?.aborted ? new QueryStopped(sql, error) : new QueryError(sql, error);
    }
    // Stopped just as it finished: whoever stopped it no longer wants its result.
    if (signal?.aborted) throw new QueryStopped(sql);
    return table;
  }

  /**
   * A result with ENUM columns came back polled, which loses their values (DuckDB-WASM issue
   * 1548). A query that only reads runs again in one call, which keeps them (and which a
   * signal cannot interrupt); one that may write must not run twice, so it fails with what to
   * do.
   */
  async #whole(sql: string, polled: Table): Promise<Table> {
    if (readsOnly(sql)) return this.#backend.queryWhole(sql);
    const columns = polled.schema.fields.filter((f) => DataType.isDictionary(f.type));
    throw new QueryError(
      sql,
      new Error(
        `cannot return ENUM column ${columns.map((f) => ident(f.name)).join(", ")} from a statement that also changes the database: cast it to VARCHAR, or select it in a query of its own`,
      ),
    );
  }

  async #describe(table: string): Promise<TableInfo> {
    const columns: ColumnInfo[] = toRows(
      await this.#run(
        `SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ${literal(table)} ORDER BY column_index`,
      ),
    ).map((r) => ({ name: String(r.column_name), type: String(r.data_type) }));
    if (columns.length === 0) throw new Error(`unknown table: ${table}`);
    const count = toRows(await this.#run(`SELECT count(*) AS n FROM ${ident(table)}`))[0]?.n;
    return { name: table, rowCount: Number(count), columns };
  }

  /**
   * Delimited text goes through csv.ts; its DuckDB errors get the file's name here. The signal
   * stops whichever of its queries runs; DuckDB's progress through the file is reported.
   */
  async #loadCsv(load: FileLoad<S>, options: RegisterOptions) {
    const { onProgress, signal, ...importOptions } = options;
    const host: CsvHost<S> = {
      ...this.#host,
      run: (sql) => this.#run(sql, signal),
      reading: (on) =>
        this.#backend.onProgress?.(
          on && onProgress
            ? (percent) =>
                onProgress({
                  loaded: Math.round((percent / 100) * load.size),
                  total: load.size,
                  unit: "bytes",
                })
            : undefined,
        ),
    };
    try {
      return await loadCsv(host, load, importOptions);
    } catch (error) {
      if (signal?.aborted) throw new QueryStopped(`loading ${load.fileName}`, error);
      throw asLoadError(load, error);
    } finally {
      this.#backend.onProgress?.(undefined);
    }
  }

  /** The CSV loader's and the type pass's view of the engine. */
  get #host(): CsvHost<S> {
    const run = (sql: string) => this.#run(sql);
    return { backend: this.#backend, run, settle: run };
  }

  /** Parquet goes through parquet.ts: decoded batch by batch in a worker, never whole. */
  #loadParquet(load: FileLoad<S>, options: RegisterOptions): Promise<LoadReport> {
    return loadParquet(this.#host, load, options);
  }

  async #loadJson(load: FileLoad<S>, options: ImportOptions): Promise<LoadReport> {
    if (load.format === "ndjson") {
      const read = (start: number, end: number) => this.#backend.read(load.source, start, end);
      const array = await ndjsonToArray(load.fileName, load.size, read);
      await this.#backend.registerBytes(load.virtualName, array);
    } else {
      await this.#backend.registerSource(load.virtualName, load.source);
    }
    const head = new TextDecoder().decode(load.head);
    try {
      return await this.#replaceFromStaging(
        load.table,
        () => this.#backend.insertJSON(STAGING, load.virtualName),
        keysInOrder(head),
        { fileName: load.fileName, options },
      );
    } catch (error) {
      // NDJSON lines were each checked already; a file too long for one JavaScript string
      // cannot be parsed again here, and DuckDB's word is all there is.
      if (error instanceof LoadError || load.format === "ndjson" || load.size > JSON_CHECK_BYTES)
        throw asLoadError(load, error);
      // DuckDB's JSON reader says little about where a file is broken; the JS parser says more.
      const text = new TextDecoder().decode(await this.#backend.read(load.source, 0, load.size));
      throw jsonProblem(load.fileName, text) ?? asLoadError(load, error);
    }
  }

  /**
   * Build the table in a staging table first, so that a failure leaves the old table alone.
   * `order` lists column names in the order the user expects them, where the loader lost it.
   * Loading a file (`load`), the user's column types and detected dates apply on the way
   * (retype.ts); a type that does not fit fails the load.
   */
  async #replaceFromStaging(
    table: string,
    insert: () => Promise<void>,
    order: string[] = [],
    load?: { fileName: string; options: ImportOptions },
  ): Promise<LoadReport> {
    await this.#run(`DROP TABLE IF EXISTS ${STAGING}`);
    try {
      await insert();
      const columns = toRows(
        await this.#run(
          `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = '${STAGING}' ORDER BY column_index`,
        ),
      ).map((r) => String(r.column_name));
      const rank = (name: string) => {
        const i = order.indexOf(name);
        return i === -1 ? order.length : i;
      };
      const ordered = [...columns]
        .sort((a, b) => rank(a) - rank(b))
        .map(ident)
        .join(", ");
      let changed = {
        replace: "",
        converted: [] as LoadReport["converted"],
        notes: [] as string[],
      };
      if (load) {
        try {
          changed = await retype(this.#host, STAGING, load.options);
        } catch (error) {
          throw new LoadError(load.fileName, firstLine(messageOf(error)), { cause: error });
        }
      }
      await this.#run(
        `CREATE OR REPLACE TABLE ${ident(table)} AS SELECT ${ordered} FROM (SELECT *${changed.replace} FROM ${STAGING})`,
      );
      return { used: {}, rejected: 0, converted: changed.converted, notes: changed.notes };
    } finally {
      await this.#run(`DROP TABLE IF EXISTS ${STAGING}`);
    }
  }
}

/** Give a foreign error the file's name, the line DuckDB reports, and one line of reason. */
function asLoadError<S>(load: FileLoad<S>, error: unknown): LoadError {
  if (error instanceof LoadError) return error;
  const message = messageOf(error);
  const line = /\bLine: (\d+)/.exec(message)?.[1];
  const reason = firstLine(message)
    .replace(/^[A-Za-z ]*Error: /, "")
    .replaceAll(load.virtualName, load.fileName)
    .replace(/\.$/, "");
  return new LoadError(load.fileName, reason, {
    line: line === undefined ? undefined : Number(line),
    cause: error,
  });
}
