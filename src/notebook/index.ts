export type {
  Cell,
  CellKind,
  CellSpec,
  CodeCell,
  DatasetRef,
  MarkdownCell,
  Notebook,
  NotebookSpec,
} from "./types.ts";
export { CELL_OPTIONS } from "./types.ts";
export { notebook, isCellName } from "./notebook.ts";
export { parse, NotebookError } from "./parse.ts";
export { serialize } from "./serialize.ts";
export { applyChange, NEW_TEXT, type Change, type ChangeResult } from "./change.ts";
export { codeHash, codeText } from "./trust.ts";
export {
  BAD_ROWS,
  compactOptions,
  ENCODINGS,
  readImportOptions,
  type DatasetOptions,
} from "./datasetOptions.ts";
