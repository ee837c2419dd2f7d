import { describe, expect, it } from "vitest";
import { checkHead, formatOf, tableNameFor } from "../../src/engine/formats.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("formatOf()", () => {
  it("formatOf(name) reads the extension, case-insensitively", () => {
    expect(formatOf("a.CSV")).toBe("csv");
    expect(formatOf("dir/a.tsv")).toBe("tsv");
    expect(formatOf("a.parquet")).toBe("parquet");
    expect(formatOf("a.jsonl")).toBe("ndjson");
  });

  it("formatOf(name) refuses unknown and missing extensions by name", () => {
    expect(() => formatOf("a.xlsx")).toThrow("a.xlsx: unsupported file type .xlsx");
    expect(() => formatOf("README")).toThrow("README: unsupported file type (expected");
  });
});

describe("tableNameFor()", () => {
  it("tableNameFor(name) makes a plain SQL identifier", () => {
    expect(tableNameFor("Orders 2024.csv")).toBe("orders_2024");
    expect(tableNameFor("/tmp/x/Café-Sales.parquet")).toBe("cafe_sales");
    expect(tableNameFor("2024.csv")).toBe("t_2024");
    expect(tableNameFor("---.csv")).toBe("data");
  });
});

describe("checkHead()", () => {
  it("checkHead() accepts UTF-8 text, with or without a BOM", () => {
    expect(() => checkHead("a.csv", "csv", utf8("a,b\nü,€\n"), 12)).not.toThrow();
    expect(() =>
      checkHead("a.csv", "csv", Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8("a\n1\n")]), 7),
    ).not.toThrow();
  });

  it("checkHead() does not blame a multi-byte character cut off at the end of the head", () => {
    const head = utf8("a\n€").subarray(0, 4); // "a\n" plus two of the euro sign's three bytes
    expect(() => checkHead("a.csv", "csv", head, 1000)).not.toThrow();
    expect(() => checkHead("a.csv", "csv", head, 4)).toThrow(/not valid UTF-8 text at byte 3/);
  });

  it("checkHead() reports the line of a NUL byte or a bad byte", () => {
    expect(() => checkHead("a.csv", "csv", Uint8Array.from([...utf8("a\nb\n"), 0, 1]), 6)).toThrow(
      "a.csv, line 3: looks like a binary file",
    );
    expect(() =>
      checkHead("a.csv", "csv", Uint8Array.from([...utf8("a\n"), 0xc0, 0x80]), 4),
    ).toThrow("a.csv, line 2: not valid UTF-8");
  });

  it("checkHead() refuses empty and blank files, and Parquet without its magic bytes", () => {
    expect(() => checkHead("a.csv", "csv", new Uint8Array(), 0)).toThrow(
      "a.csv: the file is empty",
    );
    expect(() => checkHead("a.csv", "csv", utf8("\n \r\n"), 4)).toThrow("only blank lines");
    expect(() => checkHead("a.parquet", "parquet", utf8("PAR1...."), 8)).not.toThrow();
    expect(() => checkHead("a.parquet", "parquet", utf8("PK"), 2)).toThrow("not a Parquet file");
  });
});
