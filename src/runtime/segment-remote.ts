import { elbow, type ElbowOptions, type ElbowResult } from "../segment/elbow.ts";
import {
  columnsTable,
  kmeans,
  numericColumns,
  type KMeansOptions,
  type KMeansProgress,
  type KMeansResult,
  type NumericColumns,
  type SilhouetteResult,
  type TableInput,
} from "../segment/index.ts";
import {
  computeSilhouette,
  describeSilhouette,
  prepareSilhouette,
  type PreparedSilhouette,
  type SilhouetteLabels,
  type SilhouetteOptions,
} from "../segment/silhouette.ts";
import { assertNever } from "./state.ts";

/**
 * A segmentation call for the worker, in plain data and typed arrays. kmeans and elbow go with
 * the columns they read (reading and scaling a million rows is itself too long for the page);
 * silhouette goes prepared, with its sample drawn.
 */
export type SegmentJob =
  | {
      kind: "kmeans";
      input: NumericColumns;
      options: Omit<KMeansOptions, "onIteration">;
      /** whether the page listens to each iteration (each then costs a pass for its inertia) */
      listen: boolean;
    }
  | { kind: "elbow"; input: NumericColumns; options: Omit<ElbowOptions, "onK"> }
  | { kind: "silhouette"; prepared: PreparedSilhouette };

/** What a running job reports: each Lloyd iteration of kmeans, each k of elbow. */
export type SegmentProgress =
  | { kind: "kmeans"; progress: KMeansProgress }
  | { kind: "elbow"; k: number; done: number; total: number };

/** What a finished job answers: the results of kmeans and elbow; silhouette's, to describe. */
export type SegmentOutcome =
  | { kind: "kmeans"; result: KMeansResult }
  | { kind: "elbow"; result: ElbowResult }
  | { kind: "silhouette"; raw: SilhouetteResult };

/** What the page asks the segmentation worker. */
export type SegmentRequest = { type: "run"; id: number; job: SegmentJob };

/** What the segmentation worker answers: progress, then the outcome or the error's message. */
export type SegmentResponse =
  | { type: "progress"; id: number; progress: SegmentProgress }
  | { type: "done"; id: number; outcome: SegmentOutcome }
  | { type: "failed"; id: number; message: string };

/** The worker's side: run one request's job, reporting its progress. */
export function handleSegmentRequest(
  request: SegmentRequest,
  post: (response: SegmentResponse) => void,
): void {
  switch (request.type) {
    case "run": {
      const { id } = request;
      try {
        const outcome = compute(request.job, (progress) =>
          post({ type: "progress", id, progress }),
        );
        post({ type: "done", id, outcome });
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
      return assertNever(request.type);
  }
}

function compute(job: SegmentJob, report: (progress: SegmentProgress) => void): SegmentOutcome {
  switch (job.kind) {
    case "kmeans":
      return {
        kind: "kmeans",
        result: kmeans(columnsTable(job.input), {
          ...job.options,
          onIteration: job.listen ? (progress) => report({ kind: "kmeans", progress }) : undefined,
        }),
      };
    case "elbow":
      return {
        kind: "elbow",
        result: elbow(columnsTable(job.input), {
          ...job.options,
          onK: (k, done, total) => report({ kind: "elbow", k, done, total }),
        }),
      };
    case "silhouette":
      return { kind: "silhouette", raw: computeSilhouette(job.prepared) };
    default:
      return assertNever(job);
  }
}

/** The big buffers of an outcome, to transfer back to the page rather than copy. */
export function transferables(outcome: SegmentOutcome): ArrayBuffer[] {
  if (outcome.kind !== "kmeans") return [];
  const { labels, points, scaledPoints } = outcome.result;
  const arrays = [labels, points.values, points.rows, scaledPoints.values, scaledPoints.rows];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/** The part of a Worker the client uses (a real Web Worker, or a stand-in in tests). */
export interface WorkerLike {
  postMessage(message: SegmentRequest): void;
  addEventListener(type: "message", listener: (event: { data: SegmentResponse }) => void): void;
  /** the worker could not load or crashed (a script error carries a message; a failed load does not) */
  addEventListener(type: "error", listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

/**
 * `kmeans`, `elbow` and `silhouette` for the page, their heavy stage in a worker. Each takes a
 * signal that stops it: the call rejects at once with the signal's reason.
 */
export interface RemoteSegmentation {
  kmeans(table: TableInput, options: KMeansOptions, signal?: AbortSignal): Promise<KMeansResult>;
  elbow(table: TableInput, options: ElbowOptions, signal?: AbortSignal): Promise<ElbowResult>;
  silhouette(
    table: TableInput,
    labels: SilhouetteLabels,
    options?: SilhouetteOptions,
    signal?: AbortSignal,
  ): Promise<SilhouetteResult>;
}

interface Pending {
  /** the job, kept to post it again to a new worker when another call's stop takes the old one */
  job: SegmentJob;
  report: (progress: SegmentProgress) => void;
  resolve: (outcome: SegmentOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * The segmentation calls for the page. Here only the columns are read (kmeans, elbow) or the
 * sample drawn (silhouette); the rest runs in one worker, shared by all calls and started with
 * the first, so the page stays responsive. The results and error messages are those of the
 * synchronous functions, and `onIteration` / `onK` hear every step. A stopped call takes the
 * worker down with it — a computation in a worker cannot be interrupted otherwise — and the
 * calls still waiting start again on a new one.
 */
export function remoteSegmentation(start: () => WorkerLike): RemoteSegmentation {
  let ids = 0;
  let broken: Error | undefined;
  let worker: WorkerLike | undefined;
  const pending = new Map<number, Pending>();

  const connect = (): WorkerLike => {
    const made = start();
    made.addEventListener("message", ({ data }) => {
      const call = made === worker ? pending.get(data.id) : undefined;
      if (!call) return;
      switch (data.type) {
        case "progress":
          // A callback that throws ends its call with that error, as it would synchronously.
          try {
            call.report(data.progress);
          } catch (error) {
            pending.delete(data.id);
            call.reject(error);
          }
          return;
        case "done":
          pending.delete(data.id);
          call.resolve(data.outcome);
          return;
        case "failed":
          pending.delete(data.id);
          call.reject(new Error(data.message));
          return;
        default:
          assertNever(data);
      }
    });
    made.addEventListener("error", (event) => {
      if (made !== worker) return;
      broken = new Error(
        `the segmentation worker failed${event.message ? `: ${event.message}` : " to start"}`,
      );
      for (const call of pending.values()) call.reject(broken);
      pending.clear();
    });
    return made;
  };

  const stop = (id: number, reason: unknown) => {
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    call.reject(reason);
    worker?.terminate();
    worker = undefined;
    if (pending.size === 0) return;
    worker = connect();
    for (const [other, { job }] of pending) worker.postMessage({ type: "run", id: other, job });
  };

  const run = (job: SegmentJob, report: Pending["report"], signal: AbortSignal | undefined) =>
    new Promise<SegmentOutcome>((resolve, reject) => {
      if (broken) return reject(broken);
      if (signal?.aborted) return reject(signal.reason);
      const id = ++ids;
      const onAbort = () => stop(id, signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle =
        <T>(then: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener("abort", onAbort);
          then(value);
        };
      pending.set(id, { job, report, resolve: settle(resolve), reject: settle(reject) });
      worker ??= connect();
      worker.postMessage({ type: "run", id, job });
    });

  return {
    kmeans: async (table, options, signal) => {
      // Only the columns are read here; checking, scaling and clustering happen in the worker.
      if (options === null || typeof options !== "object")
        throw new Error("invalid options: expected { k, columns }");
      const { onIteration, ...plain } = options;
      const input = numericColumns(table, plain.columns);
      const job: SegmentJob = {
        kind: "kmeans",
        input,
        options: plain,
        listen: onIteration !== undefined,
      };
      const outcome = await run(
        job,
        (progress) => {
          if (progress.kind === "kmeans") onIteration?.(progress.progress);
        },
        signal,
      );
      if (outcome.kind !== "kmeans") throw mismatch("kmeans", outcome);
      return outcome.result;
    },
    elbow: async (table, options, signal) => {
      const { onK, ...plain } = options;
      const input = numericColumns(table, plain.columns);
      const outcome = await run(
        { kind: "elbow", input, options: plain },
        (progress) => {
          if (progress.kind === "elbow") onK?.(progress.k, progress.done, progress.total);
        },
        signal,
      );
      if (outcome.kind !== "elbow") throw mismatch("elbow", outcome);
      return outcome.result;
    },
    silhouette: async (table, labels, options, signal) => {
      const prepared = prepareSilhouette(table, labels, options);
      const outcome = await run({ kind: "silhouette", prepared }, () => {}, signal);
      if (outcome.kind !== "silhouette") throw mismatch("silhouette", outcome);
      return describeSilhouette(prepared, outcome.raw);
    },
  };
}

function mismatch(asked: SegmentJob["kind"], outcome: SegmentOutcome): Error {
  return new Error(
    `the segmentation worker answered a ${asked} job with a ${outcome.kind} outcome`,
  );
}
