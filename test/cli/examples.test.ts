import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runNotebookFile, type NotebookRun } from "../../src/cli/run.ts";
import { toRows } from "../../src/engine/index.ts";
import {
  adjustedRandIndex,
  type CohortResult,
  type ElbowResult,
  type KMeansResult,
  type RfmResult,
} from "../../src/segment/index.ts";

// Each example runs start to finish on the Node engine; seconds, not milliseconds.
vi.setConfig({ testTimeout: 120_000 });

const ROOT = resolve(import.meta.dirname, "../..");
const runs = new Map<string, Promise<NotebookRun>>();

function run(name: string): Promise<NotebookRun> {
  if (!runs.has(name)) runs.set(name, runNotebookFile(resolve(ROOT, "notebooks", `${name}.md`)));
  return runs.get(name)!;
}

function value<T>(result: NotebookRun, name: string): T {
  const cell = result.cells.find((c) => c.name === name);
  if (!cell) throw new Error(`no cell named ${name}`);
  if (cell.status !== "done")
    throw new Error(`cell ${name} is ${cell.status}: ${cell.error?.message}`);
  return cell.value as T;
}

afterAll(() => runs.clear());

describe("example notebooks: their results, not just that they run", () => {
  it("kmeans-segments recovers the planted customer archetypes (ARI ≥ 0.8 against the archetype file)", async () => {
    const result = await run("kmeans-segments");
    expect(result.cells.filter((c) => c.status !== "done")).toEqual([]);
    const clusters = value<KMeansResult>(result, "clusters");
    const customers = toRows(value(result, "customers"));
    const archetypes = new Map(
      (await readFile(resolve(ROOT, "datasets/store-archetypes.csv"), "utf8"))
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => line.split(",") as [string, string]),
    );
    const truth = customers.map((c) => archetypes.get(String(c.customer_id)));
    expect(truth.every((t) => t !== undefined)).toBe(true);
    const ari = adjustedRandIndex(truth, Array.from(clusters.labels));
    expect(ari).toBeGreaterThanOrEqual(0.8);
  });

  it("rfm-segmentation scores every customer exactly once, and its segments add up", async () => {
    const result = await run("rfm-segmentation");
    expect(result.cells.filter((c) => c.status !== "done")).toEqual([]);
    const scores = value<RfmResult>(result, "scores");
    const rows = toRows(scores.table);
    const ids = rows.map((r) => r.customer_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(5000);
    const segments = toRows(scores.segments);
    expect(segments.reduce((s, r) => s + Number(r.customers), 0)).toBe(ids.length);
    expect(segments.reduce((s, r) => s + Number(r.share), 0)).toBeCloseTo(1, 9);
    const quirks = toRows(value(result, "quirks"))[0]!;
    expect(Number(quirks.cancelled_lines)).toBeGreaterThan(0);
    expect(Number(quirks.returned_lines)).toBeGreaterThan(0);
    expect(Number(quirks.guest_lines)).toBeGreaterThan(0);
  });

  it("cohort-retention: offset 0 is 100% for every cohort and the partly covered last month is flagged", async () => {
    const result = await run("cohort-retention");
    expect(result.cells.filter((c) => c.status !== "done")).toEqual([]);
    const retention = value<CohortResult>(result, "retention");
    const first = toRows(retention.matrix).filter((r) => r.offset === 0);
    expect(first.length).toBe(retention.sizes.length);
    expect(first.every((r) => r.retention === 1)).toBe(true);
    expect(value<string[]>(result, "partial_months")).toContain("2026-10");
  });

  it("choosing-k-classroom: the elbow suggests 3 on penguins", async () => {
    const result = await run("choosing-k-classroom");
    expect(result.cells.filter((c) => c.status !== "done")).toEqual([]);
    expect(value<ElbowResult>(result, "sweep").suggested).toBe(3);
  });

  it("segment-migration: every customer seen in both snapshots moves exactly once", async () => {
    const result = await run("segment-migration");
    expect(result.cells.filter((c) => c.status !== "done")).toEqual([]);
    const moves = value<Record<string, unknown>[]>(result, "moves");
    const transitions = toRows(value(result, "transitions"));
    expect(transitions.reduce((s, r) => s + Number(r.customers), 0)).toBe(moves.length);
    expect(moves.length).toBe(toRows(value<RfmResult>(result, "before").table).length);
  });

  it("penguin-clusters: the three clusters line up with the three species (ARI ≥ 0.6)", async () => {
    const result = await run("penguin-clusters");
    expect(result.cells.filter((c) => c.status !== "done")).toEqual([]);
    const assigned = value<{ species: string; cluster: number }[]>(result, "assigned");
    expect(new Set(assigned.map((a) => a.cluster)).size).toBe(3);
    const ari = adjustedRandIndex(
      assigned.map((a) => a.species),
      assigned.map((a) => a.cluster),
    );
    expect(ari).toBeGreaterThanOrEqual(0.6);
  });
});

describe("every example notebook", () => {
  // Each runs once in the suite: here, in process, its run shared with the tests above.
  const examples = readdirSync(resolve(ROOT, "notebooks"))
    .filter((f) => f.endsWith(".md") && f !== "README.md")
    .map((f) => f.replace(/\.md$/, ""));

  it("there are six example notebooks", () => {
    expect(examples).toHaveLength(6);
  });

  it.each(examples)("%s runs every cell without an error", async (example) => {
    const result = await run(example);
    const failed = result.cells.filter((c) => c.status !== "done");
    expect(failed.map((c) => `${c.name ?? c.id}: ${c.error?.message ?? c.status}`)).toEqual([]);
  });
});
