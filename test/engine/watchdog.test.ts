import { tableFromArrays, type Table } from "apache-arrow";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Backend } from "../../src/engine/backend.ts";
import { DuckEngine } from "../../src/engine/duck.ts";
import { EngineLost } from "../../src/engine/index.ts";
import { watched, Watchdog } from "../../src/engine/watchdog.ts";

afterEach(() => {
  vi.useRealTimers();
});

/** A promise that never settles: a worker that is gone never answers. */
const never = () => new Promise<never>(() => undefined);

describe("Watchdog", () => {
  it("a ping unanswered past the limit loses the worker: waiting calls fail, later ones at once", async () => {
    vi.useFakeTimers();
    const lost: EngineLost[] = [];
    const dog = new Watchdog({
      ping: never,
      onLost: (e) => lost.push(e),
      idleLimitMs: 5_000,
      pollingLimitMs: 5_000,
      everyMs: 1_000,
    });
    const waiting = dog.guard(never, false);
    const failed = waiting.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4_500);
    expect(lost).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.message).toMatch(
      /^DuckDB stopped working \(its worker did not answer for 6 s\)/,
    );
    expect(await failed).toBe(lost[0]);
    await expect(dog.guard(async () => 1, false)).rejects.toBeInstanceOf(EngineLost);
  });

  it("while a polled query runs, a long task in DuckDB is not a lost worker: the polling limit applies", async () => {
    vi.useFakeTimers();
    const onLost = vi.fn();
    const dog = new Watchdog({
      ping: never,
      onLost,
      idleLimitMs: 4_000,
      pollingLimitMs: 30_000,
      everyMs: 1_000,
    });
    void dog.guard(never, false).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(onLost).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(onLost).toHaveBeenCalledTimes(1);
  });

  it("a computer waking from sleep is not a lost worker: one late beat is not enough", async () => {
    vi.useFakeTimers();
    const onLost = vi.fn();
    let pong: () => void = () => undefined;
    const dog = new Watchdog({
      ping: () => new Promise<void>((r) => (pong = r)),
      onLost,
      idleLimitMs: 5_000,
      everyMs: 1_000,
    });
    await vi.advanceTimersByTimeAsync(1_000);
    // Asleep for a minute: the clock moves on, no timer fires; on waking the answer comes.
    vi.setSystemTime(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(1_000);
    pong();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(onLost).not.toHaveBeenCalled();
    dog.dispose();
  });

  it("a call that holds the worker gets the longer limit; pings answered keep it alive", async () => {
    vi.useFakeTimers();
    // While the worker is held, pings wait; they are answered once it is free again.
    let answer = true;
    const queued: (() => void)[] = [];
    const onLost = vi.fn();
    const dog = new Watchdog({
      ping: () => (answer ? Promise.resolve() : new Promise<void>((r) => queued.push(r))),
      onLost,
      idleLimitMs: 5_000,
      busyLimitMs: 60_000,
      everyMs: 1_000,
    });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(onLost).not.toHaveBeenCalled();
    answer = false;
    let finish: () => void = () => undefined;
    const insert = dog.guard(() => new Promise<void>((r) => (finish = r)), true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(onLost).not.toHaveBeenCalled();
    finish();
    await insert;
    answer = true;
    for (const pong of queued) pong();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onLost).not.toHaveBeenCalled();
    dog.dispose();
  });

  it("lose(reason) from the worker's error event fails what waits, once", async () => {
    const onLost = vi.fn();
    const dog = new Watchdog({ ping: async () => undefined, onLost });
    const backend = watched(fakeBackend({ query: never }), dog);
    const query = backend.query("SELECT 1");
    dog.lose("its worker failed: out of memory");
    dog.lose("again");
    await expect(query).rejects.toThrow(
      "DuckDB stopped working (its worker failed: out of memory); it is being restarted",
    );
    expect(onLost).toHaveBeenCalledTimes(1);
  });
});

describe("DuckEngine after a failed load", () => {
  it("checks that DuckDB still reads a known file right before the next load, and gives up a database that does not", async () => {
    const broken = vi.fn();
    const sqls: string[] = [];
    const engine = new DuckEngine(
      fakeBackend({
        query: async (sql) => {
          sqls.push(sql);
          if (sql.includes("read_csv('strata-")) {
            // The user's load fails; the check then reads one empty column, as a damaged one did.
            if (sql.includes("strata-check")) return tableFromArrays({ column0: new Int32Array() });
            throw new Error("Invalid Input Error: the file changed while it was read");
          }
          return tableFromArrays({ n: new Int32Array() });
        },
        broken,
      }),
    );
    await expect(engine.registerFile("big.csv")).rejects.toThrow(/big\.csv/);
    expect(sqls.some((s) => s.includes("strata-check"))).toBe(false);
    const next = await engine.registerFile("small.csv").catch((e: unknown) => e);
    expect(next).toBeInstanceOf(EngineLost);
    expect(broken).toHaveBeenCalledWith("after a failed load it read a known file wrong");
    // The load itself never ran on the damaged database.
    expect(sqls.filter((s) => s.includes("small.csv"))).toEqual([]);
  });
});

describe("DuckEngine when DuckDB runs out of memory loading a file", () => {
  it("gives the database up at once, and the load fails with its own reason", async () => {
    const broken = vi.fn();
    const engine = new DuckEngine(
      fakeBackend({
        query: async (sql) => {
          if (sql.includes("read_csv('strata-"))
            throw new Error("Out of Memory Error: failed to allocate data of size 2.4 GiB");
          return tableFromArrays({ n: new Int32Array() });
        },
        broken,
      }),
    );
    const error = await engine.registerFile("big.csv").catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(EngineLost);
    expect((error as Error).message).toMatch(/^big\.csv.*Out of Memory|^big\.csv.*allocate/);
    expect(broken).toHaveBeenCalledWith("it ran out of memory loading big.csv");
  });
});

/** A backend whose files are small CSV texts and whose SQL answers as `query` says. */
function fakeBackend(overrides: Partial<Backend<string>>): Backend<string> {
  const text = new TextEncoder().encode("a,b\n1,x\n");
  const nothing = async () => undefined;
  return {
    query: async () => tableFromArrays({}) as Table,
    queryWhole: async () => tableFromArrays({}) as Table,
    nameOf: (path) => path,
    sizeOf: async () => text.length,
    read: async () => text,
    registerSource: nothing,
    registerBytes: nothing,
    dropFile: nothing,
    insertArrowIPC: nothing,
    insertJSON: nothing,
    openParquet: async () => {
      throw new Error("no Parquet here");
    },
    reset: nothing,
    close: nothing,
    ...overrides,
  };
}
