import type { Completion } from "@codemirror/autocomplete";
import dts from "../runtime/cells.d.ts?raw";

/** What TS cells see, with the one-line docs of cells.d.ts, for completion. */
export const LIBRARY_COMPLETIONS: Completion[] = [
  ...dts.matchAll(/\/\*\* ([^*]+?) \*\/\s+(function|const) (\w+)/g),
].map(([, doc, kind, name]) => ({
  label: name!,
  type: kind === "function" ? "function" : "variable",
  info: doc!.trim(),
}));
