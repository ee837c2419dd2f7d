import { toRows } from "./convert.ts";
import {
  appendRejected,
  CHUNK,
  clearRejects,
  countLines,
  firstReject,
  MOST_REJECTED,
  REJECTED_COLUMNS,
  rejectedRecords,
  STORE_REJECTS,
  verify,
  type Rejected,
} from "./checks.ts";
import type { FileLoad } from "./backend.ts";
import type { CsvHost, CsvLoaded } from "./csv.ts";
import type { Dialect } from "./dialect.ts";
import { LoadError } from "./errors.ts";
import type { ImportOptions } from "./options.ts";
import { retype } from "./retype.ts";
import { decideHeader, settings, sniff, sniffedColumns } from "./sniff.ts";
import { ident, literal } from "./sql.ts";

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;

/**
 * Load whitespace-separated text (the CDNOW sample). The file is rewritten as tab-separated
 * text a chunk at a time, so memory stays at a chunk however large the file, and appended to
 * the table chunk by chunk, in one transaction. The first chunk's sniff gives the column types
 * that every later chunk must fit. Malformed rows are kept apart in `<table>_rejected`, as in
 * csv.ts (or, with `badRows: "fail"`, the first fails the load on its line). Columns of
 * dates (CDNOW's `19970101`) become dates, and the user's column types apply.
 */
export async function loadWhitespace<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  dialect: Dialect,
  options: ImportOptions = {},
): Promise<CsvLoaded> {
  const { header } = options;
  const read = { delim: "\t", quote: "", escape: "" };
  const registered: string[] = [];
  let first = false;
  let columns = "";
  const rejected: Rejected[] = [];
  await host.settle("BEGIN TRANSACTION");
  try {
    let lines = 0;
    for (let start = 0, k = 0; start < load.size; k++) {
      const bytes = await host.backend.read(load.source, start, Math.min(load.size, start + CHUNK));
      const end = start + bytes.length >= load.size ? bytes.length : bytes.lastIndexOf(LF) + 1;
      if (end === 0) {
        throw new LoadError(load.fileName, `a line longer than ${CHUNK / 1024 / 1024} MB`, {
          line: lines + 1,
        });
      }
      const converted = toTabSeparated(bytes.subarray(0, end));
      const name = `${load.virtualName}.${k}`;
      registered.push(name);
      // A copy: in the browser the bytes move to the worker, and the lines are counted here.
      await host.backend.registerBytes(name, converted.slice());
      if (k === 0) {
        let sniffed = await sniff(host, literal(name), { ...read, header });
        first = decideHeader(header, sniffed, dialect.records);
        if (first !== sniffed.header)
          sniffed = await sniff(host, literal(name), { ...read, header: first });
        columns = sniffedColumns(sniffed);
      }
      await clearRejects(host);
      const rows = `SELECT * FROM read_csv(${literal(name)}, auto_detect = false, new_line = '\\n'${settings({ ...read, header: k === 0 && first })}${columns}, ${STORE_REJECTS})`;
      await host.run(
        k === 0
          ? `CREATE OR REPLACE TABLE ${ident(load.table)} AS ${rows}`
          : `INSERT INTO ${ident(load.table)} ${rows}`,
      );
      const chunk = { bytes: converted, lines };
      if (options.badRows === "fail") {
        const bad = await firstReject(host, load, { chunk });
        if (bad) throw bad;
      } else rejected.push(...(await rejectedRecords(host, load, "utf-8", chunk)));
      await host.backend.dropFile(registered.pop()!);
      lines += countLines(converted, converted.length);
      start += end;
    }
    const [{ n }] = toRows(await host.run(`SELECT count(*) AS n FROM ${ident(load.table)}`)) as [
      { n: number },
    ];
    if (rejected.length > MOST_REJECTED * (Number(n) + rejected.length)) {
      const bad = rejected[0]!;
      throw new LoadError(
        load.fileName,
        `${rejected.length} of ${Number(n) + rejected.length} rows do not split into ${dialect.columns} columns at blanks; the first: ${bad.reason}. Set the separator in the import options; nothing was loaded`,
        { line: bad.line },
      );
    }
    const rejectedTable = `${load.table}_rejected`;
    await host.run(`DROP TABLE IF EXISTS ${ident(rejectedTable)}`);
    if (rejected.length > 0) {
      await host.run(`CREATE TABLE ${ident(rejectedTable)} (${REJECTED_COLUMNS})`);
      await appendRejected(host, rejectedTable, rejected);
    }
    await verify(host, load, {
      columns: dialect.columns,
      separator: "whitespace",
      dataLines: rejected.length === 0 ? dialect.records.length - (first ? 1 : 0) : 0,
    });
    await widenPaddedIntegers(host, load.table);
    const changed = await retype(host, load.table, options);
    if (changed.replace !== "")
      await host.run(
        `CREATE OR REPLACE TABLE ${ident(load.table)} AS SELECT *${changed.replace} FROM ${ident(load.table)}`,
      );
    await host.settle("COMMIT");
    return {
      header: first,
      used: { delimiter: "whitespace", header: first, encoding: "utf-8" },
      rejected: rejected.length,
      rejectedTable: rejected.length > 0 ? rejectedTable : undefined,
      converted: changed.converted,
      notes: changed.notes,
    };
  } catch (error) {
    await host.settle("ROLLBACK");
    throw error;
  } finally {
    for (const name of registered) await host.backend.dropFile(name);
  }
}

/**
 * DuckDB keeps zero-padded numbers as text, for they are often codes; an aligned table pads
 * numbers to line them up (CDNOW's customer `00004`), so a text column whose every value is an
 * integer becomes BIGINT. Judged on the whole table, so no later value can fail the cast.
 */
async function widenPaddedIntegers<S>(host: CsvHost<S>, table: string): Promise<void> {
  const text = toRows(
    await host.run(
      `SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ${literal(table)} AND data_type = 'VARCHAR' ORDER BY column_index`,
    ),
  ).map((r) => String(r.column_name));
  if (text.length === 0) return;
  const tests = text.map(
    (c, i) => `bool_and(regexp_full_match(${ident(c)}, '[+-]?[0-9]{1,18}')) AS c${i}`,
  );
  const [row] = toRows(await host.run(`SELECT ${tests.join(", ")} FROM ${ident(table)}`));
  for (const [i, c] of text.entries()) {
    if (row?.[`c${i}`] !== true) continue;
    await host.run(`ALTER TABLE ${ident(table)} ALTER ${ident(c)} SET DATA TYPE BIGINT`);
  }
}

/**
 * Rewrite whitespace-aligned text (fields separated by runs of spaces and tabs) as
 * tab-separated text that DuckDB's CSV reader takes as it is: leading and trailing blanks and
 * carriage returns go, each run of blanks between fields becomes one tab. Every line stays a
 * line, so a line number in the output is the same line in the input. Works on bytes: no byte
 * of a multi-byte UTF-8 character is a blank.
 */
export function toTabSeparated(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  let gap = false;
  let lineStart = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === SPACE || b === TAB || b === CR) {
      gap = true;
    } else if (b === LF) {
      out[n++] = LF;
      gap = false;
      lineStart = true;
    } else {
      if (gap && !lineStart) out[n++] = TAB;
      out[n++] = b;
      gap = false;
      lineStart = false;
    }
  }
  return out.subarray(0, n);
}
