import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { parse, serialize } from "../../src/notebook/index.ts";
import {
  blobChunks,
  blobSink,
  BundleError,
  packNotebook,
  readZip,
  unpackNotebook,
} from "../../src/workspace/index.ts";
import { bytesOf, chunked, randomBytes, recorder, text } from "./zipHelpers.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");

const NOTEBOOK = `---
title: Orders
datasets:
  orders: data/orders.csv
  birds: ../datasets/penguins.json
  remote: https://example.com/files/events.ndjson?v=2
  absent: missing.csv
---

# Orders

\`\`\`sql n
SELECT count(*) AS n FROM orders
\`\`\`
`;

/** The paths and bytes inside a zip Blob. */
async function contents(zip: Blob): Promise<Map<string, Uint8Array>> {
  const { open } = recorder();
  const entries = await readZip(blobChunks(zip), "t.zip", open);
  return new Map(entries.map((e) => [e.path, e.value]));
}

async function unpack(zip: Uint8Array | Blob, name = "x.zip") {
  const chunks = zip instanceof Blob ? blobChunks(zip) : chunked(zip);
  return unpackNotebook(chunks, name, blobSink);
}

/** The one line unpackNotebook refuses `zip` with, and the sinks it had opened. */
async function refusal(zip: Uint8Array) {
  const { open, sinks } = recorder();
  const error = await unpackNotebook(chunked(zip), "x.zip", open).then(
    () => new Error("unpackNotebook accepted the zip"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BundleError);
  return { message: error instanceof Error ? error.message : "", sinks };
}

const md = (datasets: Record<string, string> = {}) =>
  text(
    serialize({
      ...parse("# x\n"),
      datasets: Object.entries(datasets).map(([name, source]) => ({ name, source })),
    }),
  );

describe("packNotebook and unpackNotebook", () => {
  it("packNotebook then unpackNotebook gives the notebook back and byte-identical files, a 9 MB Parquet too", async () => {
    const nb = parse(`---\ndatasets:\n  orders: data/orders.csv\n  big: big.parquet\n---\n\n# x\n`);
    const csv = text("id,amount\n1,2\n");
    const big = randomBytes(9 * 1024 * 1024, 3);
    const files = new Map([
      ["orders", new File([csv], "orders.csv")],
      ["big", new Blob([big])],
    ]);
    const zip = await packNotebook(nb, "my notebook", files);
    expect([...(await contents(zip)).keys()]).toEqual([
      "my notebook.md",
      "data/orders.csv",
      "big.parquet",
    ]);
    const out = await unpack(zip);
    expect(out.fileName).toBe("my notebook.md");
    expect(out.text).toBe(serialize(nb));
    expect(out.datasets.map((d) => [d.name, d.value.name, d.value.size])).toEqual([
      ["orders", "orders.csv", csv.length],
      ["big", "big.parquet", big.length],
    ]);
    expect(Buffer.from(await bytesOf(out.datasets[0]!.value)).equals(Buffer.from(csv))).toBe(true);
    expect(Buffer.from(await bytesOf(out.datasets[1]!.value)).equals(Buffer.from(big))).toBe(true);
  });

  it("packNotebook puts files from outside the notebook's folder beside it and rewrites their sources; absent files stay named", async () => {
    const nb = parse(NOTEBOOK);
    const files = new Map([
      ["orders", new File([text("a\n1\n")], "orders.csv")],
      ["birds", new Blob([text("[]")])],
      ["remote", new Blob([text("{}\n")])],
    ]);
    const zip = await packNotebook(nb, "orders", files);
    expect([...(await contents(zip)).keys()]).toEqual([
      "orders.md",
      "data/orders.csv",
      "penguins.json",
      "events.ndjson",
    ]);
    const out = await unpack(zip);
    expect(parse(out.text).datasets).toEqual([
      { name: "orders", source: "data/orders.csv" },
      { name: "birds", source: "penguins.json" },
      { name: "remote", source: "events.ndjson" },
      { name: "absent", source: "missing.csv" },
    ]);
    const rewritten = { ...nb, datasets: parse(out.text).datasets };
    expect(out.text).toBe(serialize(rewritten));
    expect(out.datasets.map((d) => d.name)).toEqual(["orders", "birds", "remote"]);
  });

  it("packNotebook de-duplicates base names that collide, in any case, with kept paths or each other", async () => {
    const nb = parse(
      "---\ndatasets:\n  a: orders.csv\n  b: ../x/orders.csv\n  c: /abs/Orders.csv\n  d: https://h/orders.csv\n---\n",
    );
    const file = (name: string) => new File([text(`${name}\n1\n`)], `${name}.csv`);
    const files = new Map([
      ["a", file("orders")],
      ["b", file("orders")],
      ["c", file("Orders")],
      ["d", new Blob([text("d\n1\n")])],
    ]);
    const zip = await packNotebook(nb, "n", files);
    expect([...(await contents(zip)).keys()]).toEqual([
      "n.md",
      "orders.csv",
      "orders-2.csv",
      "Orders-3.csv",
      "orders-4.csv",
    ]);
    const out = await unpack(zip);
    expect(parse(out.text).datasets.map((d) => d.source)).toEqual([
      "orders.csv",
      "orders-2.csv",
      "Orders-3.csv",
      "orders-4.csv",
    ]);
    expect(
      await Promise.all(out.datasets.map(async (d) => [d.name, await d.value.text()])),
    ).toEqual([
      ["a", "orders\n1\n"],
      ["b", "orders\n1\n"],
      ["c", "Orders\n1\n"],
      ["d", "d\n1\n"],
    ]);
  });

  it("packNotebook gives two datasets that name one path their own entries unless they are one file", async () => {
    // A table renamed in the app keeps its file's name; a new file of that name comes after it.
    const nb = parse(
      "---\ndatasets:\n  orders_2024: orders.csv\n  orders: orders.csv\n  again: orders.csv\n---\n",
    );
    const old = new File([text("year\n2024\n")], "orders.csv");
    const files = new Map([
      ["orders_2024", old],
      ["orders", new File([text("year\n2025\n")], "orders.csv")],
      ["again", old],
    ]);
    const out = await unpack(await packNotebook(nb, "n", files));
    expect(parse(out.text).datasets.map((d) => [d.name, d.source])).toEqual([
      ["orders_2024", "orders.csv"],
      ["orders", "orders-2.csv"],
      ["again", "orders.csv"],
    ]);
    expect(
      await Promise.all(out.datasets.map(async (d) => [d.name, await d.value.text()])),
    ).toEqual([
      ["orders_2024", "year\n2024\n"],
      ["orders", "year\n2025\n"],
      ["again", "year\n2024\n"],
    ]);
  });

  it("packNotebook refuses a dataset file that is not a data format, and a base name with folders", async () => {
    const nb = parse("---\ndatasets:\n  a: ../sheet.xlsx\n---\n");
    await expect(packNotebook(nb, "n", new Map([["a", new Blob(["x"])]]))).rejects.toThrow(
      "cannot pack dataset a: sheet.xlsx is not a data file (expected .csv, .txt, .tsv, .tab, .parquet, .pq, .json, .ndjson, .jsonl)",
    );
    await expect(packNotebook(nb, "a/n", new Map())).rejects.toThrow(
      "invalid notebook name a/n (expected a file name, no folders)",
    );
  });

  it("unpackNotebook reads a zip whose files sit in one top-level folder, as Finder and Explorer make them", async () => {
    const zip = zipSync({
      "proj/": new Uint8Array(0),
      "proj/data/orders.csv": text("a\n1\n"),
      "__MACOSX/proj/._notebook.md": text("fork"),
      "proj/notebook.md": md({ orders: "data/orders.csv" }),
    });
    const out = await unpack(zip);
    expect(out.fileName).toBe("notebook.md");
    expect(out.datasets.map((d) => [d.name, d.value.name])).toEqual([["orders", "orders.csv"]]);
  });

  it("unpackNotebook reads a zip written by Python's zipfile", async () => {
    const out = await unpack(new Uint8Array(await readFile(join(FIXTURES, "python-stream.zip"))));
    expect(parse(out.text).title).toBe("From Python");
    expect(out.datasets.map((d) => [d.name, d.value.size])).toEqual([["orders", 20709]]);
  });

  it("unpackNotebook refuses a zip with no notebook, or with two", async () => {
    expect((await refusal(zipSync({ "a.csv": text("a\n1\n") }))).message).toBe(
      "x.zip: no notebook (.md) inside",
    );
    const two = zipSync({ "a.md": md(), "sub/b.MD": md() });
    expect((await refusal(two)).message).toBe(
      "x.zip: 2 notebooks inside (a.md, sub/b.MD); expected one",
    );
  });

  it("unpackNotebook refuses a notebook that does not parse, with the file and line", async () => {
    const zip = zipSync({ "notebook.md": text("# x\n\n```sql a\nSELECT 1\n") });
    expect((await refusal(zip)).message).toBe(
      "x.zip: notebook.md, line 3: the ```sql cell opened here is never closed",
    );
  });

  it("unpackNotebook refuses a notebook that is not UTF-8 or is over 16 MiB", async () => {
    expect(
      (await refusal(zipSync({ "n.md": new Uint8Array([0x23, 0x20, 0xff, 0xfe]) }))).message,
    ).toBe("x.zip: n.md is not UTF-8 text");
    const huge = new Uint8Array(16 * 1024 * 1024 + 1).fill(0x61);
    expect((await refusal(zipSync({ "n.md": huge }, { level: 1 }))).message).toBe(
      "x.zip: n.md is larger than 16 MiB",
    );
  });

  it("unpackNotebook refuses an entry the notebook does not name, before or after the .md, and aborts the sinks", async () => {
    const named = md({ orders: "orders.csv" });
    const before = await refusal(
      zipSync({ "notes.txt": text("hi"), "n.md": named, "orders.csv": text("a\n") }),
    );
    expect(before.message).toBe(
      "x.zip: unexpected entry notes.txt (the notebook names no such dataset)",
    );
    expect(before.sinks.map((s) => [s.path, s.closed, s.aborted])).toEqual([
      ["notes.txt", true, true],
      ["orders.csv", true, true],
    ]);
    const after = await refusal(
      zipSync({ "n.md": named, "orders.csv": text("a\n"), "notes.txt": text("hi") }),
    );
    expect(after.message).toBe(
      "x.zip: unexpected entry notes.txt (the notebook names no such dataset)",
    );
    // Known as soon as the .md is read: no sink was opened for it.
    expect(after.sinks.map((s) => [s.path, s.aborted])).toEqual([["orders.csv", true]]);
    const other = await refusal(
      zipSync({ "n.md": named, "orders.csv": text("a\n"), "notes.pdf": text("%PDF") }),
    );
    expect(other.message).toBe(
      "x.zip: unexpected entry notes.pdf (neither the notebook nor a data file)",
    );
  });

  it("unpackNotebook refuses path traversal with readZip's line", async () => {
    const zip = zipSync({ "n.md": md({ evil: "../evil.csv" }), "../evil.csv": text("a\n") });
    const { message, sinks } = await refusal(zip);
    expect(message).toBe("x.zip: unsafe entry ../evil.csv (a path outside the zip)");
    expect(sinks).toEqual([]);
  });

  it("unpackNotebook resolves sources from the .md's folder and leaves out datasets the zip lacks", async () => {
    const zip = zipSync({
      "nb/n.md": md({ a: "./a.csv", b: "../shared/b.csv", c: "c.csv", u: "https://h/u.csv" }),
      "nb/a.csv": text("a\n1\n"),
      "shared/b.csv": text("b\n2\n"),
    });
    const out = await unpack(zip);
    expect(out.datasets.map((d) => [d.name, d.value.name])).toEqual([
      ["a", "a.csv"],
      ["b", "b.csv"],
    ]);
  });
});

describe("blobSink", () => {
  it("blobSink(path) closes to a File named by the entry's base name, holding every chunk across folds", async () => {
    const sink = blobSink("data/orders.csv");
    const part = randomBytes(3 * 1024 * 1024);
    for (let i = 0; i < 4; i++) await sink.write(part);
    const file = await sink.close();
    expect(file.name).toBe("orders.csv");
    expect(file.size).toBe(4 * part.length);
    const back = await bytesOf(file.slice(3 * part.length));
    expect(Buffer.from(back).equals(Buffer.from(part))).toBe(true);
  });
});
