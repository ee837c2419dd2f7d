import { describe, expect, it } from "vitest";
import {
  handleKMeansRequest,
  remoteKMeans,
  type KMeansRequest,
  type KMeansResponse,
  type WorkerLike,
} from "../../src/runtime/kmeans-remote.ts";
import { kmeans, type KMeansProgress } from "../../src/segment/index.ts";
import { penguins, PENGUIN_COLUMNS } from "../segment/data.ts";

/** A stand-in for a Web Worker: messages are structured-cloned both ways and delivered asynchronously, as a real worker's are. */
function fakeWorker(): WorkerLike & { requests: number } {
  const listeners: ((event: { data: KMeansResponse }) => void)[] = [];
  const worker = {
    requests: 0,
    postMessage(message: KMeansRequest) {
      worker.requests++;
      const request = structuredClone(message);
      setTimeout(() =>
        handleKMeansRequest(request, (response) => {
          const copy = structuredClone(response);
          setTimeout(() => listeners.forEach((l) => l({ data: copy })));
        }),
      );
    },
    addEventListener(_type: "message", listener: (event: { data: KMeansResponse }) => void) {
      listeners.push(listener);
    },
  };
  return worker;
}

describe("remoteKMeans()", () => {
  it("runs the restarts in the worker, reports every iteration, and returns what kmeans() returns", async () => {
    const worker = fakeWorker();
    const run = remoteKMeans(worker);
    const progress: KMeansProgress[] = [];
    const options = { k: 3, columns: PENGUIN_COLUMNS, seed: 4, nInit: 5, standardize: true };
    const remote = await run(penguins(), { ...options, onIteration: (p) => progress.push(p) });
    const local = kmeans(penguins(), options);
    expect(worker.requests).toBe(1);
    expect(Array.from(remote.labels)).toEqual(Array.from(local.labels));
    expect(remote.inertia).toBe(local.inertia);
    expect(remote.centroids).toEqual(local.centroids);
    expect(new Set(progress.map((p) => p.run))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(progress.every((p) => Number.isFinite(p.inertia) && p.iteration >= 1)).toBe(true);
  });

  it("bad options fail on the page at once, with the same message as kmeans()", async () => {
    const run = remoteKMeans(fakeWorker());
    await expect(run(penguins(), { k: 1, columns: PENGUIN_COLUMNS })).rejects.toThrow(
      "invalid k: 1 (expected an integer ≥ 2)",
    );
  });

  it("two runs at once each get their own answer", async () => {
    const run = remoteKMeans(fakeWorker());
    const [a, b] = await Promise.all([
      run(penguins(), { k: 2, columns: PENGUIN_COLUMNS, seed: 1, standardize: true }),
      run(penguins(), { k: 4, columns: PENGUIN_COLUMNS, seed: 1, standardize: true }),
    ]);
    expect([a.k, b.k]).toEqual([2, 4]);
  });
});
