import { escapeProse, proseProblem } from "./fences.ts";
import { isCellName, notebook, trimProse } from "./notebook.ts";
import type { Cell, CellKind, DatasetRef, Notebook } from "./types.ts";

/** One change a person makes to a notebook. Every edit in the app is one of these. */
export type Change =
  | { type: "edit"; id: string; source: string }
  | {
      type: "add";
      kind: CellKind;
      /** the cell to add after; undefined adds at the top */
      after: string | undefined;
      /** the new cell's id */
      id: string;
      source?: string;
    }
  | { type: "move"; id: string; delta: -1 | 1 }
  | { type: "remove"; id: string }
  | { type: "rename"; id: string; name: string }
  | { type: "title"; title: string }
  | { type: "datasets"; datasets: DatasetRef[] };

/** A change either gives a valid notebook or is refused with a one-line reason, never half applied. */
export type ChangeResult =
  | {
      ok: true;
      notebook: Notebook;
      /** the cell the change landed in: an added text cell may join the text beside it */
      cell: string | undefined;
      /** how a text was escaped to keep the file valid, when it was */
      note?: string;
    }
  | { ok: false; reason: string; cell: string | undefined };

/** What a new text cell says until it is edited. */
export const NEW_TEXT = "New text";

/**
 * Apply a change. The result always serialises to a file that parses back to the same cells:
 * neighbouring text cells become one (the file has nothing between them). Text typed into a
 * cell is escaped where it would open a code cell or leave a fence open before the next cell
 * (nothing typed is lost); a move or an addition that would do so is refused.
 */
export function applyChange(nb: Notebook, change: Change): ChangeResult {
  const refuse = (reason: string, cell?: string): ChangeResult => ({ ok: false, reason, cell });
  const at = "id" in change ? nb.cells.findIndex((c) => c.id === change.id) : -1;
  if ("id" in change && change.type !== "add" && at === -1)
    return refuse(`unknown cell: ${change.id}`);
  const cells = [...nb.cells];
  let target: string | undefined = "id" in change ? change.id : undefined;
  let note: string | undefined;
  switch (change.type) {
    case "edit": {
      const cell = cells[at]!;
      if (cell.kind !== "markdown") {
        cells[at] = { ...cell, source: change.source };
        break;
      }
      if (trimProse(change.source) === "")
        return refuse("a text cell cannot be empty: delete the cell instead", cell.id);
      // Typing is never refused: what would break the file is escaped, and the cell says how.
      const codeAfter = cells.slice(at + 1).some((c) => c.kind !== "markdown");
      const escaped = escapeProse(change.source, isCellName, codeAfter);
      cells[at] = { ...cell, source: escaped.text };
      if (escaped.notes.length > 0) note = `Saved with a change: ${escaped.notes.join("; ")}.`;
      break;
    }
    case "add": {
      if (cells.some((c) => c.id === change.id))
        return refuse(`a cell with id ${change.id} exists`);
      const index = change.after === undefined ? 0 : cells.findIndex((c) => c.id === change.after);
      if (index === -1) return refuse(`unknown cell: ${change.after}`);
      const cell: Cell =
        change.kind === "markdown"
          ? { id: change.id, kind: "markdown", source: change.source ?? NEW_TEXT }
          : {
              id: change.id,
              kind: change.kind,
              name: undefined,
              options: [],
              source: change.source ?? "",
            };
      cells.splice(change.after === undefined ? 0 : index + 1, 0, cell);
      // Text added beside text joins it (neighbouring text is one cell in the file).
      if (cell.kind === "markdown" && cells[index]?.kind === "markdown" && change.after)
        target = change.after;
      break;
    }
    case "move": {
      const to = at + change.delta;
      if (to < 0 || to >= cells.length) return refuse("the cell cannot move further", change.id);
      [cells[at], cells[to]] = [cells[to]!, cells[at]!];
      break;
    }
    case "remove":
      cells.splice(at, 1);
      target = undefined;
      break;
    case "rename": {
      const cell = cells[at]!;
      if (cell.kind === "markdown") return refuse("a text cell has no name", cell.id);
      const name = change.name.trim();
      if (name !== "" && !isCellName(name))
        return refuse(
          `invalid cell name: ${JSON.stringify(name)} (expected an identifier such as orders or by_tier)`,
          cell.id,
        );
      cells[at] = { ...cell, name: name === "" ? undefined : name };
      break;
    }
    case "title":
      return { ok: true, notebook: { ...nb, title: change.title }, cell: undefined };
    case "datasets": {
      const seen = new Set<string>();
      for (const d of change.datasets) {
        if (d.name.trim() === "" || d.source.trim() === "")
          return refuse(`invalid dataset: ${JSON.stringify(d)} (expected a name and a file)`);
        if (seen.has(d.name)) return refuse(`dataset ${d.name} is named twice`);
        seen.add(d.name);
      }
      return {
        ok: true,
        notebook: {
          ...nb,
          datasets: change.datasets.map((d) =>
            d.options ? { ...d, options: structuredClone(d.options) } : { ...d },
          ),
        },
        cell: undefined,
      };
    }
  }
  const problem = textProblem(cells);
  if (problem) return refuse(problem.reason, problem.cell);
  let next: Notebook;
  try {
    next = notebook({ ...nb, cells });
  } catch (error) {
    return refuse(error instanceof Error ? error.message : String(error), target);
  }
  if (target !== undefined && !next.cells.some((c) => c.id === target)) target = undefined;
  return note === undefined
    ? { ok: true, notebook: next, cell: target }
    : { ok: true, notebook: next, cell: target, note };
}

/**
 * Why these cells cannot be saved as they are: a text that would read back as a code cell, or one
 * that leaves a fence open with cells after it (the fence would swallow them).
 */
function textProblem(cells: readonly Cell[]): { cell: string; reason: string } | undefined {
  let last = cells.length - 1;
  while (last >= 0 && cells[last]!.kind === "markdown") last--;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell.kind !== "markdown") continue;
    const problem = proseProblem(cell.source, isCellName);
    if (!problem) continue;
    const opensCode = problem.kind === "opens-code";
    // An open fence in the last text swallows nothing; a text made of several cells joined
    // is checked as one, so look at whether any code cell follows.
    if (!opensCode && i > last) continue;
    return {
      cell: cell.id,
      reason: opensCode
        ? `line ${problem.line}: a line starting with \`\`\`sql or \`\`\`ts would start a code cell (indent it by a space to keep it as text)`
        : `line ${problem.line}: this fenced block is never closed, so it would swallow the cells after it (close it with a matching fence)`,
    };
  }
  return undefined;
}
