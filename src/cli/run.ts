import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { JSDOM } from "jsdom";
import { createNodeEngine } from "../engine/node.ts";
import { messageOf, type TableInfo } from "../engine/index.ts";
import { parse, type Notebook } from "../notebook/index.ts";
import { cellResults, Runtime, type CellResult } from "../runtime/index.ts";
import { writeTables, type OutOptions } from "./out.ts";

export type { CellResult };

export interface NotebookRun {
  notebook: Notebook;
  cells: CellResult[];
  /** the DOM the run's charts were drawn in, for the report */
  window: JSDOM["window"];
  /** the datasets as loaded: rows, columns, and what each load set aside or changed */
  datasets: TableInfo[];
  /** the files `out` asked for, as written */
  written: string[];
}

export interface RunOptions {
  /** dataset paths by name, overriding the front matter */
  data?: ReadonlyMap<string, string>;
  /** let SQL read and write files itself (`--allow-files`); otherwise only the datasets, as tables */
  allowFiles?: boolean;
  /** write each named cell whose value is a table to a folder (`--out`, `--format`) */
  out?: OutOptions;
}

/** A problem with the run's inputs (not with a cell): the file, a dataset. */
export class RunError extends Error {
  override name = "RunError";
}

/**
 * Run a notebook file on the Node engine: load its datasets, run every cell, collect results.
 * The datasets load before the engine is locked; after that, unless `allowFiles`, DuckDB's
 * external access is off, so a notebook's SQL reads no other file and writes none.
 */
export async function runNotebookFile(
  path: string,
  options: RunOptions = {},
): Promise<NotebookRun> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new RunError(`cannot read ${path}: ${messageOf(error)}`, { cause: error });
  }
  let notebook: Notebook;
  try {
    notebook = parse(text);
  } catch (error) {
    throw new RunError(`${path}, ${messageOf(error)}`, { cause: error });
  }
  const sources = new Map(
    notebook.datasets.map((d) => [d.name, resolveSource(d.source, dirname(path))]),
  );
  for (const [name, source] of options.data ?? []) sources.set(name, resolve(source));
  const importOptions = new Map(notebook.datasets.map((d) => [d.name, d.options ?? {}]));

  // Both take a second or more to start; let them overlap.
  const [engine, { JSDOM }] = await Promise.all([
    createNodeEngine({ lock: false }),
    import("jsdom"),
  ]);
  const { window } = new JSDOM("<!doctype html><html><body></body></html>");
  const loaded: TableInfo[] = [];
  try {
    for (const [name, source] of sources) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
        throw new RunError(
          `dataset ${name}: ${source} is a URL; the runner reads local files only (pass --data ${name}=path)`,
        );
      }
      try {
        const info = await engine.registerFile(source, {
          ...importOptions.get(name),
          table: name,
        });
        loaded.push(info);
      } catch (error) {
        throw new RunError(`dataset ${name}: ${messageOf(error)}`, { cause: error });
      }
    }
    await engine.lockDown({ externalAccess: options.allowFiles === true });
    const runtime = await Runtime.create({ engine, document: window.document });
    await runtime.setCells(notebook.cells);
    await runtime.runAll();
    const cells = cellResults(notebook, (id) => runtime.state(id));
    // Before the engine closes: a SQL cell's table is read from it again, exactly.
    let written: string[] = [];
    if (options.out) {
      try {
        written = await writeTables(engine, cells, options.out);
      } catch (error) {
        throw new RunError(`--out ${options.out.dir}: ${messageOf(error)}`, { cause: error });
      }
    }
    return { notebook, cells, window, datasets: loaded, written };
  } finally {
    await engine.close();
  }
}

function resolveSource(source: string, base: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? source : resolve(base, source);
}
