import { tableFromIPC } from "apache-arrow";
import { restoreExact, type ExactQuery } from "../engine/index.ts";
import { delimitedChunks } from "../output/delimited.ts";
import { parquetBytes, type ParquetWasm } from "../output/parquet.ts";

/** The formats a result is saved in. */
export type ExportFormat = "csv" | "tsv" | "parquet";

/** What the export worker is asked: a table as Arrow IPC, the columns to restore, a format. */
export interface ExportJob {
  id: number;
  ipc: Uint8Array;
  restore: ExactQuery["restore"];
  format: ExportFormat;
}

/** What it answers: the file, or why there is none. */
export type ExportAnswer = { id: number; blob: Blob } | { id: number; error: string };

/** The MIME type a saved file of each format is given. */
export const EXPORT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  parquet: "application/vnd.apache.parquet",
};

/** One job's file: the table restored to its exact types, then written (in the worker). */
export async function runExportJob(
  job: ExportJob,
  parquet: () => Promise<ParquetWasm>,
): Promise<Blob> {
  const table = restoreExact(tableFromIPC(job.ipc), job.restore);
  const type = EXPORT_TYPES[job.format];
  if (job.format === "parquet") return new Blob([parquetBytes(table, await parquet())], { type });
  return new Blob([...delimitedChunks(table, job.format === "tsv" ? "\t" : ",")], { type });
}
