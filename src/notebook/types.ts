import type { DatasetOptions } from "./datasetOptions.ts";

/** The kinds of cell a notebook holds. */
export type CellKind = "markdown" | "sql" | "ts";

/** Prose: everything between two code cells. */
export interface MarkdownCell {
  /** the unique cell id (positional when parsed from a file: c1, c2, …) */
  id: string;
  kind: "markdown";
  /** the Markdown text, without leading or trailing blank lines */
  source: string;
}

/** A SQL or TypeScript cell. */
export interface CodeCell {
  /** the unique cell id (positional when parsed from a file: c1, c2, …) */
  id: string;
  kind: "sql" | "ts";
  /** the name the cell's value is bound to, if any */
  name: string | undefined;
  /** words after the name in the fence's info string, e.g. `hidden` */
  options: string[];
  /** the code, exactly as between the fences */
  source: string;
}

export type Cell = MarkdownCell | CodeCell;

/**
 * A dataset the notebook names: a table name, where its file is (relative path or URL), and
 * how to read it, where the user said.
 */
export interface DatasetRef {
  name: string;
  source: string;
  /** the import options the file is read with (absent: all detected) */
  options?: DatasetOptions;
}

/** The saved document. It holds no execution state. */
export interface Notebook {
  /** the title from the front matter ("" when there is none) */
  title: string;
  /** datasets in front-matter order */
  datasets: DatasetRef[];
  /** other front-matter keys, kept as they were */
  meta: Record<string, unknown>;
  /** the line ending the file uses */
  lineEnding: "\n" | "\r\n";
  cells: Cell[];
}

/** A loose notebook description, normalised once by `notebook()`. */
export interface NotebookSpec {
  title?: string;
  datasets?: Record<string, string> | DatasetRef[];
  meta?: Record<string, unknown>;
  lineEnding?: "\n" | "\r\n";
  cells?: CellSpec[];
}

export type CellSpec =
  | { kind: "markdown"; source: string; id?: string }
  | { kind: "sql" | "ts"; source: string; name?: string; options?: string[]; id?: string };

/** Words that are options, never names, in a fence's info string. */
export const CELL_OPTIONS = ["hidden", "collapsed"] as const;
