import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeEngine } from "../../src/engine/node.ts";
import type { Engine } from "../../src/engine/index.ts";
import { notebook } from "../../src/notebook/index.ts";
import { Runtime } from "../../src/runtime/index.ts";

let engine: Engine<string>;

beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.registerFile(resolve(import.meta.dirname, "../../datasets/penguins.json"));
  await engine.registerFile(resolve(import.meta.dirname, "../notebooks/data/orders.csv"));
});

afterAll(async () => {
  await engine?.close();
});

describe("segmentation from TS cells", () => {
  it("every segmentation function is callable from a cell, on SQL results, and their results chain", async () => {
    const cols = `["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]`;
    const nb = notebook({
      cells: [
        { kind: "sql", name: "birds", source: "SELECT * FROM penguins" },
        { kind: "ts", name: "scaled", source: `standardize(birds, { columns: ${cols} })` },
        {
          kind: "ts",
          name: "clusters",
          source: `kmeans(birds, { k: 3, columns: ${cols}, seed: 1, standardize: true })`,
        },
        {
          kind: "ts",
          name: "steps",
          source: `[...kmeansSteps(birds, { k: 3, columns: ${cols}, seed: 1, standardize: true })].length`,
        },
        {
          kind: "ts",
          name: "sweep",
          source: `elbow(birds, { k: [1, 8], columns: ${cols}, seed: 1, standardize: true, metrics: ["silhouette"] })`,
        },
        {
          kind: "ts",
          name: "sil",
          source: `silhouette(scaled, clusters.labels.filter((l) => l >= 0), { columns: ${cols} })`,
        },
        { kind: "ts", name: "prof", source: `profile(birds, clusters, { columns: ${cols} })` },
        { kind: "ts", name: "map", source: `pca(scaled, { columns: ${cols} })` },
        { kind: "sql", name: "lines", source: "SELECT * FROM orders" },
        {
          kind: "ts",
          name: "scores",
          source: `await rfm("orders", { customer: "customer_id", date: "order_date", amount: "amount", order: "order_id" })`,
        },
        {
          kind: "ts",
          name: "retention",
          source: `cohorts(lines, { customer: "customer_id", date: "order_date" })`,
        },
      ],
    });
    const runtime = await Runtime.create({ engine });
    await runtime.setCells(nb.cells);
    await runtime.runAll();
    const failed = nb.cells.filter((c) => runtime.state(c.id).status !== "done");
    expect(failed.map((c) => [c.id, runtime.state(c.id)])).toEqual([]);
    const value = (name: string) => runtime.value(name) as Record<string, unknown>;
    expect(value("clusters").sizes).toEqual([132, 123, 87]);
    expect(runtime.value("steps")).toBeGreaterThan(2);
    expect(value("sweep").suggested).toBe(3);
    expect(value("sil").mean).toBeCloseTo(0.4472, 3);
    expect((value("prof").clusters as unknown[]).length).toBe(3);
    expect((value("map").explained as number[]).length).toBe(2);
    expect(value("scores").kind).toBe("rfm");
    expect(value("retention").kind).toBe("cohorts");
  });

  it("a bad call in a cell is that cell's one-line error, not a crash", async () => {
    const nb = notebook({
      cells: [
        { kind: "sql", name: "birds", source: "SELECT * FROM penguins" },
        {
          kind: "ts",
          name: "oops",
          source: `kmeans(birds, { k: 3, columns: ["Beak Lenght (mm)"] })`,
        },
      ],
    });
    const runtime = await Runtime.create({ engine });
    await runtime.setCells(nb.cells);
    await runtime.runAll();
    const state = runtime.state(nb.cells[1]!.id);
    expect(state).toMatchObject({
      status: "error",
      error: {
        message: expect.stringMatching(
          /^unknown column: Beak Lenght \(mm\) \(columns: Species, Island, Beak Length \(mm\)/,
        ),
      },
    });
  });
});
