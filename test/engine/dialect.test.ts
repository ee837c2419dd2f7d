import { describe, expect, it } from "vitest";
import { headerEvidence, shapeOf, sniffDialect, splitRecords } from "../../src/engine/dialect.ts";
import { toTabSeparated } from "../../src/engine/whitespace.ts";

const CDNOW =
  "    00004 00001 19970101  2\t  29.33\r\n    00004 00001 19970118  2\t  29.73\r\n    00004 00001 19970802  1\t  14.96\r\n    00021 00002 19970101  3\t  63.34\r\n";

describe("splitRecords()", () => {
  it("splitRecords(text, ',') keeps separators and line ends inside quotes, and reads \"\" as a quote", () => {
    const { records, quoted } = splitRecords(
      'id,note\r\n1,"a, b"\r\n2,"two\r\nlines"\r\n3,"say ""hi"""\r\n\r\n',
      ",",
      true,
    );
    expect(records).toEqual([
      ["id", "note"],
      ["1", "a, b"],
      ["2", "two\r\nlines"],
      ["3", 'say "hi"'],
    ]);
    expect(quoted).toBe(true);
  });

  it("splitRecords(text, ',') ends a record at a carriage return alone, as old Mac files do", () => {
    expect(splitRecords("a,b\r1,2\r3,4\r", ",", true).records).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
    ]);
  });

  it("splitRecords(text, sep, false) drops the record cut off at the end of a head", () => {
    expect(splitRecords("a,b\n1,2\n3,", ",", false).records).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    expect(splitRecords('a,b\n1,"open\n2,3\n', ",", false).records).toEqual([["a", "b"]]);
  });

  it("splitRecords(text, 'whitespace') splits on runs of spaces and tabs, ignoring leading blanks and CR", () => {
    expect(splitRecords(CDNOW, "whitespace", true).records[0]).toEqual([
      "00004",
      "00001",
      "19970101",
      "2",
      "29.33",
    ]);
  });
});

describe("sniffDialect()", () => {
  it("sniffDialect(csv) finds the separator, the column count and quoted fields", () => {
    const dialect = sniffDialect('id,name\n1,"Smith, Ann"\n2,Bob\n', { complete: true });
    expect(dialect).toMatchObject({ separator: ",", columns: 2, quoted: true });
    expect(sniffDialect("a;b;c\n1,5;2;3\n4;5,5;6\n", { complete: true })).toMatchObject({
      separator: ";",
      columns: 3,
      quoted: false,
    });
  });

  it("sniffDialect(text) keeps DuckDB's choice when the lines agree with it, and overrules it when they do not", () => {
    // Both split consistently: "1,5;2,5" is two European decimals or three fields.
    const text = "1,5;2,5\n3,1;4,2\n";
    expect(sniffDialect(text, { complete: true, prefer: ";" })?.separator).toBe(";");
    expect(sniffDialect(text, { complete: true, prefer: "," })?.separator).toBe(",");
    // DuckDB gave up on a comma file with one long line and chose "|": the lines say ",".
    expect(sniffDialect("a,b\n1,2\n3,4\n", { complete: true, prefer: "|" })?.separator).toBe(",");
  });

  it("sniffDialect(text) is undefined for a one-column file", () => {
    expect(sniffDialect("name\nAnn Smith\nBob Jones\n", { complete: true })).toBeUndefined();
    expect(
      sniffDialect("name\nAnn Smith\nBob Jones\n", { complete: true, whitespace: true }),
    ).toBeUndefined();
  });

  it("sniffDialect(txt, {whitespace}) reads an aligned table by runs of blanks, even where a tab splits it too", () => {
    expect(sniffDialect(CDNOW, { complete: true, whitespace: true })).toMatchObject({
      separator: "whitespace",
      columns: 5,
    });
    // Without the option (a .csv file) the tab between padded fields is all there is.
    expect(sniffDialect(CDNOW, { complete: true })).toMatchObject({ separator: "\t", columns: 2 });
  });

  it("sniffDialect(txt, {whitespace}) keeps a comma or tab file with spaces in its values as it is", () => {
    expect(sniffDialect("a, b\n1, 2\n3, 4\n", { complete: true, whitespace: true })).toMatchObject({
      separator: ",",
      columns: 2,
    });
    expect(
      sniffDialect("a\tb\n1\tx y\n2\tz\n3\tw\n", { complete: true, whitespace: true }),
    ).toMatchObject({ separator: "\t", columns: 2 });
    expect(
      sniffDialect("a b\n1 2\n3 4\n", { complete: true, only: "\t", whitespace: true }),
    ).toBeUndefined();
  });
});

describe("headerEvidence()", () => {
  const rows = (text: string) => splitRecords(text, ",", true).records;

  it("headerEvidence(records) is false when a first-row value recurs in its column", () => {
    expect(headerEvidence(rows("alice,london\nbob,paris\ncarol,london\ndave,rome\n"))).toBe(false);
  });

  it("headerEvidence(records) is false when every first-row value has its column's distinctive shape", () => {
    expect(
      headerEvidence(
        rows("ann@example.com,+44 20 1\nbob@example.org,+44 20 2\ncat@example.net,+44 20 3\n"),
      ),
    ).toBe(false);
  });

  it("headerEvidence(records) is true when a first-row value is shaped unlike its uniform column", () => {
    expect(headerEvidence(rows("Name,City\nalice,london\nbob,paris\n"))).toBe(true);
    expect(headerEvidence(rows("email,city\nann@x.com,london\nbob@y.org,paris\n"))).toBe(true);
  });

  it("headerEvidence(records) is undefined when names and data look alike, or there is too little data", () => {
    expect(headerEvidence(rows("name,city\nalice,london\nbob,paris\ncarol,london\n"))).toBe(
      undefined,
    );
    expect(headerEvidence(rows("alice,london\nbob,paris\n"))).toBe(undefined);
  });

  it("shapeOf(value) outlines letters, case and digits", () => {
    expect(shapeOf("London")).toBe("Aa");
    expect(shapeOf("ann@example.com")).toBe("a@a.a");
    expect(shapeOf("+44 20 7946")).toBe("+9 9 9");
    expect(shapeOf("Zoë")).toBe("Aa");
  });
});

describe("toTabSeparated()", () => {
  it("toTabSeparated(bytes) turns runs of blanks into one tab, drops leading blanks and CR, and keeps every line", () => {
    const out = new TextDecoder().decode(
      toTabSeparated(new TextEncoder().encode("  1  2\t  3.5\r\n\r\n 4 5 6\r\n")),
    );
    expect(out).toBe("1\t2\t3.5\n\n4\t5\t6\n");
  });
});
