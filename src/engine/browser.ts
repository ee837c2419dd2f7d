import * as duckdb from "@duckdb/duckdb-wasm";
import ehWasm from "@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url";
import type { Backend } from "./backend.ts";
import { QUERY_CONFIG } from "./convert.ts";
import { DuckEngine } from "./duck.ts";
import { readInWorker, type DecoderWorker, type ParquetReply } from "./parquet.ts";
import { queryPending } from "./pending.ts";
import type { EngineLost } from "./errors.ts";
import type { Engine } from "./types.ts";
import { watched, Watchdog } from "./watchdog.ts";

export interface BrowserEngineOptions {
  /** DuckDB's worker died or stopped answering; the engine is unusable from now on */
  onLost?: (error: EngineLost) => void;
}

/**
 * The browser engine: DuckDB-WASM's `eh` bundle (faster than `mvp`; the threaded `coi` one
 * needs cross-origin isolation and breaks file-handle reads) in its own Web Worker, with the
 * wasm and worker served from the app's own origin, and the worker kept offline (offline.ts).
 * Files are `File` handles, read in place.
 */
export async function createBrowserEngine(
  options: BrowserEngineOptions = {},
): Promise<Engine<File>> {
  const features = await duckdb.getPlatformFeatures();
  if (!features.wasmExceptions) {
    throw new Error(
      "this browser lacks WebAssembly exception handling, which DuckDB needs; use a current Chrome, Firefox or Safari",
    );
  }
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
    name: "duckdb",
  });
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(ehWasm);
  await db.open({ query: QUERY_CONFIG });
  let conn = await db.connect();

  // A worker that dies or hangs is given up for good: its calls fail, and the app starts another.
  const dog = new Watchdog({
    ping: () => db.ping(),
    onLost: (error) => {
      worker.terminate();
      options.onLost?.(error);
    },
  });
  worker.addEventListener("error", (event) =>
    dog.lose(`its worker failed${event.message ? `: ${event.message}` : ""}`),
  );

  // DuckDB's worker posts its progress bar's updates to the page; one load listens at a time.
  let progress: ((percent: number) => void) | undefined;
  worker.addEventListener("message", (event: MessageEvent) => {
    const data = event.data as { type?: string; data?: { status?: string; percentage?: number } };
    if (data?.type === "PROGRESS_UPDATE" && typeof data.data?.percentage === "number")
      progress?.(data.data.percentage);
  });

  const backend: Backend<File> = {
    onProgress: (listener) => (progress = listener),
    query: (sql, signal) =>
      // Each poll is a message to the worker: the page has its turns already.
      queryPending(conn, sql, signal, async () => {}),
    queryWhole: (sql) => conn.query(sql),
    nameOf: (file) => file.name,
    sizeOf: async (file) => file.size,
    read: async (file, start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()),
    registerSource: (name, file) =>
      db.registerFileHandle(name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true),
    registerBytes: (name, bytes) => db.registerFileBuffer(name, bytes),
    dropFile: async (name) => {
      await db.dropFile(name);
    },
    // SQL's COPY … TO writes into DuckDB-WASM's memory: the bytes come out, and the file goes.
    takeFile: async (path) => {
      const found = await db.globFiles(path);
      if (!found.some((f) => f.fileName === path)) return undefined;
      const bytes = await db.copyFileToBuffer(path);
      await db.dropFile(path);
      return bytes;
    },
    insertArrowIPC: (table, ipc, append = false) =>
      conn.insertArrowFromIPCStream(ipc, { name: table, create: !append }),
    insertJSON: (table, name) => conn.insertJSONFromPath(name, { name: table, create: true }),
    openParquet: async (file, signal) =>
      readInWorker(decoderWorker(), file, await compiledParquet(), signal),
    reset: async () => {
      await conn.close();
      await db.dropFiles();
      // Opening again replaces the database with a new one; the worker and its wasm stay.
      await db.open({ query: QUERY_CONFIG });
      conn = await db.connect();
    },
    close: async () => {
      dog.dispose();
      if (dog.lost) return;
      await conn.close();
      await db.terminate();
    },
    broken: (reason) => dog.lose(reason),
  };
  const engine = new DuckEngine(watched(backend, dog));
  await engine.goOffline();
  await engine.lockDown();
  return engine;
}

let parquetCompiled: Promise<WebAssembly.Module> | undefined;

/**
 * parquet-wasm's 5 MB of wasm, fetched from our origin the first time a Parquet file arrives and
 * compiled once for every decoder worker (compiling streams off the page's thread).
 */
function compiledParquet(): Promise<WebAssembly.Module> {
  parquetCompiled ??= (async () => {
    const { default: url } = await import("parquet-wasm/esm/parquet_wasm_bg.wasm?url");
    try {
      return await WebAssembly.compileStreaming(fetch(url));
    } catch {
      // A host that does not send wasm as application/wasm: compile from the bytes instead.
      return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
    }
  })();
  // A failed fetch is tried again with the next file.
  parquetCompiled.catch(() => (parquetCompiled = undefined));
  return parquetCompiled;
}

/** A worker that decodes one Parquet file (parquetWorker.ts), off the page's thread. */
function decoderWorker(): DecoderWorker<File> {
  const worker = new Worker(new URL("./parquetWorker.ts", import.meta.url), {
    type: "module",
    name: "parquet",
  });
  return {
    post: (request) => worker.postMessage(request),
    listen: (onReply, onCrash) => {
      worker.addEventListener("message", (event: MessageEvent<ParquetReply>) =>
        onReply(event.data),
      );
      worker.addEventListener("error", (event) => {
        // A panic in the decoder: reported as the load's failure, not as the page's.
        event.preventDefault();
        onCrash(event.message || "the Parquet decoder failed");
      });
    },
    terminate: () => worker.terminate(),
  };
}
