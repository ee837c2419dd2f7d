import { open, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname } from "node:path";
import { Worker } from "node:worker_threads";
import type * as Blocking from "@duckdb/duckdb-wasm/blocking";
import { tableFromIPC } from "apache-arrow";
import type { Backend } from "./backend.ts";
import { QUERY_CONFIG } from "./convert.ts";
import { DuckEngine } from "./duck.ts";
import { readInWorker, type DecoderWorker } from "./parquet.ts";
import { queryPending } from "./pending.ts";

const require = createRequire(import.meta.url);

/** The load that hears DuckDB's progress in this process, if any. */
let progress: ((percent: number) => void) | undefined;

export interface NodeEngineOptions {
  /** lock the configuration at once (the default); false leaves `lockDown` to a caller that loads files first */
  lock?: boolean;
}

/** The Node engine: DuckDB-WASM's blocking Node bindings, for tests and the command-line runner. Files are paths. */
export async function createNodeEngine(
  options: NodeEngineOptions = {},
): Promise<DuckEngine<string>> {
  const duckdb = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs") as typeof Blocking;
  // The bindings take the runtime's functions when they start: DuckDB's progress bar must be
  // routed before. The runtime is one per process, so the load listening last hears it.
  duckdb.NODE_RUNTIME.progressUpdate = (_done: number, percentage: number) =>
    progress?.(percentage);
  const dist = dirname(require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs"));
  const bundles = {
    mvp: { mainModule: `${dist}/duckdb-mvp.wasm`, mainWorker: "" },
    eh: { mainModule: `${dist}/duckdb-eh.wasm`, mainWorker: "" },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate();
  db.open({ query: QUERY_CONFIG });
  let conn = db.connect();
  // Results are read by our own Arrow: the bindings' CommonJS copy of Arrow has other classes,
  // so `instanceof` would fail on its tables; they cross as IPC bytes.
  const cjsArrow = require("apache-arrow") as typeof import("apache-arrow");
  const backend: Backend<string> = {
    onProgress: (listener) => (progress = listener),
    query: (sql, signal) =>
      // The bindings block; a timer or an abort gets its turn between polls.
      queryPending(conn, sql, signal, () => new Promise((resolve) => setImmediate(resolve))),
    queryWhole: async (sql) => tableFromIPC(cjsArrow.tableToIPC(conn.query(sql), "stream")),
    nameOf: (path) => basename(path),
    sizeOf: async (path) => (await stat(path)).size,
    read: readRange,
    registerSource: async (name, path) =>
      db.registerFileURL(name, path, duckdb.DuckDBDataProtocol.NODE_FS, false),
    registerBytes: async (name, bytes) => db.registerFileBuffer(name, bytes),
    dropFile: async (name) => db.dropFile(name),
    insertArrowIPC: async (table, ipc, append = false) =>
      conn.insertArrowFromIPCStream(ipc, { name: table, create: !append }),
    insertJSON: async (table, name) => conn.insertJSONFromPath(name, { name: table, create: true }),
    openParquet: async (path, signal) =>
      readInWorker(decoderThread(), path, await parquetWasm(), signal),
    reset: async () => {
      conn.close();
      db.dropFiles();
      db.open({ query: QUERY_CONFIG });
      conn = db.connect();
    },
    close: async () => {
      conn.close();
      db.reset();
    },
  };
  const engine = new DuckEngine(backend);
  await engine.goOffline();
  if (options.lock !== false) await engine.lockDown();
  return engine;
}

let compiledParquet: Promise<WebAssembly.Module> | undefined;

/** parquet-wasm's wasm, compiled once in this process for every decoder thread. */
function parquetWasm(): Promise<WebAssembly.Module> {
  compiledParquet ??= readFile(require.resolve("parquet-wasm/esm/parquet_wasm_bg.wasm")).then(
    (bytes) => WebAssembly.compile(bytes),
  );
  return compiledParquet;
}

/** A worker thread that decodes one Parquet file (parquetNodeWorker.js). */
function decoderThread(): DecoderWorker<string> {
  // The URL is made apart from `new Worker`: bundlers must not take this for a browser worker.
  const script = new URL("./parquetNodeWorker.js", import.meta.url);
  // Plain JavaScript: none of the loaders the process was started with (tsx's) is needed there.
  const thread = new Worker(script, { execArgv: [] });
  let ended = false;
  return {
    post: (request) => thread.postMessage(request),
    listen: (onReply, onCrash) => {
      thread.on("message", onReply);
      // "RuntimeError: unreachable" is a wasm trap: the decoder panicked.
      thread.on("error", (error) => onCrash(`${error.name}: ${error.message}`));
      thread.on("exit", (code) => {
        if (!ended) onCrash(`the Parquet decoder stopped (exit code ${code})`);
      });
    },
    terminate: () => {
      ended = true;
      void thread.terminate();
    },
  };
}

/** Bytes [start, end) of a file (fewer where it ends first). */
export async function readRange(path: string, start: number, end: number): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    const bytes = new Uint8Array(Math.max(0, end - start));
    const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
    return bytes.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
