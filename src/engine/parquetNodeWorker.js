// The Node side of parquet.ts's decoder protocol, in a worker thread, one per load: it reads the
// file at a path by row group (fs.openAsBlob gives parquet-wasm a lazy handle) and hands back
// each batch as Arrow IPC bytes, transferred. A thread of its own because parquet-wasm's
// streaming reader panics on some damaged files, and a panic inside its async tasks is an
// uncaught error that would end the whole process; here it ends the thread, which the engine
// reports as a damaged file. Plain JavaScript: a worker thread does not get the TypeScript
// loader that runs the rest of the engine.
import { openAsBlob } from "node:fs";
import { parentPort } from "node:worker_threads";
// parquet-wasm's ES module build: the engine compiles its wasm once and hands it over, so a new
// thread only instantiates it (the Node build compiles its wasm on every import).
import { initSync, ParquetFile } from "parquet-wasm/esm";

/** @type {ParquetFile | undefined} */
let file;
/** @type {ReadableStreamDefaultReader | undefined} */
let batches;

/** Answer one request ({ kind: "open", source: path, wasm } or { kind: "next", batchRows }). */
async function answer(request) {
  try {
    if (request.kind === "open") {
      initSync({ module: request.wasm });
      file = await ParquetFile.fromFile(await openAsBlob(request.source));
      const metadata = file.metadata();
      const decodedBytes = metadata.rowGroups().reduce((sum, g) => sum + g.totalByteSize(), 0);
      const schema = file.schema().intoIPCStream();
      const rows = metadata.fileMetadata().numRows();
      parentPort.postMessage({ kind: "opened", rows, decodedBytes, schema }, [schema.buffer]);
      return;
    }
    if (!file) throw new Error("no Parquet file is open");
    batches ??= (await file.stream({ batchSize: request.batchRows })).getReader();
    const { done, value } = await batches.read();
    if (done) return parentPort.postMessage({ kind: "end" });
    const rows = value.numRows;
    const ipc = value.intoIPCStream();
    parentPort.postMessage({ kind: "batch", ipc, rows }, [ipc.buffer]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    parentPort.postMessage({ kind: "failed", message });
  }
}

// Requests come one at a time: the engine waits for each answer before it asks again.
parentPort.on("message", (request) => void answer(request));
