import type { Notebook } from "../notebook/index.ts";
import type { CellError, CellState, Output } from "./state.ts";

/** The outcome of one code cell, as reports and JSON show it. */
export interface CellResult {
  id: string;
  name: string | undefined;
  kind: "sql" | "ts";
  status: "done" | "error" | "stopped" | "idle";
  /** run time in milliseconds */
  ms: number | null;
  error: CellError | null;
  value: unknown;
  outputs: Output[];
}

/** Each code cell's outcome from its run state (queued and running cells count as not run). */
export function cellResults(notebook: Notebook, state: (id: string) => CellState): CellResult[] {
  return notebook.cells.flatMap((cell): CellResult[] => {
    if (cell.kind === "markdown") return [];
    const s = state(cell.id);
    const base = { id: cell.id, name: cell.name, kind: cell.kind };
    switch (s.status) {
      case "done":
        return [
          { ...base, status: "done", ms: s.ms, error: null, value: s.value, outputs: s.outputs },
        ];
      case "error":
        return [
          { ...base, status: "error", ms: s.ms ?? null, error: s.error, value: null, outputs: [] },
        ];
      case "stopped":
        return [
          { ...base, status: "stopped", ms: s.ms ?? null, error: null, value: null, outputs: [] },
        ];
      default:
        return [{ ...base, status: "idle", ms: null, error: null, value: null, outputs: [] }];
    }
  });
}
