import type { Table } from "apache-arrow";
import type { Backend, FileLoad } from "./backend.ts";
import {
  clearRejects,
  diagnose,
  firstReject,
  STORE_REJECTS,
  verify,
  wrongColumns,
} from "./checks.ts";
import { sniffDialect, splitRecords, type Separator } from "./dialect.ts";
import { decideHeader, separatorOf, settings, sniff, type ReadOptions } from "./sniff.ts";
import { ident, literal } from "./sql.ts";
import { loadWhitespace } from "./whitespace.ts";

/** What the CSV loader needs of the engine: the platform's backend and the engine's SQL runner. */
export interface CsvHost<S> {
  backend: Backend<S>;
  /** run one statement, wrapping DuckDB's errors */
  run(sql: string): Promise<Table>;
}

/** One delimited text file to load, as the engine has described it. */

/**
 * Load a CSV, TSV or whitespace-separated .txt file into `load.table` and return whether its
 * first line was read as column names.
 *
 * DuckDB's sniffer is checked against the file's first bytes, read here: where they show
 * another separator or quoted fields, the reader is told so; an all-text file's header is
 * judged from its values (the user's `header` overrides that); a table with no rows, or with
 * other columns than the lines have, is an error. A malformed row fails the load on the line
 * where it starts. All in a transaction: a failed load leaves the table it would replace.
 */
export async function loadCsv<S>(
  host: CsvHost<S>,
  load: FileLoad<S>,
  header?: boolean,
): Promise<boolean> {
  const text = new TextDecoder().decode(load.head);
  const complete = load.head.length === load.size;
  const file = literal(load.virtualName);
  await host.backend.registerSource(load.virtualName, load.source);
  const only: Separator | undefined = load.format === "tsv" ? "\t" : undefined;
  // DuckDB's guess is only a preference here; where it fails, the sniff with the settings
  // decided below fails too and says why.
  const guess = only ? undefined : await sniff(host, file, { header }).catch(() => undefined);
  const dialect = sniffDialect(text, {
    complete,
    only,
    prefer: separatorOf(guess?.delimiter),
    whitespace: /\.txt$/i.test(load.fileName),
  });
  if (dialect?.separator === "whitespace") return loadWhitespace(host, load, dialect, header);

  let sniffed = guess;
  const read: ReadOptions = { header, delim: only };
  if (
    dialect &&
    (guess?.delimiter !== dialect.separator || (dialect.quoted && guess.quote !== '"'))
  ) {
    read.delim = dialect.separator;
    if (dialect.quoted) read.quote = '"';
    sniffed = undefined;
  }
  try {
    sniffed ??= await sniff(host, file, read);
  } catch (error) {
    throw (await diagnose(host, load, dialect)) ?? error;
  }
  const expected = {
    columns: dialect?.columns ?? sniffed.names.length,
    separator: dialect?.separator,
  };
  if (sniffed.names.length !== expected.columns) {
    throw (
      (await diagnose(host, load, dialect)) ??
      wrongColumns(load, sniffed.names.length, { ...expected, dataLines: 0 })
    );
  }
  const records =
    dialect?.records ?? splitRecords(text, separatorOf(sniffed.delimiter) ?? ",", complete).records;
  const first = decideHeader(header, sniffed, records);
  const { delimiter: delim, quote, escape } = sniffed;
  await clearRejects(host);
  await host.run("BEGIN TRANSACTION");
  try {
    await host.run(
      `CREATE OR REPLACE TABLE ${ident(load.table)} AS SELECT * FROM read_csv(${file}${settings({ delim, quote, escape, header: first })}, ${STORE_REJECTS})`,
    );
    const rejected = await firstReject(host, load);
    if (rejected) throw rejected;
    const dataLines = records.length - sniffed.skip - (first ? 1 : 0);
    await verify(host, load, { ...expected, dataLines });
    await host.run("COMMIT");
  } catch (error) {
    await host.run("ROLLBACK");
    throw error;
  }
  return first;
}
