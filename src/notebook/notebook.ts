import { proseProblem } from "./fences.ts";
import {
  CELL_OPTIONS,
  type Cell,
  type DatasetRef,
  type Notebook,
  type NotebookSpec,
} from "./types.ts";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Whether a word can name a cell: an identifier that is not an option word. */
export function isCellName(word: string): boolean {
  return IDENTIFIER.test(word) && !(CELL_OPTIONS as readonly string[]).includes(word);
}

/**
 * Normalise a loose description into a `Notebook`: sources use `\n`, prose has no leading or
 * trailing blank lines, neighbouring prose cells are one cell, and ids are c1, c2, … unless given.
 */
export function notebook(spec: NotebookSpec = {}): Notebook {
  const datasets: DatasetRef[] = Array.isArray(spec.datasets)
    ? spec.datasets.map((d) =>
        d.options ? { ...d, options: structuredClone(d.options) } : { ...d },
      )
    : Object.entries(spec.datasets ?? {}).map(([name, source]) => ({ name, source }));
  const cells: Cell[] = [];
  for (const cell of spec.cells ?? []) {
    const source = unixLines(cell.source);
    if (cell.kind === "markdown") {
      const text = trimProse(source);
      if (text === "") continue;
      const last = cells.at(-1);
      if (last?.kind === "markdown") last.source = `${last.source}\n\n${text}`;
      else cells.push({ id: cell.id ?? "", kind: "markdown", source: text });
      continue;
    }
    const name = cell.name === undefined || cell.name === "" ? undefined : cell.name;
    if (name !== undefined && !isCellName(name)) {
      throw new Error(
        `invalid cell name: ${JSON.stringify(name)} (expected an identifier that is not ${CELL_OPTIONS.join(" or ")})`,
      );
    }
    const options = cell.options ?? [];
    for (const option of options) {
      if (option === "" || /\s|`/.test(option))
        throw new Error(`invalid cell option: ${JSON.stringify(option)}`);
    }
    if (name === undefined && options.length > 0 && isCellName(options[0]!)) {
      throw new Error(
        `invalid cell options: ${JSON.stringify(options[0])} would read as the cell's name`,
      );
    }
    cells.push({ id: cell.id ?? "", kind: cell.kind, name, options: [...options], source });
  }
  cells.forEach((cell, i) => {
    if (cell.id === "") cell.id = `c${i + 1}`;
    if (cell.kind !== "markdown" || i === cells.length - 1) return;
    const problem = proseProblem(cell.source, isCellName);
    if (problem)
      throw new Error(`invalid markdown cell ${cell.id}, line ${problem.line}: ${problem.reason}`);
  });
  return {
    title: spec.title ?? "",
    datasets,
    meta: { ...spec.meta },
    lineEnding: spec.lineEnding ?? "\n",
    cells,
  };
}

/** Convert CRLF and lone CR to LF. */
export function unixLines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** Prose without leading blank lines or trailing white space. */
export function trimProse(text: string): string {
  return text.replace(/^(?:[ \t]*\n)+/, "").replace(/\s+$/, "");
}
