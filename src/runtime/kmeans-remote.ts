import {
  describeKMeans,
  prepareKMeans,
  runRestarts,
  type KMeansOptions,
  type KMeansProgress,
  type KMeansResult,
  type PreparedKMeans,
  type RawKMeans,
  type TableInput,
} from "../segment/index.ts";

/** What the page asks the k-means worker. */
export type KMeansRequest = { type: "run"; id: number; prepared: PreparedKMeans };

/** What the k-means worker answers: progress per iteration, then the result or the error. */
export type KMeansResponse =
  | { type: "progress"; id: number; progress: KMeansProgress }
  | { type: "done"; id: number; raw: RawKMeans }
  | { type: "failed"; id: number; message: string };

/** The worker's side: run the restarts of one request, reporting each iteration. */
export function handleKMeansRequest(
  request: KMeansRequest,
  post: (response: KMeansResponse) => void,
): void {
  switch (request.type) {
    case "run": {
      const { id } = request;
      try {
        const raw = runRestarts(request.prepared, (progress) =>
          post({ type: "progress", id, progress }),
        );
        post({ type: "done", id, raw });
      } catch (error) {
        post({
          type: "failed",
          id,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      return;
    }
    default:
      throw new Error(`unknown k-means request: ${JSON.stringify(request)}`);
  }
}

/** The part of a Worker the client uses (a real Web Worker, or a stand-in in tests). */
export interface WorkerLike {
  postMessage(message: KMeansRequest): void;
  addEventListener(type: "message", listener: (event: { data: KMeansResponse }) => void): void;
}

/**
 * `kmeans` for the page: the table is read and scaled here (typed arrays, fast), the restarts
 * run in a worker so the page stays responsive, `onIteration` hears every iteration, and the
 * result is described here — the same result the synchronous `kmeans` returns.
 */
export function remoteKMeans(
  worker: WorkerLike,
): (table: TableInput, options: KMeansOptions) => Promise<KMeansResult> {
  let ids = 0;
  const pending = new Map<
    number,
    {
      prepared: PreparedKMeans;
      options: KMeansOptions;
      resolve: (r: KMeansResult) => void;
      reject: (e: Error) => void;
    }
  >();
  worker.addEventListener("message", ({ data }) => {
    const job = pending.get(data.id);
    if (!job) return;
    switch (data.type) {
      case "progress":
        job.options.onIteration?.(data.progress);
        return;
      case "done":
        pending.delete(data.id);
        job.resolve(describeKMeans(job.prepared, data.raw));
        return;
      case "failed":
        pending.delete(data.id);
        job.reject(new Error(data.message));
        return;
      default:
        throw new Error(`unknown k-means response: ${JSON.stringify(data satisfies never)}`);
    }
  });
  return (table, options) =>
    new Promise((resolve, reject) => {
      const prepared = prepareKMeans(table, options);
      const id = ++ids;
      pending.set(id, { prepared, options, resolve, reject });
      worker.postMessage({ type: "run", id, prepared });
    });
}
