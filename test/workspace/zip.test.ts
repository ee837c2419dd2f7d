import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { BundleError, readZip, writeZip } from "../../src/workspace/index.ts";
import { bytesOf, chunked, randomBytes, recorder, streamedZip, text } from "./zipHelpers.ts";

const FIXTURES = join(import.meta.dirname, "fixtures");

async function read(zip: Uint8Array, limits?: Parameters<typeof readZip>[3], size?: number) {
  const { open, sinks } = recorder();
  const entries = await readZip(chunked(zip, size), "x.zip", open, limits);
  return { entries, sinks };
}

/** The one line readZip refuses `zip` with, and the sinks it had opened. */
async function refusal(zip: Uint8Array, limits?: Parameters<typeof readZip>[3]) {
  const { open, sinks } = recorder();
  const error = await readZip(chunked(zip), "x.zip", open, limits).then(
    () => new Error("readZip accepted the zip"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BundleError);
  return { message: error instanceof Error ? error.message : "", sinks };
}

/** Set a little-endian field of a copy of `zip`. */
function patched(zip: Uint8Array, at: number, value: number, width: 2 | 4): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  if (width === 2) view.setUint16(at, value, true);
  else view.setUint32(at, value, true);
  return copy;
}

describe("writeZip and readZip", () => {
  it("writeZip(entries) then readZip gives byte-identical entries, deflated and stored, across the 8 MB fold", async () => {
    const big = randomBytes(9 * 1024 * 1024, 7);
    const csv = text(
      "id,amount\n" + Array.from({ length: 5000 }, (_, i) => `${i},${i % 97}\n`).join(""),
    );
    const zip = await writeZip([
      { path: "notebook.md", data: new Blob([text("# hi\n")]) },
      { path: "data/orders.csv", data: new Blob([csv]) },
      { path: "big.parquet", data: new Blob([big]) },
      { path: "empty.csv", data: new Blob([]) },
    ]);
    expect(zip.type).toBe("application/zip");
    // The CSV is deflated, the Parquet stored: the zip is about the Parquet's size.
    expect(zip.size).toBeGreaterThan(big.length);
    expect(zip.size).toBeLessThan(big.length + csv.length / 2);
    const { entries, sinks } = await read(await bytesOf(zip));
    expect(entries.map((e) => e.path)).toEqual([
      "notebook.md",
      "data/orders.csv",
      "big.parquet",
      "empty.csv",
    ]);
    expect(Buffer.from(entries[1]!.value).equals(Buffer.from(csv))).toBe(true);
    expect(Buffer.from(entries[2]!.value).equals(Buffer.from(big))).toBe(true);
    expect(entries[3]!.value.length).toBe(0);
    expect(sinks.every((s) => s.closed && !s.aborted)).toBe(true);
  });

  it("readZip reads fflate's data-descriptor entries even when the data holds zip signatures", async () => {
    // fflate's own Unzip ends a descriptor entry at the first signature: these come out cut short.
    const tricky = new Uint8Array(3000).fill(7);
    tricky.set([0x50, 0x4b, 0x07, 0x08], 500);
    tricky.set([0x50, 0x4b, 0x03, 0x04], 1200);
    tricky.set([0x50, 0x4b, 0x01, 0x02], 2000);
    const zip = streamedZip([
      ["a.parquet", tricky, true],
      ["b.csv", tricky],
      ["c.txt", text("after")],
    ]);
    for (const size of [1, 7, 64 * 1024]) {
      const { entries } = await read(zip, undefined, size);
      expect(entries.map((e) => [e.path, e.value.length])).toEqual([
        ["a.parquet", 3000],
        ["b.csv", 3000],
        ["c.txt", 5],
      ]);
      expect(Buffer.from(entries[0]!.value).equals(Buffer.from(tricky))).toBe(true);
    }
  });

  it("readZip reads zips written with sizes in the headers (fflate's zipSync), in one-byte chunks too", async () => {
    const zip = zipSync({
      "a.csv": text("x\n1\n"),
      "b.parquet": [randomBytes(5000), { level: 0 }],
    });
    for (const size of [1, 1000]) {
      const { entries } = await read(zip, undefined, size);
      expect(entries.map((e) => [e.path, e.value.length])).toEqual([
        ["a.csv", 4],
        ["b.parquet", 5000],
      ]);
    }
  });

  it.each(["python-deflate.zip", "python-stored.zip", "python-stream.zip"])(
    "readZip reads %s, written by Python's zipfile",
    async (fixture) => {
      const { entries } = await read(new Uint8Array(await readFile(join(FIXTURES, fixture))));
      expect(entries.map((e) => [e.path, e.value.length])).toEqual([
        ["notebook.md", 110],
        ["data/orders.csv", 20709],
      ]);
      expect(new TextDecoder().decode(entries[1]!.value)).toMatch(/^order_id,amount\n1,7\.50\n/);
    },
  );

  it.skipIf(!existsSync("/usr/bin/python3"))(
    "writeZip's zips pass Python's zipfile.testzip (CRCs and sizes as other tools read them)",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "strata-zip-"));
      try {
        const zip = await writeZip([
          { path: "n.md", data: new Blob([text("# n\n")]) },
          { path: "d/x.parquet", data: new Blob([randomBytes(100_000)]) },
        ]);
        await writeFile(join(dir, "t.zip"), await bytesOf(zip));
        const script =
          "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), z.namelist())";
        const { stdout } = await promisify(execFile)("/usr/bin/python3", [
          "-c",
          script,
          join(dir, "t.zip"),
        ]);
        expect(stdout).toBe("None ['n.md', 'd/x.parquet']\n");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it("readZip skips folders, __MACOSX and .DS_Store", async () => {
    const zip = zipSync({
      "proj/": new Uint8Array(0),
      "proj/a.csv": text("a\n1\n"),
      "__MACOSX/proj/._a.csv": text("fork"),
      "proj/.DS_Store": text("ds"),
      ".DS_Store": text("ds"),
    });
    const { entries, sinks } = await read(zip);
    expect(entries.map((e) => e.path)).toEqual(["proj/a.csv"]);
    expect(sinks.map((s) => s.path)).toEqual(["proj/a.csv"]);
  });

  it("readZip returns no entries for an empty zip", async () => {
    expect((await read(zipSync({}))).entries).toEqual([]);
  });

  it.each([
    ["../x.csv", "x.zip: unsafe entry ../x.csv (a path outside the zip)"],
    ["data/../../x.csv", "x.zip: unsafe entry data/../../x.csv (a path outside the zip)"],
    ["/etc/passwd", "x.zip: unsafe entry /etc/passwd (an absolute path)"],
    ["a\\b.csv", "x.zip: unsafe entry a\\b.csv (a backslash in the name)"],
    ["C:x.csv", "x.zip: unsafe entry C:x.csv (a drive letter)"],
    ["a\u0000b.csv", "x.zip: unsafe entry a\\u0000b.csv (a control character in the name)"],
    ["a//b.csv", "x.zip: unsafe entry a//b.csv (an empty or . segment in the path)"],
    ["", "x.zip: unsafe entry  (an empty name)"],
  ])(
    "readZip refuses the entry %j before opening a sink, and aborts the sinks it opened",
    async (name, line) => {
      const { message, sinks } = await refusal(
        streamedZip([
          ["ok.csv", text("a\n")],
          [name, text("x")],
        ]),
      );
      expect(message).toBe(line);
      expect(sinks.map((s) => [s.path, s.aborted])).toEqual([["ok.csv", true]]);
    },
  );

  it("readZip refuses duplicate entries", async () => {
    const { message, sinks } = await refusal(
      streamedZip([
        ["a.csv", text("1")],
        ["a.csv", text("2")],
      ]),
    );
    expect(message).toBe("x.zip: duplicate entry a.csv");
    expect(sinks.map((s) => s.aborted)).toEqual([true]);
  });

  it("readZip refuses encrypted entries and compression it cannot read", async () => {
    const zip = zipSync({ "a.csv": text("a\n1\n") });
    expect((await refusal(patched(zip, 6, 1, 2))).message).toBe(
      "x.zip: entry a.csv is encrypted (expected an unencrypted zip)",
    );
    expect((await refusal(patched(zip, 8, 99, 2))).message).toBe(
      "x.zip: entry a.csv is encrypted (expected an unencrypted zip)",
    );
    expect((await refusal(patched(zip, 8, 12, 2))).message).toBe(
      "x.zip: entry a.csv uses bzip2 compression (expected stored or deflate)",
    );
    expect((await refusal(patched(zip, 8, 77, 2))).message).toBe(
      "x.zip: entry a.csv uses compression method 77 (expected stored or deflate)",
    );
  });

  it("readZip refuses what is not a zip", async () => {
    expect((await refusal(text("order_id,amount\n1,2\n"))).message).toBe("x.zip: not a zip file");
    expect((await refusal(new Uint8Array(0))).message).toBe("x.zip: not a zip file");
  });

  it("readZip refuses a truncated zip wherever it is cut, and aborts its sinks", async () => {
    const zip = streamedZip([
      ["a.csv", randomBytes(4000)],
      ["b.csv", text("b")],
    ]);
    const cut = (n: number) => refusal(zip.subarray(0, n));
    expect((await cut(2000)).message).toBe(
      "x.zip: the zip is damaged (it ends in the middle of a.csv)",
    );
    expect((await cut(2000)).sinks.map((s) => s.aborted)).toEqual([true]);
    expect((await cut(20)).message).toBe(
      "x.zip: the zip is damaged (it ends in an entry's header)",
    );
    expect((await cut(zip.length - 30)).message).toBe(
      "x.zip: the zip is damaged (it ends in its central directory)",
    );
    const sized = zipSync({ "a.csv": randomBytes(4000) });
    expect((await refusal(sized.subarray(0, 2000))).message).toBe(
      "x.zip: the zip is damaged (it ends in the middle of a.csv)",
    );
    expect((await refusal(sized.subarray(0, sized.length - 22))).message).toBe(
      "x.zip: the zip is damaged (it ends in its central directory)",
    );
    // Cut inside the end record itself: the last bytes of the file.
    for (const n of [1, 10, 18])
      expect((await refusal(sized.subarray(0, sized.length - n))).message).toBe(
        "x.zip: the zip is damaged (it ends in its central directory)",
      );
  });

  it("readZip refuses damaged data: a changed stored byte by its checksum, bad deflate by fflate's reason", async () => {
    const stored = zipSync({ "a.csv": [text("a,b\n1,2\n"), { level: 0 }] });
    const changed = stored.slice();
    changed[30 + "a.csv".length + 2]! ^= 1;
    expect((await refusal(changed)).message).toBe(
      "x.zip: the zip is damaged (a.csv does not match its checksum)",
    );
    const deflated = zipSync({ "a.csv": text("a,b\n1,2\n".repeat(100)) }, { level: 6 });
    const broken = deflated.slice();
    broken[30 + "a.csv".length] = 0xff; // block type 3, which deflate does not have
    expect((await refusal(broken)).message).toBe(
      "x.zip: the zip is damaged (a.csv: invalid block type)",
    );
  });

  it("readZip counts what comes out, not what the header says: an entry over the limit with a lying header", async () => {
    const zip = zipSync({ "big.csv": new Uint8Array(5000).fill(65) });
    // Local header and central directory both claim 10 bytes uncompressed.
    const lying = patched(patched(zip, 22, 10, 4), zip.length - 22 - 46 - 7 + 24, 10, 4);
    const { message, sinks } = await refusal(lying, { entryBytes: 1024 });
    expect(message).toBe("x.zip: entry big.csv is larger than 1 KiB uncompressed");
    expect(sinks.map((s) => [s.closed, s.aborted])).toEqual([[false, true]]);
    // An honest header over the limit is refused before a sink opens.
    const honest = await refusal(zip, { entryBytes: 1024 });
    expect(honest.message).toBe("x.zip: entry big.csv is larger than 1 KiB uncompressed");
    expect(honest.sinks).toEqual([]);
    // Descriptors (fflate's Zip) give no size up front: counted as it streams.
    const streamed = await refusal(streamedZip([["big.csv", new Uint8Array(5000)]]), {
      entryBytes: 1000,
    });
    expect(streamed.message).toBe("x.zip: entry big.csv is larger than 1000 bytes uncompressed");
  });

  it("readZip refuses entries larger in all than the zip limit", async () => {
    const zip = zipSync({ "a.csv": new Uint8Array(800), "b.csv": new Uint8Array(800) });
    const { message, sinks } = await refusal(zip, { totalBytes: 1024 });
    expect(message).toBe("x.zip: its entries are larger than 1 KiB uncompressed in all");
    expect(sinks.map((s) => [s.path, s.closed, s.aborted])).toEqual([
      ["a.csv", true, true],
      ["b.csv", false, true],
    ]);
  });

  it("readZip refuses a zip whose central directory lists other entries than it holds", async () => {
    const zip = zipSync({ "a.csv": text("1"), "b.csv": text("2") });
    // Rename b.csv in the central directory only.
    const at = zip.length - 22 - (46 + 5) + 46;
    const renamed = zip.slice();
    renamed.set(text("c.csv"), at);
    expect((await refusal(renamed)).message).toBe(
      "x.zip: the zip is damaged (its central directory lists other entries than it holds)",
    );
  });

  it("writeZip refuses names it would refuse to read, and duplicates", async () => {
    const data = new Blob(["x"]);
    await expect(writeZip([{ path: "../x.csv", data }])).rejects.toThrow(
      "cannot zip ../x.csv: a path outside the zip",
    );
    await expect(
      writeZip([
        { path: "a.csv", data },
        { path: "a.csv", data },
      ]),
    ).rejects.toThrow("cannot zip a.csv twice");
  });
});
