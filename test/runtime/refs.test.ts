import { describe, expect, it } from "vitest";
import { sqlIdentifiers } from "../../src/engine/sqllex.ts";
import { sqlReferences } from "../../src/runtime/sqlrefs.ts";
import { freeIdentifiers, parseCell } from "../../src/runtime/tsrefs.ts";
import { buildGraph, dependentsOf, transition, type CellState } from "../../src/runtime/index.ts";

describe("sqlReferences()", () => {
  it("sqlReferences(sql) finds tables at any depth, minus CTEs, table functions and file paths", async () => {
    const sql = `WITH recent AS (SELECT * FROM orders WHERE d > DATE '2024-01-01')
      SELECT r.*, s.segment FROM recent r
      JOIN main."Segments" s USING (customer_id)
      WHERE r.id IN (SELECT id FROM returns)
      UNION ALL SELECT * FROM read_csv('extra.csv'), 'other.parquet'`;
    expect(await sqlReferences(sql)).toEqual({
      ok: true,
      tables: ["orders", "Segments", "returns"],
    });
  });

  it("sqlReferences(sql) reads DuckDB syntax: FROM-first, GROUP BY ALL, EXCLUDE, QUALIFY, lambdas", async () => {
    expect(await sqlReferences("FROM orders SELECT customer_id, count(*) GROUP BY ALL")).toEqual({
      ok: true,
      tables: ["orders"],
    });
    expect(
      await sqlReferences(
        "SELECT * EXCLUDE (a), list_transform(l, x -> x + 1) FROM t QUALIFY row_number() OVER (PARTITION BY c) = 1",
      ),
    ).toEqual({ ok: true, tables: ["t"] });
  });

  it("sqlReferences(sql) reports what it cannot parse instead of guessing", async () => {
    const result = await sqlReferences("PIVOT sales ON year USING sum(amount)");
    expect(result.ok).toBe(false);
  });
});

describe("sqlIdentifiers()", () => {
  it("sqlIdentifiers(sql) skips strings, comments and dollar quotes, and unquotes identifiers", () => {
    expect(
      sqlIdentifiers(
        `PIVOT "My Sales" ON 'rfm' -- rfm\n/* segments */ USING $$ clusters $$ sum(x)`,
      ),
    ).toEqual(["PIVOT", "My Sales", "ON", "USING", "sum", "x"]);
  });
});

describe("freeIdentifiers()", () => {
  it("freeIdentifiers() lists what a cell reads but does not declare, through every kind of scope", () => {
    const { program } = parseCell(`const n: number = rfm.numRows;
function f(a: string) { return a + outer; }
const { k, ...rest } = opts;
for (const r of rows) { total += r.x; }
try { g(); } catch (e) { e; }
class A { m() { return this.q + z; } }
const arrow = (p) => p + q2;
label: for (;;) { break label; }
[n, f, k, rest, A, arrow, Math.max(1, 2), await sql\`SELECT 1\`]`);
    expect(freeIdentifiers(program).sort()).toEqual([
      "Math",
      "g",
      "opts",
      "outer",
      "q2",
      "rfm",
      "rows",
      "sql",
      "total",
      "z",
    ]);
  });

  it("type-only names are stripped before analysis", () => {
    const { program } = parseCell(
      "type Row = { id: number };\ninterface Seg { name: string }\nconst rows: Row[] = data as Row[];\nrows",
    );
    expect(freeIdentifiers(program)).toEqual(["data"]);
  });
});

describe("buildGraph()", () => {
  it("orders cells by dependency, keeps document order otherwise, and finds dependents transitively", () => {
    const graph = buildGraph([
      { id: "c1", name: "c", references: ["b"] },
      { id: "c2", name: "x", references: [] },
      { id: "c3", name: "b", references: ["a"] },
      { id: "c4", name: "a", references: [] },
    ]);
    expect(graph.order).toEqual(["c2", "c4", "c3", "c1"]);
    expect(dependentsOf(graph, "c4")).toEqual(["c3", "c1"]);
    expect(graph.errors.size).toBe(0);
  });
});

describe("transition()", () => {
  it("moves idle → queued → running → done and keeps the run time", () => {
    let state: CellState = { status: "idle" };
    state = transition(state, { type: "queue" });
    state = transition(state, { type: "start", at: 100 });
    state = transition(state, { type: "finish", value: 1, outputs: [], at: 142 });
    expect(state).toEqual({ status: "done", value: 1, outputs: [], ms: 42 });
  });

  it("refuses events that make no sense in a state", () => {
    expect(() => transition({ status: "idle" }, { type: "start", at: 0 })).toThrow(
      "invalid cell transition: start while idle",
    );
    expect(() =>
      transition({ status: "queued" }, { type: "finish", value: 1, outputs: [], at: 0 }),
    ).toThrow("invalid cell transition: finish while queued");
  });
});
