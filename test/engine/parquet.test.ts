import { readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  Bool,
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMillisecond,
  Utf8,
  tableFromArrays,
  tableToIPC,
  vectorFromArray,
} from "apache-arrow";
import {
  readParquet,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from "parquet-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeEngine } from "../../src/engine/node.ts";
import type { Backend } from "../../src/engine/backend.ts";
import {
  batchRows,
  bytesOf,
  duckdbMessage,
  loadParquet,
  ParquetFailure,
  readInWorker,
  type DecoderWorker,
  type ParquetReply,
  type ParquetRequest,
} from "../../src/engine/parquet.ts";
import { ndjsonToArray } from "../../src/engine/json.ts";
import { LoadError, toRows, type Engine, type LoadProgress } from "../../src/engine/index.ts";

let engine: Engine<string>;
let dir: string;
/** 5,000 rows of six kinds of column in five row groups of 1,000: five batches. */
let parquet: Uint8Array;

/** The fixture: every value derives from the row number; some names are null. */
function fixture(rows = 5000, rowGroup = 1000): Uint8Array {
  const each = <T>(f: (i: number) => T) => Array.from({ length: rows }, (_, i) => f(i));
  const table = new Table({
    id: vectorFromArray(
      each((i) => i),
      new Int32(),
    ),
    big: vectorFromArray(
      each((i) => BigInt(i) * 1_000_003n),
      new Int64(),
    ),
    score: vectorFromArray(
      each((i) => i / 8),
      new Float64(),
    ),
    kind: vectorFromArray(
      each((i) => `k${Math.floor(i / rowGroup)}`),
      new Dictionary(new Utf8(), new Int32()),
    ),
    name: vectorFromArray(
      each((i) => (i % 7 === 0 ? null : `name ${i}`)),
      new Utf8(),
    ),
    day: vectorFromArray(
      each((i) => new Date(Date.UTC(2024, 0, 1 + (i % 300)))),
      new DateDay(),
    ),
    at: vectorFromArray(
      each((i) => new Date(Date.UTC(2024, 0, 1) + i * 60_000)),
      new TimestampMillisecond(),
    ),
    flag: vectorFromArray(
      each((i) => i % 3 === 0),
      new Bool(),
    ),
  });
  const properties = new WriterPropertiesBuilder().setMaxRowGroupSize(rowGroup).build();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, "stream")), properties);
}

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the load to fail");
    },
    (error: unknown) => error,
  );
}

async function loadError(path: string): Promise<LoadError> {
  const error = await failure(engine.registerFile(path, { table: "kept" }));
  if (!(error instanceof LoadError)) throw error;
  return error;
}

/** The user's tables: no staging table may be left among them. */
async function tableNames(): Promise<string[]> {
  return (await engine.tables()).map((t) => t.name);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-parquet-"));
  engine = await createNodeEngine();
  parquet = fixture();
  await engine.registerFile(await file("kept.csv", "a,b\n1,x\n2,y\n"));
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("Parquet, loaded batch by batch", () => {
  it("gives the same table, rows and types as decoding the file whole did", async () => {
    const path = await file("mixed.parquet", parquet);
    const streamed = await engine.registerFile(path, { table: "streamed" });
    // The former way: the whole file decoded by readParquet, inserted in one piece.
    const whole = await engine.registerArrow("whole", readParquet(parquet).intoIPCStream());
    expect(streamed.columns).toEqual(whole.columns);
    expect(streamed.rowCount).toBe(5000);
    expect(streamed.columns.map((c) => c.type)).toEqual([
      "INTEGER",
      "BIGINT",
      "DOUBLE",
      "VARCHAR",
      "VARCHAR",
      "DATE",
      "TIMESTAMP_MS",
      "BOOLEAN",
    ]);
    // Row by row, in the file's order.
    expect(toRows(await engine.query("SELECT * FROM streamed"))).toEqual(
      toRows(await engine.query("SELECT * FROM whole")),
    );
    expect(await tableNames()).not.toContain("__strata_parquet_staging");
  });

  it("the sample store's Parquet file loads as it did whole", async () => {
    const path = resolve(import.meta.dirname, "../../datasets/store-orders.parquet");
    const bytes = new Uint8Array(await readFile(path));
    // Its dates are text in the file; kept so, the load is the whole file's decode exactly.
    const streamed = await engine.registerFile(path, {
      table: "store_streamed",
      types: { invoice_date: "VARCHAR" },
    });
    const whole = await engine.registerArrow("store_whole", readParquet(bytes).intoIPCStream());
    expect(streamed.columns).toEqual(whole.columns);
    expect(streamed.rowCount).toBe(whole.rowCount);
    const differ = await engine.query(
      "SELECT count(*) AS n FROM (SELECT * FROM store_streamed EXCEPT ALL SELECT * FROM store_whole)",
    );
    expect(toRows(differ)).toEqual([{ n: 0 }]);
    // By default they become timestamps, every one of them.
    const typed = await engine.registerFile(path, { table: "store_typed" });
    expect(typed.columns.find((c) => c.name === "invoice_date")?.type).toBe("TIMESTAMP");
    expect(typed.load?.converted).toEqual([{ column: "invoice_date", type: "TIMESTAMP" }]);
    const [same] = toRows(
      await engine.query(
        "SELECT count(*) AS n FROM store_typed t JOIN store_whole w ON t.invoice = w.invoice AND t.product = w.product AND t.invoice_date = CAST(w.invoice_date AS TIMESTAMP)",
      ),
    );
    expect(same?.n).toBeGreaterThanOrEqual(whole.rowCount);
  });

  it("reports progress in rows, batch by batch, up to the footer's total", async () => {
    const seen: LoadProgress[] = [];
    const info = await engine.registerFile(await file("progress.parquet", parquet), {
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.loaded)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(seen.every((p) => p.total === 5000 && p.unit === "rows")).toBe(true);
    expect(info.rowCount).toBe(5000);
  });

  it("a file with no rows is a table with its columns", async () => {
    const empty = fixture(0);
    const info = await engine.registerFile(await file("none.parquet", empty));
    expect(info.rowCount).toBe(0);
    expect(info.columns.map((c) => c.name)).toEqual([
      "id",
      "big",
      "score",
      "kind",
      "name",
      "day",
      "at",
      "flag",
    ]);
  });

  it("a stop, at once or midway, leaves the table it would replace as it was", async () => {
    const path = await file("stopped.parquet", parquet);
    const before = toRows(await engine.query("SELECT * FROM kept ORDER BY a"));

    const early = new AbortController();
    early.abort();
    const first = await failure(engine.registerFile(path, { table: "kept", signal: early.signal }));
    expect((first as Error).name).toBe("AbortError");

    // Midway: after the second batch went in.
    const midway = new AbortController();
    const seen: number[] = [];
    const second = await failure(
      engine.registerFile(path, {
        table: "kept",
        signal: midway.signal,
        onProgress: ({ loaded }) => {
          seen.push(loaded);
          if (loaded >= 2000) midway.abort();
        },
      }),
    );
    expect((second as Error).name).toBe("AbortError");
    expect(seen).toEqual([0, 1000, 2000]);

    // While the worker decodes the first batch.
    const waiting = new AbortController();
    const third = await failure(
      engine.registerFile(path, {
        table: "kept",
        signal: waiting.signal,
        onProgress: ({ loaded }) => loaded === 0 && waiting.abort(),
      }),
    );
    expect((third as Error).name).toBe("AbortError");

    expect(toRows(await engine.query("SELECT * FROM kept ORDER BY a"))).toEqual(before);
    expect(await tableNames()).not.toContain("__strata_parquet_staging");
    // And the next load goes through.
    expect((await engine.registerFile(path, { table: "after_stop" })).rowCount).toBe(5000);
  });

  it("a truncated file says so in one line, and the old table stays", async () => {
    const cut = await file("cut.parquet", parquet.subarray(0, parquet.length >> 1));
    expect((await loadError(cut)).message).toBe(
      "cut.parquet: the file is truncated or damaged: it does not end with PAR1, as every whole Parquet file does",
    );
    // The end is there, but the footer's length is not.
    const tail = parquet.subarray(parquet.length - 8);
    const lying = await file(
      "lying.parquet",
      Uint8Array.from([...parquet.subarray(0, 64), ...tail]),
    );
    expect((await loadError(lying)).reason).toMatch(
      /^the file is truncated or damaged: its footer claims [\d,]+ bytes of a 72-byte file$/,
    );
    expect(toRows(await engine.query("SELECT count(*) AS n FROM kept"))).toEqual([{ n: 2 }]);
  });

  it("damaged data fails the load with one line, not a crash, and the engine goes on", async () => {
    // The first data page's header overwritten: parquet-wasm's reader panics on it.
    const damaged = Uint8Array.from(parquet);
    damaged.fill(0xff, 4, 68);
    const error = await loadError(await file("damaged.parquet", damaged));
    expect(error.message).toMatch(/^damaged\.parquet: the file is truncated or damaged: /);
    expect(error.message).not.toContain("\n");
    expect(error.message).not.toMatch(/unreachable|RuntimeError|panic/);
    expect(toRows(await engine.query("SELECT count(*) AS n FROM kept"))).toEqual([{ n: 2 }]);
    expect((await engine.registerFile(await file("fine.parquet", parquet))).rowCount).toBe(5000);
  });

  it("a file larger than DuckDB's memory is refused before decoding, with the limit", async () => {
    // The footer promises 5 GiB of columns; DuckDB-WASM's limit is 3.1 GiB.
    let closed = false;
    const ran: string[] = [];
    const backend = {
      read: async () => Uint8Array.from([1, 0, 0, 0, 0x50, 0x41, 0x52, 0x31]),
      openParquet: async () => ({
        rows: 40_000_000,
        decodedBytes: 5 * 2 ** 30,
        schema: new Uint8Array(),
        next: async () => {
          throw new Error("nothing may be decoded");
        },
        close: () => (closed = true),
      }),
    } as unknown as Backend<string>;
    const host = {
      backend,
      run: async (sql: string) => {
        ran.push(sql);
        return tableFromArrays({ memory: ["3.1 GiB"], spill: [""] });
      },
    };
    const load = {
      source: "huge.parquet",
      fileName: "huge.parquet",
      format: "parquet" as const,
      table: "huge",
      virtualName: "strata-1-huge.parquet",
      size: 1_000_000,
      head: new Uint8Array(),
    };
    const error = await failure(loadParquet(host, load));
    expect((error as LoadError).message).toBe(
      "huge.parquet: it decodes to about 5.0 GiB, more than the 3.1 GiB DuckDB-WASM can hold (its WebAssembly memory ends at 4 GiB, in the browser and in `strata run` alike): load part of it, fewer columns or a file split in parts",
    );
    expect(closed).toBe(true);
    expect(ran).toHaveLength(1);
  });

  it("a view in the table's place fails the load with DuckDB's reason and stays", async () => {
    await engine.query("CREATE VIEW seen AS SELECT 1 AS one");
    const error = await failure(
      engine.registerFile(await file("seen.parquet", parquet), { table: "seen" }),
    );
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).message).toMatch(/^seen\.parquet: Catalog Error: .*View/);
    expect(toRows(await engine.query("SELECT * FROM seen"))).toEqual([{ one: 1 }]);
    expect(await tableNames()).not.toContain("__strata_parquet_staging");
  });

  it("duckdbMessage() turns DuckDB-WASM's JSON errors into DuckDB's words", () => {
    const json = '{"exception_type":"Invalid Input","exception_message":"no columns"}';
    expect(duckdbMessage(new Error(json))).toBe("Invalid Input Error: no columns");
    expect(duckdbMessage(new Error("Out of Memory Error: x"))).toBe("Out of Memory Error: x");
  });

  it("bytesOf() reads DuckDB's sizes; batchRows() aims at 16 MB a batch, within bounds", () => {
    expect(bytesOf("3.1 GiB")).toBeCloseTo(3.1 * 2 ** 30);
    expect(bytesOf("100.0 MB")).toBe(100e6);
    expect(bytesOf("512 bytes")).toBe(512);
    expect(bytesOf("unlimited")).toBeUndefined();
    expect(batchRows(1_000_000, 160_000_000)).toBe(104_858);
    expect(batchRows(10, 10 * 1e9)).toBe(1_024);
    expect(batchRows(1e9, 1e9)).toBe(1_048_576);
    expect(batchRows(0, 0)).toBe(65_536);
  });
});

describe("JSON and NDJSON that are not tables", () => {
  it("a JSON object says it expected an array of objects, and where the rows are", async () => {
    const wrapped = await file("wrapped.json", '{"data": [{"a": 1}, {"a": 2}], "count": 2}');
    expect((await loadError(wrapped)).message).toBe(
      'wrapped.json: expected an array of objects, one per row, but the file is an object: its key "data" holds an array of 2 objects; save that array on its own to load them',
    );
    const single = await file("single.json", '{"a": 1, "b": "x"}');
    expect((await loadError(single)).reason).toBe(
      "expected an array of objects, one per row, but the file is a single object: put it in [ ] to load it as one row",
    );
    // An object of column arrays is a table by columns.
    const columns = await file("columns.json", '{"a": [1, 2], "b": ["x", "y"]}');
    expect((await engine.registerFile(columns)).rowCount).toBe(2);
    expect(toRows(await engine.query("SELECT count(*) AS n FROM kept"))).toEqual([{ n: 2 }]);
  });

  it("an NDJSON file with one broken line names that line", async () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: i, name: `n${i}` }));
    lines[26] = '{"id": 26, "name": "n26"';
    const broken = await file("events.ndjson", `${lines.join("\n")}\n`);
    expect((await loadError(broken)).message).toMatch(/^events\.ndjson, line 27: not valid JSON: /);
    lines[26] = "[26]";
    const array = await file("arrays.ndjson", `${lines.join("\n")}\n`);
    expect((await loadError(array)).message).toBe(
      "arrays.ndjson, line 27: expected one JSON object per line, found an array",
    );
    expect(toRows(await engine.query("SELECT count(*) AS n FROM kept"))).toEqual([{ n: 2 }]);
  });

  it("ndjsonToArray() reads in chunks: lines across chunk ends, CRLF, blank lines, UTF-8", async () => {
    const text = '{"a":"é"}\r\n\n{"a":"ü€"}\n   \n{"a":"z"}';
    const bytes = new TextEncoder().encode(text);
    const read = async (start: number, end: number) => bytes.subarray(start, end);
    for (const chunk of [1, 3, 7, 64]) {
      const array = await ndjsonToArray("x.ndjson", bytes.length, read, chunk);
      expect(JSON.parse(new TextDecoder().decode(array))).toEqual([
        { a: "é" },
        { a: "ü€" },
        { a: "z" },
      ]);
    }
    const bad = new TextEncoder().encode('{"a":1}\n\n{"a":2}\n{"a":\n');
    const error = await failure(
      ndjsonToArray("x.ndjson", bad.length, async (s, e) => bad.subarray(s, e), 5),
    );
    expect((error as LoadError).line).toBe(4);
  });
});

/** A decoder worker that answers from a script: each request gets the next reply, or a crash. */
function scriptedWorker(replies: (ParquetReply | { crash: string })[]) {
  const asked: ParquetRequest<string>[] = [];
  let terminated = false;
  let reply: (r: ParquetReply) => void = () => undefined;
  let crash: (m: string) => void = () => undefined;
  const worker: DecoderWorker<string> = {
    post: (request) => {
      asked.push(request);
      const next = replies.shift();
      // Answers come later, as a worker's would.
      setTimeout(() => {
        if (next && "crash" in next) crash(next.crash);
        else if (next) reply(next);
      });
    },
    listen: (onReply, onCrash) => {
      reply = onReply;
      crash = onCrash;
    },
    terminate: () => (terminated = true),
  };
  return { worker, asked, terminated: () => terminated };
}

describe("readInWorker()", () => {
  const wasm = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  const opened: ParquetReply = {
    kind: "opened",
    rows: 3,
    decodedBytes: 30,
    schema: new Uint8Array(),
  };
  const batch = (rows: number): ParquetReply => ({
    kind: "batch",
    ipc: new Uint8Array(rows),
    rows,
  });

  it("asks for the next batch while the caller works on this one, and ends the worker on close", async () => {
    const { worker, asked, terminated } = scriptedWorker([
      opened,
      batch(2),
      batch(1),
      { kind: "end" },
    ]);
    const reader = await readInWorker(worker, "f.parquet", wasm);
    expect(reader.rows).toBe(3);
    expect((await reader.next())?.rows).toBe(2);
    // The second batch was asked for before the caller asked.
    expect(asked.map((r) => r.kind)).toEqual(["open", "next", "next"]);
    expect((await reader.next())?.rows).toBe(1);
    expect(await reader.next()).toBeUndefined();
    expect(terminated()).toBe(false);
    reader.close();
    expect(terminated()).toBe(true);
  });

  it("a failure or a crash rejects as a ParquetFailure that says where, and ends the worker", async () => {
    const failed = scriptedWorker([opened, { kind: "failed", message: "Parquet error: EOF" }]);
    const reader = await readInWorker(failed.worker, "f.parquet", wasm);
    const error = await failure(reader.next());
    expect(error).toBeInstanceOf(ParquetFailure);
    expect(error).toMatchObject({ stage: "read", crashed: false, message: "Parquet error: EOF" });
    expect(failed.terminated()).toBe(true);

    const crashed = scriptedWorker([{ crash: "RuntimeError: unreachable" }]);
    const open = await failure(readInWorker(crashed.worker, "f.parquet", wasm));
    expect(open).toMatchObject({ stage: "open", crashed: true });
    expect(crashed.terminated()).toBe(true);
  });

  it("a signal rejects what waits with its reason and ends the worker", async () => {
    const stop = new AbortController();
    // The worker never answers the first next.
    const { worker, terminated } = scriptedWorker([opened]);
    const reader = await readInWorker(worker, "f.parquet", wasm, stop.signal);
    const waiting = failure(reader.next());
    stop.abort();
    expect(((await waiting) as Error).name).toBe("AbortError");
    expect(terminated()).toBe(true);
  });
});
