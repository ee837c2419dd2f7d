// Score CSV loading on the polluted corpus (bench/pollution.ts): how many files load with the
// right rows and columns with no options in Strata, in DuckDB's own auto-detection on the same
// engine version's native build, and in Strata given each file's dialect options.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { createNodeEngine } from "../src/engine/node.ts";
import { toRows } from "../src/engine/index.ts";
import { isRight, loadedSql, pollutedFiles, type PollutedFile } from "./pollution.ts";

export interface CorpusScore {
  kind: string;
  files: number;
  strata: number;
  duckdb: number;
  withOptions: number;
}

/** Score `perKind` files of every kind, written under `dir`. */
export async function scoreCorpus(dir: string, perKind: number): Promise<CorpusScore[]> {
  const engine = await createNodeEngine({ lock: false });
  const native = await (await DuckDBInstance.create(":memory:")).connect();
  const scores = new Map<string, CorpusScore>();
  const right = async (
    file: PollutedFile,
    names: string[],
    read: (sql: string) => Promise<Record<string, unknown>>,
  ) => {
    const row = await read(loadedSql("t", names));
    return isRight(file, {
      names,
      ids: (row.ids as unknown[]).map(Number),
      amount: Number(row.amount),
    });
  };
  try {
    for (const file of pollutedFiles(perKind)) {
      const path = join(dir, file.name);
      await writeFile(path, file.bytes);
      const score = scores.get(file.kind) ?? {
        kind: file.kind,
        files: 0,
        strata: 0,
        duckdb: 0,
        withOptions: 0,
      };
      scores.set(file.kind, score);
      score.files++;
      const strata = async (options: object) => {
        const info = await engine.registerFile(path, { ...options, table: "t" });
        const names = info.columns.map((c) => c.name);
        return right(file, names, async (sql) => toRows(await engine.query(sql))[0]!);
      };
      if (await strata({}).catch(() => false)) score.strata++;
      if (await strata(file.options).catch(() => false)) score.withOptions++;
      const duck = async () => {
        await native.run(
          `CREATE OR REPLACE TABLE t AS FROM read_csv('${path.replaceAll("'", "''")}')`,
        );
        const names = (
          await native.runAndReadAll(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 't' ORDER BY column_index",
          )
        )
          .getRows()
          .map((r) => String(r[0]));
        return right(
          file,
          names,
          async (sql) => (await native.runAndReadAll(sql)).getRowObjectsJS()[0]!,
        );
      };
      if (await duck().catch(() => false)) score.duckdb++;
    }
  } finally {
    native.closeSync();
    await engine.close();
  }
  return [...scores.values()];
}

/** The scores as a Markdown table with a total row. */
export function corpusTable(scores: CorpusScore[]): string {
  const sum = (k: keyof Omit<CorpusScore, "kind">) => scores.reduce((s, r) => s + r[k], 0);
  const rows = scores.map(
    (s) => `| ${s.kind} | ${s.files} | ${s.strata} | ${s.duckdb} | ${s.withOptions} |`,
  );
  return [
    "| pollution | files | Strata, no options | DuckDB auto-detect | Strata, dialect options |",
    "|---|---:|---:|---:|---:|",
    ...rows,
    `| **all** | ${sum("files")} | ${sum("strata")} | ${sum("duckdb")} | ${sum("withOptions")} |`,
  ].join("\n");
}
