// The export worker: results become CSV, TSV or Parquet files here, off the page's thread, so
// that a million rows do not freeze it (see exporter.ts).
import { parquetWasm } from "../engine/parquet-browser.ts";
import { runExportJob, type ExportAnswer, type ExportJob } from "./exportJob.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ExportJob>) => void) | null;
  postMessage(message: ExportAnswer): void;
};

scope.onmessage = ({ data: job }) => {
  runExportJob(job, parquetWasm).then(
    (blob) => scope.postMessage({ id: job.id, blob }),
    (error: unknown) =>
      scope.postMessage({
        id: job.id,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
};
