import { tableFromArrays, type Table } from "apache-arrow";
import { JSDOM } from "jsdom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toRows, type Engine, type QueryOptions } from "../../src/engine/index.ts";
import { createNodeEngine } from "../../src/engine/node.ts";
import { notebook, type CellSpec } from "../../src/notebook/index.ts";
import { renderReport, toJson } from "../../src/output/index.ts";
import { cellResults, hasSegmentList, Runtime, segmentList } from "../../src/runtime/index.ts";
import { idColumn } from "../../src/runtime/segmentList.ts";

let engine: Engine<string>;

beforeAll(async () => {
  engine = await createNodeEngine();
});

afterAll(async () => {
  await engine?.close();
});

/** Run these cells on an engine; each cell's state by name. */
async function run(cells: CellSpec[], on: Engine<unknown> = engine) {
  const runtime = await Runtime.create({ engine: on });
  const nb = notebook({ cells });
  await runtime.setCells(nb.cells);
  await runtime.runAll();
  return { nb, runtime, state: (i: number) => runtime.state(nb.cells[i]!.id) };
}

const ORDERS = `SELECT * FROM (VALUES ('c1', DATE '2024-01-02', 10.0), ('c1', DATE '2024-03-01', 30.0),
  ('c2', DATE '2024-01-15', 5.0), ('c3', DATE '2024-02-20', 300.0), ('c3', DATE '2024-02-22', 280.0)
) t(customer_id, day, amount)`;

describe("download() in TS cells", () => {
  it("makes a download of a table or a table's name, and refuses other files and values", async () => {
    const { state } = await run([
      { kind: "ts", name: "rows", source: "[{ a: 1 }, { a: 2 }]" },
      { kind: "ts", name: "file", source: 'download(rows, "rows.csv")' },
      { kind: "ts", name: "named", source: 'download("orders", "orders.parquet")' },
      { kind: "ts", name: "bad", source: 'download(rows, "rows.xlsx")' },
      { kind: "ts", name: "folder", source: 'download(rows, "../rows.csv")' },
      { kind: "ts", name: "notable", source: 'download(42, "x.csv")' },
    ]);
    expect(state(1)).toMatchObject({
      status: "done",
      value: { kind: "download", fileName: "rows.csv", content: { table: [{ a: 1 }, { a: 2 }] } },
    });
    expect(state(2)).toMatchObject({ value: { content: { relation: "orders" } } });
    expect(state(3)).toMatchObject({
      error: { message: "invalid file name rows.xlsx: expected it to end in .csv, .tsv, .parquet" },
    });
    expect(state(4)).toMatchObject({
      error: { message: expect.stringMatching(/without a folder/) },
    });
    expect(state(5)).toMatchObject({ error: { message: expect.stringMatching(/^invalid table/) } });
  });

  it("is a note where no one can click it: in JSON and in the HTML report", async () => {
    const { nb, runtime, state } = await run([
      { kind: "ts", name: "file", source: 'download([{ a: 1 }, { a: 2 }], "rows.csv")' },
    ]);
    expect(toJson(runtime.value("file"))).toEqual({ download: "rows.csv", rows: 2 });
    const { window } = new JSDOM("<!doctype html><html><body></body></html>");
    const report = renderReport({
      notebook: nb,
      cells: cellResults(nb, (id) => runtime.state(id)),
      window,
    });
    expect(report).toContain('<p class="caption">Download rows.csv (a button in the app)</p>');
    expect(state(0).status).toBe("done");
  });
});

describe("segment lists", () => {
  it("an RFM result lists each customer and its segment", async () => {
    const { runtime } = await run([
      { kind: "sql", name: "orders", source: ORDERS },
      {
        kind: "ts",
        name: "scores",
        source: 'await rfm(orders, { customer: "customer_id", date: "day", amount: "amount" })',
      },
    ]);
    const scores = runtime.value("scores");
    expect(hasSegmentList(scores)).toBe(true);
    const list = segmentList(scores)!;
    expect(list.schema.fields.map((f) => f.name)).toEqual(["customer_id", "segment"]);
    expect(toRows(list).map((r) => r.customer_id)).toEqual(["c1", "c2", "c3"]);
  });

  it("a k-means result lists the id column of the table it clustered and each row's cluster (empty where left out)", async () => {
    const { runtime } = await run([
      {
        kind: "sql",
        name: "customers",
        source: `SELECT * FROM (VALUES ('a', 1.0, 1), ('b', 1.2, 1), ('c', 50.0, 9), ('d', NULL, 2), ('e', 52.0, 8))
          t(name, spend, visits)`,
      },
      {
        kind: "ts",
        name: "clusters",
        source: 'kmeans(customers, { k: 2, columns: ["spend", "visits"], seed: 1 })',
      },
      { kind: "ts", name: "plain", source: "({ kind: 'kmeans', labels: new Int32Array(2) })" },
    ]);
    const list = segmentList(runtime.value("clusters"))!;
    expect(toRows(list)).toEqual([
      { name: "a", cluster: expect.any(Number) },
      { name: "b", cluster: expect.any(Number) },
      { name: "c", cluster: expect.any(Number) },
      { name: "d", cluster: null },
      { name: "e", cluster: expect.any(Number) },
    ]);
    const rows = toRows(list);
    expect(rows[0]!.cluster).toBe(rows[1]!.cluster);
    expect(rows[2]!.cluster).toBe(rows[4]!.cluster);
    expect(rows[0]!.cluster).not.toBe(rows[2]!.cluster);
    // A k-means result whose table is not known has no list.
    expect(hasSegmentList(runtime.value("plain"))).toBe(false);
  });

  it("the id column is one named like an id, else the first not clustered on, else a row number", async () => {
    expect(idColumn(["name", "customer_id", "spend"], ["spend"])).toBe("customer_id");
    expect(idColumn(["name", "CustomerID", "spend"], ["spend"])).toBe("CustomerID");
    expect(idColumn(["name", "spend"], ["spend"])).toBe("name");
    expect(idColumn(["spend"], ["spend"])).toBeUndefined();
    const { runtime } = await run([
      {
        kind: "ts",
        name: "clusters",
        source: 'kmeans([{ x: 1 }, { x: 2 }, { x: 9 }], { k: 2, columns: ["x"], seed: 1 })',
      },
    ]);
    expect(segmentList(runtime.value("clusters"))!.schema.fields.map((f) => f.name)).toEqual([
      "row",
      "cluster",
    ]);
  });
});

describe("COPY … TO where SQL writes into memory (the browser)", () => {
  it("shows each written file as a download in the cell's output, from a SQL cell and a sql`` template", async () => {
    // The engine of the browser, as far as the runtime sees it: COPY's files come back by `files`.
    const memory = {
      query: async (sql: string, options?: QueryOptions): Promise<Table> => {
        const path = /TO '([^']+)'/.exec(sql)?.[1];
        if (path) options?.files?.({ path, bytes: new TextEncoder().encode("a\n1\n") });
        return tableFromArrays({ Count: [1] });
      },
    } as Partial<Engine<unknown>> as Engine<unknown>;
    const { state } = await run(
      [
        { kind: "sql", source: "COPY (SELECT 1 AS a) TO 'out/one.csv' (HEADER)" },
        { kind: "ts", source: "await sql`COPY (SELECT 1 AS a) TO 'two.json'`" },
      ],
      memory,
    );
    for (const [i, fileName] of [
      [0, "one.csv"],
      [1, "two.json"],
    ] as const) {
      const s = state(i);
      if (s.status !== "done") throw new Error(`cell ${i} did not run`);
      expect(s.outputs).toEqual([
        {
          kind: "value",
          value: { kind: "download", fileName, content: { bytes: expect.any(Uint8Array) } },
        },
      ]);
    }
  });
});
