import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeEngine } from "../../src/engine/node.ts";
import { QueryError, QueryStopped, toRows, type Engine } from "../../src/engine/index.ts";

let engine: Engine<string>;

beforeAll(async () => {
  engine = await createNodeEngine();
});

afterAll(async () => {
  await engine?.close();
});

/** An aggregate over a trillion rows: hours of work, unless it is stopped. */
const ENDLESS = "SELECT sum(range) AS s FROM range(1000000000000)";

describe("query(sql, {signal})", () => {
  it("a running query stops when its signal fires, and the next query runs at once", async () => {
    const controller = new AbortController();
    const running = engine.query(ENDLESS, { signal: controller.signal });
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const error = await running.catch((e: unknown) => e);
    const stoppedAfter = performance.now() - started;
    expect(error).toBeInstanceOf(QueryStopped);
    expect((error as QueryStopped).sql).toBe(ENDLESS);
    // Interrupted where it stood, not after the minutes the sum would take.
    expect(stoppedAfter).toBeLessThan(10_000);
    expect(toRows(await engine.query("SELECT 42 AS answer"))).toEqual([{ answer: 42 }]);
  });

  it("a query stopped while it waits for its turn never starts; the one before it finishes", async () => {
    const controller = new AbortController();
    const first = engine.query("SELECT count(*) AS n FROM range(2000000)");
    const second = engine.query("CREATE TABLE never_made AS SELECT 1 AS x", {
      signal: controller.signal,
    });
    controller.abort();
    expect(toRows(await first)).toEqual([{ n: 2_000_000 }]);
    expect(await second.catch((e: unknown) => e)).toBeInstanceOf(QueryStopped);
    const made = await engine.query(
      "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'never_made'",
    );
    expect(toRows(made)).toEqual([{ n: 0 }]);
  });

  it("a query whose signal fired before the call is refused without running", async () => {
    const error = await engine
      .query("SELECT 1", { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryStopped);
  });

  it("QueryError carries the line DuckDB blames and its kind of error, as fields", async () => {
    const sql = "SELECT 1\nFROM range(3)\nWHERE nope > 1";
    const error = await engine.query(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).line).toBe(3);
    expect((error as QueryError).type).toBe("Binder");
    expect((error as QueryError).message).not.toContain("\n");
  });
});

describe("query(sql) and ENUM columns", () => {
  it("returns the values of ENUM columns (which polled results lose)", async () => {
    const table = await engine.query("SELECT 'b'::ENUM('a', 'b') AS mood FROM range(2)");
    expect(toRows(table)).toEqual([{ mood: "b" }, { mood: "b" }]);
  });

  it("a statement that writes and returns an ENUM runs once and says to cast it", async () => {
    await engine.query("CREATE TABLE moods (mood ENUM('calm', 'busy'))");
    const sql = "INSERT INTO moods VALUES ('calm') RETURNING mood";
    const error = await engine.query(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toMatch(/cast it to VARCHAR/);
    expect(toRows(await engine.query("SELECT count(*) AS n FROM moods"))).toEqual([{ n: 1 }]);
  });
});
