import type { Table } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createNodeEngine } from "../../src/engine/node.ts";
import { toRows, type Engine } from "../../src/engine/index.ts";
import { notebook, type CellSpec } from "../../src/notebook/index.ts";
import { Runtime, type CellState } from "../../src/runtime/index.ts";

let engine: Engine<string>;

beforeAll(async () => {
  engine = await createNodeEngine();
});

afterAll(async () => {
  await engine?.close();
});

/** A runtime over the given cells, with counters of how often each cell started and the order. */
async function setup(cells: CellSpec[], library: Map<string, unknown> = new Map()) {
  const runtime = await Runtime.create({ engine, library });
  const nb = notebook({ cells });
  await runtime.setCells(nb.cells);
  const starts: string[] = [];
  const seen: { id: string; state: CellState }[] = [];
  runtime.onChange((id, state) => {
    seen.push({ id, state });
    if (state.status === "running") starts.push(nameOf(id));
  });
  const nameOf = (id: string) => {
    const cell = nb.cells.find((c) => c.id === id);
    return cell && cell.kind !== "markdown" ? (cell.name ?? id) : id;
  };
  const idOf = (name: string) => nb.cells.find((c) => c.kind !== "markdown" && c.name === name)!.id;
  const count = (name: string) => starts.filter((s) => s === name).length;
  const state = (name: string) => runtime.state(idOf(name));
  return { runtime, nb, starts, seen, idOf, count, state };
}

describe("Runtime", () => {
  it("runAll() runs cells after the cells they read, whatever their order in the document", async () => {
    const { runtime, starts, state } = await setup([
      { kind: "ts", name: "total", source: "a + b" },
      { kind: "ts", name: "b", source: "a * 2" },
      { kind: "ts", name: "a", source: "const x: number = 20;\nx + 1" },
    ]);
    await runtime.runAll();
    expect(starts).toEqual(["a", "b", "total"]);
    expect(state("total")).toMatchObject({ status: "done", value: 63 });
    expect(runtime.value("b")).toBe(42);
  });

  it("run(id) re-runs exactly the cells that depend on it, counted by their starts", async () => {
    const { runtime, idOf, count } = await setup([
      { kind: "ts", name: "base", source: "10" },
      { kind: "ts", name: "other", source: "'unrelated'" },
      { kind: "ts", name: "doubled", source: "base * 2" },
      { kind: "ts", name: "label", source: "`${doubled}!`" },
      { kind: "ts", name: "aside", source: "other.length" },
    ]);
    await runtime.runAll();
    await runtime.run(idOf("doubled"));
    expect(["base", "other", "doubled", "label", "aside"].map(count)).toEqual([1, 1, 2, 2, 1]);
  });

  it("runOnly(id) runs that cell alone: not what it reads, not what reads it", async () => {
    const { runtime, idOf, count, state } = await setup([
      { kind: "ts", name: "base", source: "10" },
      { kind: "ts", name: "doubled", source: "base * 2" },
      { kind: "ts", name: "alone", source: "'on its own'" },
    ]);
    await runtime.runOnly(idOf("doubled"));
    expect(state("doubled")).toMatchObject({
      status: "error",
      error: { message: "base has not run, and this cell reads it" },
    });
    expect(["base", "doubled"].map(count)).toEqual([0, 0]);
    await runtime.runAll();
    await runtime.runOnly(idOf("base"));
    expect(["base", "doubled", "alone"].map(count)).toEqual([2, 1, 1]);
  });

  it("a TS cell's code starts after beforeTs() has resolved, and SQL cells do not wait for it", async () => {
    const order: string[] = [];
    const runtime = await Runtime.create({
      engine,
      library: new Map([["mark", (what: string) => order.push(what)]]),
      beforeTs: async () => void order.push("yield"),
    });
    const nb = notebook({
      cells: [
        { kind: "sql", name: "one", source: "SELECT 1 AS n" },
        { kind: "ts", name: "two", source: "mark('code')" },
      ],
    });
    await runtime.setCells(nb.cells);
    await runtime.runAll();
    expect(order).toEqual(["yield", "code"]);
  });

  it("edit(id, source) re-runs the cell and its dependents with the new value, and nothing else", async () => {
    const { runtime, idOf, count, state } = await setup([
      { kind: "ts", name: "k", source: "3" },
      { kind: "sql", name: "ks", source: "SELECT * FROM range(${k}) t(i)".replace("${k}", "3") },
      { kind: "ts", name: "squared", source: "k * k" },
      { kind: "ts", name: "unrelated", source: "1" },
    ]);
    await runtime.runAll();
    await runtime.edit(idOf("k"), "5");
    expect(state("squared")).toMatchObject({ status: "done", value: 25 });
    expect(["k", "ks", "squared", "unrelated"].map(count)).toEqual([2, 1, 2, 1]);
  });

  it("a cycle is an error on the cells in it and on what reads them; the rest runs", async () => {
    const { runtime, state } = await setup([
      { kind: "ts", name: "a", source: "b + 1" },
      { kind: "ts", name: "b", source: "a + 1" },
      { kind: "ts", name: "c", source: "a" },
      { kind: "ts", name: "d", source: "'fine'" },
      { kind: "ts", name: "me", source: "me" },
    ]);
    await runtime.runAll();
    expect(state("a")).toMatchObject({
      status: "error",
      error: { message: "circular definition: a → b → a" },
    });
    expect(state("b")).toMatchObject({
      status: "error",
      error: { message: "circular definition: a → b → a" },
    });
    expect(state("c")).toMatchObject({
      status: "error",
      error: { message: "a failed, and this cell reads it" },
    });
    expect(state("me")).toMatchObject({ status: "error", error: { message: "me reads itself" } });
    expect(state("d")).toMatchObject({ status: "done", value: "fine" });
  });

  it("a name defined twice is an error on both cells, not a crash", async () => {
    const { runtime, nb } = await setup([
      { kind: "ts", name: "x", source: "1" },
      { kind: "sql", name: "x", source: "SELECT 2" },
      { kind: "ts", name: "y", source: "2" },
    ]);
    await runtime.runAll();
    const [first, second, third] = nb.cells.map((c) => runtime.state(c.id));
    expect(first).toMatchObject({
      status: "error",
      error: { message: "x is defined by more than one cell (c1, c2)" },
    });
    expect(second).toMatchObject({ status: "error" });
    expect(third).toMatchObject({ status: "done", value: 2 });
  });

  it("a newer run supersedes an older one: the stale result is dropped and never shown", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const library = new Map<string, unknown>([["gate", () => gate]]);
    const { runtime, idOf, seen, state } = await setup(
      [
        { kind: "ts", name: "slow", source: "await gate();\n'old'" },
        { kind: "ts", name: "after", source: "slow + ' seen'" },
      ],
      library,
    );
    const first = runtime.runAll();
    await new Promise((r) => setTimeout(r, 20));
    const second = runtime.edit(idOf("slow"), "'new'");
    release();
    await Promise.all([first, second]);
    expect(state("slow")).toMatchObject({ status: "done", value: "new" });
    expect(state("after")).toMatchObject({ status: "done", value: "new seen" });
    const shown = seen
      .filter((s) => s.state.status === "done")
      .map((s) => (s.state.status === "done" ? s.state.value : undefined));
    expect(shown).not.toContain("old");
    expect(shown).not.toContain("old seen");
  });

  it("running B while an unrelated A runs keeps A: its result is shown, and it is not run again", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { runtime, idOf, count, state } = await setup(
      [
        { kind: "ts", name: "a", source: "await gate();\n'a done'" },
        { kind: "ts", name: "b", source: "'b done'" },
      ],
      new Map([["gate", () => gate]]),
    );
    const first = runtime.run(idOf("a"));
    await vi.waitFor(() => expect(state("a").status).toBe("running"));
    const second = runtime.run(idOf("b"));
    expect(state("a").status).toBe("running");
    expect(state("b").status).toBe("queued");
    release();
    await Promise.all([first, second]);
    expect(state("a")).toMatchObject({ status: "done", value: "a done" });
    expect(state("b")).toMatchObject({ status: "done", value: "b done" });
    expect(["a", "b"].map(count)).toEqual([1, 1]);
  });

  it("deleting a cell drops its table, and the cells that read it fail saying so, not later", async () => {
    const { runtime, nb, state, idOf } = await setup([
      { kind: "sql", name: "gone_base", source: "SELECT 1 AS n" },
      { kind: "sql", name: "gone_reader", source: "SELECT n FROM gone_base" },
      { kind: "ts", name: "gone_ts", source: "gone_base.numRows" },
    ]);
    await runtime.runAll();
    expect(state("gone_reader").status).toBe("done");
    await runtime.setCells(nb.cells.filter((c) => c.kind === "markdown" || c.name !== "gone_base"));
    expect((await engine.tables()).map((t) => t.name)).not.toContain("gone_base");
    const message = "gone_base no longer exists (its cell was deleted)";
    expect(state("gone_reader")).toMatchObject({ status: "error", error: { message } });
    expect(state("gone_ts")).toMatchObject({ status: "error", error: { message } });
    // Run again, it says the same, rather than DuckDB's "table does not exist".
    await runtime.run(idOf("gone_reader"));
    expect(state("gone_reader")).toMatchObject({ status: "error", error: { message } });
  });

  it("renaming a cell drops its old table; readers of the old name say what it became", async () => {
    const { runtime, nb, state, idOf } = await setup([
      { kind: "sql", name: "old_name", source: "SELECT 2 AS n" },
      { kind: "sql", name: "reads_old", source: "SELECT n FROM old_name" },
    ]);
    await runtime.runAll();
    const renamed = nb.cells.map((c) =>
      c.kind !== "markdown" && c.name === "old_name" ? { ...c, name: "new_name" } : c,
    );
    await runtime.setCells(renamed);
    expect((await engine.tables()).map((t) => t.name)).not.toContain("old_name");
    expect(state("reads_old")).toMatchObject({
      status: "error",
      error: { message: "old_name no longer exists (it was renamed to new_name)" },
    });
    // Named back, it is a cell again: its reader runs.
    await runtime.setCells(nb.cells);
    await runtime.run(idOf("reads_old"));
    expect(state("reads_old")).toMatchObject({ status: "done" });
  });

  it("runReaders(tables) runs exactly the cells that read a table, in SQL or in a TS sql template, and what reads them", async () => {
    await engine.query("CREATE OR REPLACE TABLE rr_orders AS SELECT 1 AS n");
    await engine.query("CREATE OR REPLACE TABLE rr_customers AS SELECT 2 AS n");
    const { runtime, count } = await setup([
      { kind: "sql", name: "by_sql", source: "SELECT n FROM RR_ORDERS" },
      { kind: "sql", name: "other", source: "SELECT n FROM rr_customers" },
      { kind: "ts", name: "by_ts", source: "(await sql`SELECT n FROM rr_orders`).numRows" },
      { kind: "ts", name: "after", source: "by_sql.numRows + 1" },
      { kind: "ts", name: "lookalike", source: "'rr_orders_total is another table'" },
    ]);
    await runtime.runAll();
    await runtime.runReaders(["rr_orders"]);
    expect(["by_sql", "other", "by_ts", "after", "lookalike"].map(count)).toEqual([2, 1, 2, 2, 1]);
    await runtime.runReaders(["nobody_reads_this"]);
    expect(["by_sql", "other", "by_ts", "after", "lookalike"].map(count)).toEqual([2, 1, 2, 2, 1]);
  });

  it("keeps each cell's run time", async () => {
    const { runtime, state } = await setup([
      { kind: "ts", name: "t", source: "await new Promise((r) => setTimeout(r, 30));\n1" },
    ]);
    await runtime.runAll();
    const s = state("t");
    expect(s.status === "done" && s.ms).toBeGreaterThanOrEqual(25);
  });

  it("each cell run is a User Timing measure, for the browser's performance panel and the benchmark", async () => {
    const { runtime, idOf } = await setup([
      { kind: "ts", name: "slow", source: "await new Promise((r) => setTimeout(r, 30));\n1" },
      { kind: "ts", name: "fails", source: "throw new Error('no')" },
    ]);
    const from = performance.now();
    await runtime.runAll();
    const measures = performance
      .getEntriesByType("measure")
      .filter((m) => m.startTime >= from && m.name.startsWith("strata cell "));
    expect(
      measures.map((m) => [m.name, ((m as PerformanceMeasure).detail as { id: string }).id]),
    ).toEqual([
      ["strata cell slow", idOf("slow")],
      ["strata cell fails", idOf("fails")],
    ]);
    expect(measures[0]!.duration).toBeGreaterThanOrEqual(25);
  });
});

describe("cells", () => {
  it("SQL → TS → SQL: the second SQL cell joins the table the TS cell produced", async () => {
    const { runtime, state } = await setup([
      {
        kind: "sql",
        name: "orders",
        source:
          "SELECT * FROM (VALUES (1, 'ann', 10.0), (2, 'bob', 25.5), (3, 'ann', 4.5)) t(id, customer, amount)",
      },
      {
        kind: "ts",
        name: "tiers",
        source:
          "const rows = orders.toArray().map((r) => r.toJSON());\nconst names = [...new Set(rows.map((r) => r.customer))];\nnames.map((customer) => ({ customer, tier: customer === 'ann' ? 'gold' : 'silver' }))",
      },
      {
        kind: "sql",
        name: "spend",
        source:
          "SELECT t.tier, sum(o.amount) AS spend\nFROM orders o JOIN tiers t USING (customer)\nGROUP BY ALL ORDER BY tier",
      },
    ]);
    await runtime.runAll();
    const spend = state("spend");
    expect(spend.status).toBe("done");
    expect(spend.status === "done" && toRows(spend.value as never)).toEqual([
      { tier: "gold", spend: 14.5 },
      { tier: "silver", spend: 25.5 },
    ]);
  });

  it("an Arquero table and an Arrow table from TS cells are registered in DuckDB too", async () => {
    const { runtime, state } = await setup([
      { kind: "ts", name: "arq", source: "aq.table({ g: ['a', 'b', 'a'], v: [1, 2, 3] })" },
      { kind: "ts", name: "arrow", source: "await sql`SELECT 7 AS seven`" },
      {
        kind: "sql",
        name: "joined",
        source: "SELECT sum(v) + (SELECT max(seven) FROM arrow) AS s FROM arq",
      },
    ]);
    await runtime.runAll();
    const joined = state("joined");
    expect(joined.status === "done" && toRows(joined.value as never)).toEqual([{ s: 13 }]);
  });

  it("sql`…` turns interpolated values into literals, so quotes cannot break out", async () => {
    const { runtime, state } = await setup([
      { kind: "ts", name: "who", source: '"O\'Brien"' },
      {
        kind: "ts",
        name: "echo",
        source:
          "const t = await sql`SELECT ${who} AS name, ${[1, 2]} AS l, ${null} AS n`;\nt.toArray()[0].toJSON().name",
      },
    ]);
    await runtime.runAll();
    expect(state("echo")).toMatchObject({ status: "done", value: "O'Brien" });
  });

  it("display() adds outputs and view() returns its input's value", async () => {
    const { runtime, state } = await setup([
      {
        kind: "ts",
        name: "k",
        source:
          "display('first');\nview({ type: 'range', label: 'k', min: 2, max: 10, step: 1, value: 4 })",
      },
      { kind: "ts", name: "k2", source: "k * 2" },
    ]);
    await runtime.runAll();
    expect(state("k")).toMatchObject({
      status: "done",
      value: 4,
      outputs: [
        { kind: "value", value: "first" },
        { kind: "input", value: 4, spec: { type: "range", min: 2, max: 10 } },
      ],
    });
    expect(state("k2")).toMatchObject({ status: "done", value: 8 });
  });

  it("a TS error points at the line and column in the cell's own source", async () => {
    const { runtime, state } = await setup([
      {
        kind: "ts",
        name: "boom",
        source: "const a: number = 1;\nconst b = 2;\nconst c = a.nope.deeper;\nc",
      },
      { kind: "ts", name: "bad", source: "const ok = 1;\nconst x: = 2;" },
      { kind: "ts", name: "last", source: "const o = {};\no.missing()" },
      // A last line in parentheses returns its value too.
      { kind: "ts", name: "object", source: "({ a: 1, b: [2] });" },
      { kind: "ts", name: "sum", source: "(1 + 2) * 2 + (1)" },
    ]);
    await runtime.runAll();
    expect(state("boom")).toMatchObject({
      status: "error",
      error: {
        line: 3,
        column: 18,
        message: expect.stringMatching(/^TypeError: Cannot read properties of undefined/),
      },
    });
    expect(state("bad")).toMatchObject({ status: "error", error: { line: 2 } });
    expect(state("object")).toMatchObject({ status: "done", value: { a: 1, b: [2] } });
    expect(state("sum")).toMatchObject({ status: "done", value: 7 });
    // The last line is rewritten to return its value; its columns are still the user's.
    expect(state("last")).toMatchObject({
      status: "error",
      error: { line: 2, column: 3, message: "TypeError: o.missing is not a function" },
    });
  });

  it("a TS cell that reads a Node name (process, require, Buffer, …) gets a stand-in that refuses, at its line", async () => {
    const { runtime, state } = await setup([
      {
        kind: "ts",
        name: "shell",
        source: `const cp = "child_process";\nprocess.getBuiltinModule(cp).execSync("id")`,
      },
      { kind: "ts", name: "req", source: `require("node:fs").readFileSync("/etc/passwd", "utf8")` },
      { kind: "ts", name: "buf", source: "Buffer.from('x')" },
      { kind: "ts", name: "where", source: "[__dirname, __filename].join()" },
      // Returning the stand-in is refused too, not handed on as a value.
      { kind: "ts", name: "env", source: "module" },
      { kind: "ts", name: "guard", source: "typeof process === 'object' && process.env.HOME" },
      // A cell's own declaration of the name, or a named cell, wins over the stand-in.
      { kind: "ts", name: "own", source: "const process = { env: 1 };\nprocess.env + 1" },
      { kind: "ts", name: "global", source: "'mine'" },
      { kind: "ts", name: "reads", source: "global + '!'" },
    ]);
    await runtime.runAll();
    const refused = (name: string, line: number) => ({
      status: "error",
      error: { message: `${name} is not available in a notebook cell`, line },
    });
    expect(state("shell")).toMatchObject(refused("process", 2));
    expect(state("req")).toMatchObject(refused("require", 1));
    expect(state("buf")).toMatchObject(refused("Buffer", 1));
    expect(state("where")).toMatchObject(refused("__dirname", 1));
    expect(state("env")).toMatchObject({
      status: "error",
      error: { message: "module is not available in a notebook cell" },
    });
    // Detecting Node the usual way finds none: the stand-in is not an object.
    expect(state("guard")).toMatchObject({ status: "done", value: false });
    expect(state("own")).toMatchObject({ status: "done", value: 2 });
    expect(state("reads")).toMatchObject({ status: "done", value: "mine!" });
  });

  it("a TS cell holding import() does not run, and says so with the line and column", async () => {
    const { runtime, state, count } = await setup([
      {
        kind: "ts",
        name: "load",
        source: `const x = 1;\nconst cp = await import("node:child_process");\ncp.execSync("id")`,
      },
      {
        kind: "ts",
        name: "nested",
        source: "const f = () => [1].map(async () => import('fs'));\nf",
      },
    ]);
    await runtime.runAll();
    expect(state("load")).toMatchObject({
      status: "error",
      error: { message: "import() is not available in a notebook cell", line: 2, column: 18 },
    });
    expect(state("nested")).toMatchObject({
      status: "error",
      error: { message: "import() is not available in a notebook cell", line: 1, column: 37 },
    });
    expect(count("load")).toBe(0);
  });

  it("a SQL error names DuckDB's reason and the line in the cell", async () => {
    const { runtime, state } = await setup([
      { kind: "sql", name: "q", source: "SELECT 1 AS a,\n       nope AS b" },
    ]);
    await runtime.runAll();
    expect(state("q")).toMatchObject({
      status: "error",
      error: { line: 2, message: expect.stringMatching(/nope/) },
    });
  });

  it("close() keeps queued cells from starting and drops the running one's result silently", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { runtime, starts, seen } = await setup(
      [
        { kind: "ts", name: "slow", source: "await gate; 1" },
        { kind: "sql", name: "after_stop", source: "SELECT slow AS x" },
      ],
      new Map([["gate", gate]]),
    );
    const run = runtime.runAll();
    await vi.waitFor(() => expect(starts).toEqual(["slow"]));
    const heard = seen.length;
    runtime.close();
    release();
    await run;
    expect(starts).toEqual(["slow"]);
    expect(seen.length).toBe(heard);
    expect((await engine.tables()).map((t) => t.name)).not.toContain("after_stop");
  });

  it("stop(id) interrupts a running SQL cell's query in the engine: the cell ends as stopped, and the next runs at once", async () => {
    const { runtime, idOf, state, count } = await setup([
      { kind: "sql", name: "endless", source: "SELECT sum(range) AS s FROM range(1000000000000)" },
      { kind: "sql", name: "reader", source: "SELECT s FROM endless" },
      { kind: "sql", name: "quick", source: "SELECT 42 AS answer" },
    ]);
    const run = runtime.runAll();
    await vi.waitFor(() => expect(state("endless").status).toBe("running"), { timeout: 10_000 });
    runtime.stop(idOf("endless"));
    await run;
    expect(state("endless")).toMatchObject({ status: "stopped", ms: expect.any(Number) });
    // What reads it stops with it; what does not, runs.
    expect(state("reader")).toEqual({ status: "stopped", ms: undefined });
    expect(state("quick")).toMatchObject({ status: "done" });
    expect([count("reader"), count("quick")]).toEqual([0, 1]);
    const tables = toRows(await engine.query("SELECT table_name FROM duckdb_tables()"));
    expect(tables.map((t) => t.table_name)).not.toContain("endless");
    // A cell that reads a stopped one says so when run alone.
    await runtime.runOnly(idOf("reader"));
    expect(state("reader")).toMatchObject({
      status: "error",
      error: { message: "endless was stopped, and this cell reads it" },
    });
  });

  it("stop(id) abandons a TS cell that awaits forever; the cells queued after it go on", async () => {
    const never = new Promise(() => undefined);
    const { runtime, idOf, state } = await setup(
      [
        { kind: "ts", name: "waiting", source: "await never; 1" },
        { kind: "ts", name: "after", source: "2" },
      ],
      new Map([["never", never]]),
    );
    const run = runtime.runAll();
    await vi.waitFor(() => expect(state("waiting").status).toBe("running"));
    runtime.stop(idOf("waiting"));
    await run;
    expect(state("waiting").status).toBe("stopped");
    expect(state("after")).toMatchObject({ status: "done", value: 2 });
  });

  it("a TS cell's sql`…` is interrupted by stop(id), and nothing more of that run reaches the engine", async () => {
    let sent: () => void = () => undefined;
    const querying = new Promise<void>((r) => (sent = r));
    let tried: () => void = () => undefined;
    const triedAgain = new Promise<void>((r) => (tried = r));
    const { runtime, idOf, state } = await setup(
      [
        {
          kind: "ts",
          name: "twice",
          source: [
            "const first = sql`SELECT sum(range) FROM range(1000000000000)`;",
            "sent();",
            "try { await first; } catch {",
            "  try { await sql`CREATE TABLE after_stop AS SELECT 1`; } finally { tried(); }",
            "}",
          ].join("\n"),
        },
      ],
      new Map<string, unknown>([
        ["sent", sent],
        ["tried", tried],
      ]),
    );
    const run = runtime.runAll();
    await querying;
    runtime.stop(idOf("twice"));
    await run;
    await triedAgain;
    expect(state("twice").status).toBe("stopped");
    const tables = toRows(await engine.query("SELECT table_name FROM duckdb_tables()"));
    expect(tables.map((t) => t.table_name)).not.toContain("after_stop");
  });

  it("re-running a running cell stops the old run first; only the new run's result shows", async () => {
    const { runtime, idOf, state, count } = await setup([
      { kind: "sql", name: "slow", source: "SELECT sum(range) AS s FROM range(1000000000000)" },
    ]);
    const first = runtime.runAll();
    await vi.waitFor(() => expect(state("slow").status).toBe("running"), { timeout: 10_000 });
    const started = performance.now();
    const second = runtime.edit(idOf("slow"), "SELECT 7 AS s");
    await Promise.all([first, second]);
    // The first run's trillion rows were not waited for.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(count("slow")).toBe(2);
    expect(state("slow").status).toBe("done");
    expect(toRows(runtime.value("slow") as Table)).toEqual([{ s: 7 }]);
  });

  it("stopAll() stops every queued and running cell", async () => {
    const never = new Promise(() => undefined);
    const { runtime, state } = await setup(
      [
        { kind: "ts", name: "a", source: "await never; 1" },
        { kind: "ts", name: "b", source: "2" },
        { kind: "ts", name: "c", source: "b + 1" },
      ],
      new Map([["never", never]]),
    );
    const run = runtime.runAll();
    await vi.waitFor(() => expect(state("a").status).toBe("running"));
    runtime.stopAll();
    await run;
    expect(["a", "b", "c"].map((n) => state(n).status)).toEqual(["stopped", "stopped", "stopped"]);
  });
});
