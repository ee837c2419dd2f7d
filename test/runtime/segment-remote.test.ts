import { describe, expect, it } from "vitest";
import {
  handleSegmentRequest,
  transferables,
  remoteSegmentation,
  type SegmentJob,
  type SegmentRequest,
  type SegmentResponse,
  type WorkerLike,
} from "../../src/runtime/segment-remote.ts";
import { elbow, kmeans, silhouette, type KMeansProgress } from "../../src/segment/index.ts";
import { iris, IRIS_COLUMNS, penguins, PENGUIN_COLUMNS } from "../segment/data.ts";

/** The events a worker fires at the page, as the client reads them. */
interface WorkerEvents {
  message: { data: SegmentResponse };
  error: { message?: string };
}

/**
 * A stand-in for a Web Worker: messages are structured-cloned both ways and delivered
 * asynchronously, as a real worker's are. It records the kind of each job it was given, and
 * `crash()` fires its error event as a worker that failed would.
 */
function fakeWorker(): WorkerLike & {
  jobs: SegmentJob["kind"][];
  posted: SegmentRequest[];
  terminated: boolean;
  crash(message?: string): void;
} {
  const listeners: { [K in keyof WorkerEvents]: ((event: WorkerEvents[K]) => void)[] } = {
    message: [],
    error: [],
  };
  const worker = {
    jobs: [] as SegmentJob["kind"][],
    posted: [] as SegmentRequest[],
    terminated: false,
    postMessage(message: SegmentRequest) {
      worker.jobs.push(message.job.kind);
      const request = structuredClone(message);
      worker.posted.push(request);
      setTimeout(() => {
        if (worker.terminated) return;
        handleSegmentRequest(request, (response) => {
          const copy = structuredClone(response);
          setTimeout(() => {
            if (!worker.terminated) listeners.message.forEach((l) => l({ data: copy }));
          });
        });
      });
    },
    terminate() {
      worker.terminated = true;
    },
    addEventListener<K extends keyof WorkerEvents>(
      type: K,
      listener: (event: WorkerEvents[K]) => void,
    ) {
      listeners[type].push(listener);
    },
    crash(message?: string) {
      listeners.error.forEach((l) => l(message === undefined ? {} : { message }));
    },
  };
  return worker;
}

/** The message a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected the promise to reject");
}

/** The message a synchronous call throws. */
function thrown(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected the call to throw");
}

describe("remoteSegmentation(() => worker).kmeans", () => {
  it("runs the restarts in the worker, reports every iteration, and returns what kmeans() returns", async () => {
    const worker = fakeWorker();
    const { kmeans: remote } = remoteSegmentation(() => worker);
    const progress: KMeansProgress[] = [];
    const options = { k: 3, columns: PENGUIN_COLUMNS, seed: 4, nInit: 5, standardize: true };
    const result = await remote(penguins(), { ...options, onIteration: (p) => progress.push(p) });
    const local = kmeans(penguins(), options);
    expect(worker.jobs).toEqual(["kmeans"]);
    expect(Array.from(result.labels)).toEqual(Array.from(local.labels));
    expect(result.inertia).toBe(local.inertia);
    expect(result.centroids).toEqual(local.centroids);
    expect(new Set(progress.map((p) => p.run))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(progress.every((p) => Number.isFinite(p.inertia) && p.iteration >= 1)).toBe(true);
  });

  it("bad options fail with the same message as kmeans(); an unknown column fails on the page", async () => {
    const worker = fakeWorker();
    const { kmeans: remote } = remoteSegmentation(() => worker);
    for (const bad of [
      { k: 1, columns: PENGUIN_COLUMNS },
      { k: 3, columns: PENGUIN_COLUMNS, seed: 0.5 },
      { k: 3, columns: PENGUIN_COLUMNS, standardize: "rank" as "zscore" },
      { k: 400, columns: PENGUIN_COLUMNS },
    ]) {
      const message = thrown(() => kmeans(penguins(), bad));
      expect(await rejection(remote(penguins(), bad))).toBe(message);
    }
    const jobs = worker.jobs.length;
    const unknown = { k: 3, columns: ["Beak Length"] };
    expect(await rejection(remote(penguins(), unknown))).toBe(
      thrown(() => kmeans(penguins(), unknown)),
    );
    expect(worker.jobs).toHaveLength(jobs);
  });

  it("only the columns it reads go to the worker, and the result's big arrays come back transferred", async () => {
    const worker = fakeWorker();
    const result = await remoteSegmentation(() => worker).kmeans(penguins(), {
      k: 3,
      columns: PENGUIN_COLUMNS,
      standardize: true,
    });
    const [request] = worker.posted;
    expect(request!.job.kind === "kmeans" && request!.job.input.names).toEqual(PENGUIN_COLUMNS);
    expect(request!.job.kind === "kmeans" && request!.job.input.values[0]!.length).toBe(
      penguins().length,
    );
    const moved = transferables({ kind: "kmeans", result });
    // labels, the two matrices, and the row numbers they share: four buffers, none twice
    expect(moved).toHaveLength(4);
    expect(moved).toContain(result.labels.buffer);
    expect(moved).toContain(result.points.rows.buffer);
  });
});

describe("remoteSegmentation(() => worker).elbow", () => {
  const options = {
    columns: PENGUIN_COLUMNS,
    k: [1, 6] as [number, number],
    seed: 3,
    nInit: 4,
    standardize: true,
    log1p: ["Body Mass (g)"],
    metrics: ["silhouette" as const, "ch" as const, "db" as const],
    // fewer than the 342 complete rows, so silhouette samples, as the default notebook's does
    sample: 120,
  };

  it("runs the sweep in the worker and returns exactly what elbow() returns", async () => {
    const worker = fakeWorker();
    const remote = await remoteSegmentation(() => worker).elbow(penguins(), options);
    const local = elbow(penguins(), options);
    expect(worker.jobs).toEqual(["elbow"]);
    expect(remote).toEqual(local);
    expect(remote.silhouette!.slice(1).every(Number.isFinite)).toBe(true);
    expect(remote.suggested).toBe(local.suggested);
  });

  it("onK hears each k across the worker boundary, as elbow() calls it, before the result", async () => {
    const heard: unknown[] = [];
    const promise = remoteSegmentation(() => fakeWorker()).elbow(penguins(), {
      ...options,
      onK: (k, done, total) => heard.push([k, done, total]),
    });
    expect(heard).toEqual([]);
    await promise.then(() => heard.push("done"));
    const local: unknown[] = [];
    elbow(penguins(), { ...options, onK: (k, done, total) => local.push([k, done, total]) });
    expect(local).toHaveLength(6);
    expect(heard).toEqual([...local, "done"]);
  });

  it("bad options fail with the same message as elbow()", async () => {
    const worker = fakeWorker();
    const { elbow: remote } = remoteSegmentation(() => worker);
    for (const bad of [
      { ...options, k: [3, 3] as [number, number] },
      { ...options, k: [1, 400] as [number, number] },
      { ...options, metrics: ["gap" as "ch"] },
      { ...options, nInit: 0 },
      { ...options, seed: 1.5 },
      { ...options, sample: 1 },
      { ...options, columns: ["Beak Length"] },
    ]) {
      const message = thrown(() => elbow(penguins(), bad));
      expect(await rejection(remote(penguins(), bad))).toBe(message);
    }
  });

  it("an onK that throws ends the call with its error, as it does elbow()", async () => {
    const onK = (k: number) => {
      if (k === 3) throw new Error("stop at 3");
    };
    expect(thrown(() => elbow(penguins(), { ...options, onK }))).toBe("stop at 3");
    expect(
      await rejection(
        remoteSegmentation(() => fakeWorker()).elbow(penguins(), { ...options, onK }),
      ),
    ).toBe("stop at 3");
  });
});

describe("remoteSegmentation(() => worker).silhouette", () => {
  it("scores a kmeans result in the worker, sampled, exactly as silhouette() does", async () => {
    const rows = iris();
    const clusters = kmeans(rows, { k: 3, columns: IRIS_COLUMNS, seed: 1, standardize: true });
    const worker = fakeWorker();
    const options = { sample: 60, seed: 5 };
    const remote = await remoteSegmentation(() => worker).silhouette(rows, clusters, options);
    const local = silhouette(rows, clusters, options);
    expect(worker.jobs).toEqual(["silhouette"]);
    expect(remote).toEqual(local);
    expect(remote.sampled).toEqual({ size: 60, of: 150, seed: 5 });
  });

  it("scores labels per row (-1 left out) on named columns, exactly as silhouette() does, input rows reported", async () => {
    const rows = penguins();
    const clusters = kmeans(rows, { k: 4, columns: PENGUIN_COLUMNS, seed: 2, standardize: true });
    const labels = Array.from(clusters.labels, (l, i) => (i % 7 === 0 ? -1 : l));
    const options = { columns: PENGUIN_COLUMNS };
    const remote = await remoteSegmentation(() => fakeWorker()).silhouette(rows, labels, options);
    const local = silhouette(rows, labels, options);
    expect(remote).toEqual(local);
    expect(remote.sampled).toBeNull();
    expect(remote.values.some((v) => labels[v.row] === -1)).toBe(false);
    expect(remote.values.every((v) => labels[v.row] === v.cluster)).toBe(true);
  });

  it("the sample is drawn on the page: a bad seed fails there, and only the sampled rows reach the worker", async () => {
    const rows = iris();
    const clusters = kmeans(rows, { k: 3, columns: IRIS_COLUMNS, seed: 1 });
    const options = { sample: 60, seed: 0.5 };
    const message = thrown(() => silhouette(rows, clusters, options));
    expect(message).toBe("invalid seed: 0.5 (expected an integer)");
    const worker = fakeWorker();
    expect(
      await rejection(remoteSegmentation(() => worker).silhouette(rows, clusters, options)),
    ).toBe(message);
    expect(worker.jobs).toEqual([]);
    const remote = await remoteSegmentation(() => worker).silhouette(rows, clusters, {
      sample: 60,
    });
    expect(remote).toEqual(silhouette(rows, clusters, { sample: 60 }));
    expect(remote.sampled).toEqual({ size: 60, of: 150, seed: 0 });
    expect(
      worker.posted.map(({ job }) => job.kind === "silhouette" && job.prepared.matrix.n),
    ).toEqual([60]);
  });

  it("bad labels fail on the page, with the same message as silhouette()", async () => {
    const worker = fakeWorker();
    const { silhouette: remote } = remoteSegmentation(() => worker);
    const rows = penguins();
    for (const [labels, options] of [
      [[0, 1], { columns: PENGUIN_COLUMNS }],
      [rows.map(() => 0), { columns: PENGUIN_COLUMNS }],
      [rows.map((_, i) => i % 2), {}],
      [rows.map((_, i) => i % 2), { columns: PENGUIN_COLUMNS, sample: 1.5 }],
    ] as const) {
      const message = thrown(() => silhouette(rows, labels, options));
      expect(await rejection(remote(rows, labels, options))).toBe(message);
    }
    expect(worker.jobs).toEqual([]);
  });
});

describe("remoteSegmentation(() => worker)", () => {
  it("calls at once on one worker each get their own answer", async () => {
    const rows = iris();
    const clusters = kmeans(rows, { k: 3, columns: IRIS_COLUMNS, seed: 1 });
    const worker = fakeWorker();
    const remote = remoteSegmentation(() => worker);
    const [a, sweep, b, scored] = await Promise.all([
      remote.kmeans(rows, { k: 2, columns: IRIS_COLUMNS, seed: 1 }),
      remote.elbow(rows, { k: [2, 4], columns: IRIS_COLUMNS, seed: 1 }),
      remote.kmeans(rows, { k: 4, columns: IRIS_COLUMNS, seed: 1 }),
      remote.silhouette(rows, clusters),
    ]);
    expect(worker.jobs).toEqual(["kmeans", "elbow", "kmeans", "silhouette"]);
    expect([a.k, b.k]).toEqual([2, 4]);
    expect(sweep.k).toEqual([2, 3, 4]);
    expect(scored.mean).toBe(silhouette(rows, clusters).mean);
  });

  it("a worker that fails rejects the calls waiting on it and those after, instead of leaving them hanging", async () => {
    const worker = fakeWorker();
    const remote = remoteSegmentation(() => worker);
    const waiting = remote.elbow(iris(), { k: [1, 3], columns: IRIS_COLUMNS });
    worker.crash();
    await expect(waiting).rejects.toThrow("the segmentation worker failed to start");
    await expect(remote.kmeans(iris(), { k: 2, columns: IRIS_COLUMNS })).rejects.toThrow(
      "the segmentation worker failed to start",
    );
  });

  it("a call stopped by its signal rejects at once; its worker goes and the other calls finish on a new one", async () => {
    const workers: ReturnType<typeof fakeWorker>[] = [];
    const remote = remoteSegmentation(() => {
      workers.push(fakeWorker());
      return workers.at(-1)!;
    });
    const controller = new AbortController();
    const stopped = remote.elbow(
      iris(),
      { k: [2, 6], columns: IRIS_COLUMNS, seed: 1 },
      controller.signal,
    );
    const other = remote.kmeans(iris(), { k: 3, columns: IRIS_COLUMNS, seed: 1 });
    controller.abort(new Error("stopped by the user"));
    expect(await rejection(stopped)).toBe("stopped by the user");
    expect(workers.map((w) => w.terminated)).toEqual([true, false]);
    expect(workers[1]!.jobs).toEqual(["kmeans"]);
    expect((await other).k).toBe(3);
    const again = remote.kmeans(
      iris(),
      { k: 2, columns: IRIS_COLUMNS, seed: 1 },
      AbortSignal.abort(),
    );
    await expect(again).rejects.toThrow();
    expect(workers).toHaveLength(2);
  });
});
