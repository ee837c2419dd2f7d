import { tableToIPC } from "apache-arrow";
import { exactQuery, ident, literal, type Engine, type WrittenFile } from "../engine/index.ts";
import { EXPORT_TYPES, type ExportAnswer, type ExportFormat, type ExportJob } from "./exportJob.ts";
import type { ExportSource } from "./frame/protocol.ts";

/**
 * Results leave the app as files, whole — never only the rows on screen — and off the page's
 * thread. A table in DuckDB (a named SQL cell's result) is read there: DuckDB writes CSV and TSV
 * itself, in its worker (`COPY … TO` into its memory, then the bytes come out), and for Parquet
 * it is read exactly (`exactQuery`: BIGINT and microseconds kept) and written by parquet-wasm in
 * the export worker — DuckDB-WASM cannot write Parquet offline. A value of the notebook frame (a
 * TS cell's table, an unnamed cell's result) comes as Arrow IPC bytes and is written in the
 * export worker too. The page only passes bytes along.
 */
export class Exporter {
  #start: () => Worker;
  #worker: Worker | undefined;
  #jobs = new Map<number, { resolve: (blob: Blob) => void; reject: (error: Error) => void }>();
  #ids = 0;

  /** `start` makes the export worker, the first time one is needed. */
  constructor(start: () => Worker) {
    this.#start = start;
  }

  /** The result as a file of this format. */
  async file(engine: Engine<unknown>, source: ExportSource, format: ExportFormat): Promise<Blob> {
    if ("ipc" in source) return this.#inWorker(source.ipc, [], format);
    if (format === "parquet") {
      const { sql, restore } = exactQuery(
        source.table,
        (await engine.describe(source.table)).columns,
      );
      return this.#inWorker(tableToIPC(await engine.query(sql), "stream"), restore, format);
    }
    return copied(engine, source.table, format);
  }

  /** The worker stops, and the jobs under way fail. */
  dispose(): void {
    this.#fail(new Error("the export was cancelled"));
  }

  #inWorker(ipc: Uint8Array, restore: ExportJob["restore"], format: ExportFormat): Promise<Blob> {
    return new Promise((resolve, reject) => {
      const id = ++this.#ids;
      this.#jobs.set(id, { resolve, reject });
      const job: ExportJob = { id, ipc, restore, format };
      this.#connect().postMessage(job, [ipc.buffer]);
    });
  }

  #connect(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#start();
    worker.addEventListener("message", ({ data }: MessageEvent<ExportAnswer>) => {
      const job = this.#jobs.get(data.id);
      this.#jobs.delete(data.id);
      if ("blob" in data) job?.resolve(data.blob);
      else job?.reject(new Error(data.error));
    });
    worker.addEventListener("error", (event) =>
      this.#fail(new Error(`the export worker failed${event.message ? `: ${event.message}` : ""}`)),
    );
    this.#worker = worker;
    return worker;
  }

  #fail(error: Error): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const job of this.#jobs.values()) job.reject(error);
    this.#jobs.clear();
  }
}

let copies = 0;

/** A table as CSV or TSV written by DuckDB itself, in its worker and its memory. */
async function copied(
  engine: Engine<unknown>,
  table: string,
  format: "csv" | "tsv",
): Promise<Blob> {
  const path = `strata-export-${++copies}.${format}`;
  const options = format === "tsv" ? "HEADER, DELIMITER '\t'" : "HEADER";
  let file: WrittenFile | undefined;
  await engine.query(`COPY (SELECT * FROM ${ident(table)}) TO ${literal(path)} (${options})`, {
    files: (written) => (file = written),
  });
  if (!file) throw new Error("DuckDB wrote no file");
  return new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: EXPORT_TYPES[format] });
}
