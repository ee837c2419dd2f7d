// A Parquet decoder in a worker of its own, one per load (parquet.ts's protocol): it reads the
// page's `File` by row group through parquet-wasm (its module compiled once by the page, and
// handed over) and hands back each batch as Arrow IPC bytes, transferred. The page's thread does none of the decoding, and ending the worker gives back
// all the memory the decoder took. The network lock comes first, as in DuckDB's worker.
import "./offline.ts";
import init, { ParquetFile, type RecordBatch } from "parquet-wasm/esm";
import type { ParquetReply, ParquetRequest } from "./parquet.ts";

let file: ParquetFile | undefined;
let batches: ReadableStreamDefaultReader<RecordBatch> | undefined;

/** Answer one request; any failure is the answer. */
async function answer(request: ParquetRequest<File>): Promise<void> {
  try {
    if (request.kind === "open") {
      await init({ module_or_path: request.wasm });
      file = await ParquetFile.fromFile(request.source);
      const metadata = file.metadata();
      const decodedBytes = metadata.rowGroups().reduce((sum, g) => sum + g.totalByteSize(), 0);
      const schema = file.schema().intoIPCStream();
      reply({ kind: "opened", rows: metadata.fileMetadata().numRows(), decodedBytes, schema }, [
        schema.buffer,
      ]);
      return;
    }
    if (!file) throw new Error("no Parquet file is open");
    batches ??= (await file.stream({ batchSize: request.batchRows })).getReader();
    const { done, value } = await batches.read();
    if (done) return reply({ kind: "end" });
    const rows = value.numRows;
    const ipc = value.intoIPCStream();
    reply({ kind: "batch", ipc, rows }, [ipc.buffer]);
  } catch (error) {
    reply({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
  }
}

function reply(message: ParquetReply, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

// Requests come one at a time: the engine waits for each answer before it asks again.
self.onmessage = (event: MessageEvent<ParquetRequest<File>>) => void answer(event.data);
