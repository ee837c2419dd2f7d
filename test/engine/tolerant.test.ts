import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRight, loadedSql, polluted, POLLUTIONS, type Kind } from "../../bench/pollution.ts";
import { createNodeEngine } from "../../src/engine/node.ts";
import { LoadError, toRows, type Engine } from "../../src/engine/index.ts";

let engine: Engine<string>;
let dir: string;

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-tolerant-"));
  engine = await createNodeEngine();
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

/** `n` data rows `i,name i,12.5` with the rows in `bad` replaced by `badRow(i)`. */
function rows(n: number, bad: Map<number, string>): string {
  const out = ["id,name,amount"];
  for (let i = 1; i <= n; i++) out.push(bad.get(i) ?? `${i},name ${i},12.5`);
  return out.join("\n") + "\n";
}

describe("registerFile(csv): bad rows are kept apart, never fatal by surprise, never silent", () => {
  it("three bad rows in 30,000: the others load, the three are in <name>_rejected with line, column, reason and raw text", async () => {
    // The value that is not a number lies past DuckDB's sample of 20,480 rows, which types
    // the column: within it, the column would be read as text.
    const bad = new Map([
      [10, "10,name 10,12.5,extra"],
      [500, "500,name 500"],
      [25_000, "25000,name 25000,not a number"],
    ]);
    const info = await engine.registerFile(await file("orders.csv", rows(30_000, bad)));
    expect(info.rowCount).toBe(29_997);
    expect(info.load).toMatchObject({ rejected: 3, rejectedTable: "orders_rejected" });
    expect(info.rowCount + info.load!.rejected).toBe(30_000);
    const rejected = toRows(await engine.query("SELECT * FROM orders_rejected ORDER BY line"));
    expect(rejected.map((r) => [r.line, r.raw])).toEqual([
      [11, "10,name 10,12.5,extra"],
      [501, "500,name 500"],
      [25_001, "25000,name 25000,not a number"],
    ]);
    expect(rejected[2]).toMatchObject({ column: "amount" });
    expect(String(rejected[2]!.reason)).toMatch(/not a number/);
    expect(String(rejected[0]!.reason)).toMatch(/expected 3 columns, found 4/);
    // The shifted row is not loaded: every loaded amount is the file's.
    const [sum] = toRows(await engine.query("SELECT count(*) AS n, sum(amount) AS s FROM orders"));
    expect(sum).toEqual({ n: 29_997, s: 29_997 * 12.5 });
  });

  it("a clean load drops the <name>_rejected of an earlier one", async () => {
    await engine.registerFile(await file("orders.csv", rows(50, new Map([[3, "3,x"]]))));
    await engine.query("SELECT * FROM orders_rejected");
    const info = await engine.registerFile(await file("orders.csv", rows(50, new Map())));
    expect(info.load?.rejected).toBe(0);
    await expect(engine.query("SELECT * FROM orders_rejected")).rejects.toThrow(/orders_rejected/);
  });

  it("more than 5 % bad rows fails with the count, the layout and the first bad line; the old table stays", async () => {
    await engine.registerFile(await file("many.csv", rows(10, new Map())));
    const bad = new Map(Array.from({ length: 20 }, (_, k) => [k * 5 + 1, `${k},x`] as const));
    const error = await engine.registerFile(await file("many.csv", rows(100, bad))).catch((e) => e);
    expect(error).toBeInstanceOf(LoadError);
    expect(error.message).toMatch(
      /^many\.csv, line 2: expected 3 columns, found 2; 20 of 100 rows \(20 %\) do not fit ','-separated, .*: set the separator and quote in the import options; nothing was loaded$/,
    );
    expect((await engine.describe("many")).rowCount).toBe(10);
  });

  it("badRows: fail fails on the first bad row, as before", async () => {
    const path = await file("strict.csv", rows(100, new Map([[40, "40,x"]])));
    const error = await engine.registerFile(path, { badRows: "fail" }).catch((e) => e);
    expect([error.line, error.reason]).toEqual([
      41,
      "expected 3 columns, found 2 (1 malformed row; nothing was loaded)",
    ]);
  });

  it("a stray quote in one row does not change how the others are read", async () => {
    const text = [
      "id,name,city",
      ...Array.from({ length: 60 }, (_, i) =>
        i === 30 ? `${i},Jo"hn,Paris` : `${i},"Smith, Ann",London`,
      ),
    ].join("\n");
    const info = await engine.registerFile(await file("stray.csv", text + "\n"));
    expect(info.columns.map((c) => c.name)).toEqual(["id", "name", "city"]);
    expect(info.rowCount + info.load!.rejected).toBe(60);
    const [row] = toRows(await engine.query("SELECT name FROM stray WHERE id = 0"));
    expect(row).toEqual({ name: "Smith, Ann" });
  });
});

describe("registerFile(csv): the layout", () => {
  it("a preamble above the header and a header over two lines are passed over, and said so", async () => {
    const data = Array.from({ length: 30 }, (_, i) => `${i},name ${i},${i}.5`).join("\n");
    const pre = await engine.registerFile(
      await file("pre.csv", `Sales export\nGenerated 2025-01-02\nid,name,amount\n${data}\n`),
    );
    expect(pre.columns.map((c) => c.name)).toEqual(["id", "name", "amount"]);
    expect(pre.rowCount).toBe(30);
    expect(pre.load?.notes.join(" ")).toMatch(/2 lines above the table/);
    const two = await engine.registerFile(
      await file("two.csv", `id,name,amount\n,full name,EUR\n${data}\n`),
    );
    expect(two.columns.map((c) => [c.name, c.type])).toEqual([
      ["id", "BIGINT"],
      ["name", "VARCHAR"],
      ["amount", "DOUBLE"],
    ]);
    expect(two.rowCount).toBe(30);
    expect(two.load?.notes.join(" ")).toMatch(/header takes 2 lines/);
  });

  it("Latin-1 text fails as UTF-8 with the encoding to choose, and loads with encoding: latin-1", async () => {
    const bytes = Uint8Array.from([
      ...Buffer.from("name,city\nAna,M"),
      0xe1,
      ...Buffer.from("laga\n"),
    ]);
    const path = await file("latin.csv", bytes);
    const error = await engine.registerFile(path).catch((e) => e);
    expect(error.message).toMatch(/^latin\.csv, line 2: not valid UTF-8 .*choose that encoding/);
    const info = await engine.registerFile(path, { encoding: "latin-1" });
    expect(info.load?.used.encoding).toBe("latin-1");
    expect(toRows(await engine.query("SELECT city FROM latin"))).toEqual([{ city: "Málaga" }]);
  });

  it("UTF-16 with a byte-order mark is read as such", async () => {
    const text = "id,city\n1,Zürich\n2,Kraków\n";
    const bytes = Uint8Array.from([0xff, 0xfe, ...Buffer.from(text, "utf16le")]);
    const info = await engine.registerFile(await file("wide.csv", bytes));
    expect(info.load?.used.encoding).toBe("utf-16");
    expect(toRows(await engine.query("SELECT city FROM wide ORDER BY id"))).toEqual([
      { city: "Zürich" },
      { city: "Kraków" },
    ]);
  });

  it("the user's delimiter, quote, header and column types are applied", async () => {
    const path = await file("opts.csv", "a;b\n'x;y';00123\n'z';00456\n");
    const info = await engine.registerFile(path, {
      delimiter: ";",
      quote: "'",
      header: true,
      types: { b: "VARCHAR" },
    });
    expect(info.columns).toEqual([
      { name: "a", type: "VARCHAR" },
      { name: "b", type: "VARCHAR" },
    ]);
    expect(toRows(await engine.query("SELECT * FROM opts"))).toEqual([
      { a: "x;y", b: "00123" },
      { a: "z", b: "00456" },
    ]);
  });
});

describe("registerFile(): dates held as text become dates", () => {
  it("US dates with a time (12/1/2010 8:26) become TIMESTAMP, month first when no day is over 12", async () => {
    const lines = [
      "InvoiceDate,Quantity",
      "12/1/2010 8:26,6",
      "12/13/2010 17:05,2",
      "1/2/2011 9:00,1",
    ];
    const info = await engine.registerFile(await file("us.csv", lines.join("\n") + "\n"));
    expect(info.columns[0]).toEqual({ name: "InvoiceDate", type: "TIMESTAMP" });
    expect(info.load?.converted).toEqual([
      { column: "InvoiceDate", type: "TIMESTAMP", format: "%m/%d/%Y %H:%M" },
    ]);
    expect(toRows(await engine.query("SELECT min(InvoiceDate) AS first FROM us"))).toEqual([
      { first: new Date("2010-12-01T08:26:00Z") },
    ]);
  });

  it("day-first dates are told apart by a day over 12; a column with one non-date stays text", async () => {
    const eu = await engine.registerFile(
      await file("eu.csv", "day,n\n01/02/2024,1\n25/02/2024,2\n"),
    );
    expect(eu.columns[0]).toEqual({ name: "day", type: "DATE" });
    expect(toRows(await engine.query("SELECT day FROM eu ORDER BY n"))).toEqual([
      { day: new Date("2024-02-01") },
      { day: new Date("2024-02-25") },
    ]);
    const mixed = await engine.registerFile(
      await file("mixed.csv", "day,n\n01/02/2024,1\nsoon,2\n"),
    );
    expect(mixed.columns[0]).toEqual({ name: "day", type: "VARCHAR" });
    const kept = await engine.registerFile(await file("kept.csv", "day,n\n12/1/2010 8:26,1\n"), {
      types: { day: "VARCHAR" },
    });
    expect(kept.columns[0]).toEqual({ name: "day", type: "VARCHAR" });
  });
});

describe("the polluted corpus (bench/pollution.ts)", () => {
  const load = async (kind: Kind, withOptions: boolean) => {
    const f = polluted(kind, 1, 120);
    const info = await engine.registerFile(await file(f.name, f.bytes), {
      table: "t",
      ...(withOptions ? f.options : {}),
    });
    const names = info.columns.map((c) => c.name);
    const [r] = toRows(await engine.query(loadedSql("t", names)));
    return isRight(f, {
      names,
      ids: (r!.ids as number[]).map(Number),
      amount: Number(r!.amount),
    });
  };
  const auto = POLLUTIONS.filter((k) => k !== "latin-1");
  it.each(auto)("%s loads with the right rows and columns, with no options", async (kind) => {
    expect(await load(kind, false)).toBe(true);
  });
  it("a Latin-1 file loads right given its encoding", async () => {
    expect(await load("latin-1", true)).toBe(true);
  });
});

describe("registerFile(csv): progress and stopping", () => {
  const big = () => {
    const lines = ["id,name,amount"];
    // Long enough to load that DuckDB reports its progress (after 200 ms) several times.
    for (let i = 0; i < 2_000_000; i++) lines.push(`${i},c${i % 1000},${i % 97}.5`);
    return lines.join("\n") + "\n";
  };

  it("reports DuckDB's progress through the file in bytes, up to the whole file", async () => {
    const path = await file("big.csv", big());
    const seen: { loaded: number; total: number; unit: string }[] = [];
    const info = await engine.registerFile(path, { onProgress: (p) => seen.push(p) });
    expect(info.rowCount).toBe(2_000_000);
    expect(seen.length).toBeGreaterThan(0);
    const total = seen[0]!.total;
    expect(seen.every((p) => p.unit === "bytes" && p.total === total)).toBe(true);
    expect(seen.at(-1)!.loaded).toBeGreaterThan(0.9 * total);
  });

  it("a stopped load rejects and leaves the table it would replace", async () => {
    await engine.registerFile(await file("stopme.csv", "id\n1\n"));
    const path = await file("stopme.csv", big());
    const stop = new AbortController();
    const loading = engine.registerFile(path, {
      signal: stop.signal,
      onProgress: () => stop.abort(),
    });
    await expect(loading).rejects.toThrow(/stopped/i);
    expect((await engine.describe("stopme")).rowCount).toBe(1);
  });
});
