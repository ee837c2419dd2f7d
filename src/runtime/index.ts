export { Runtime, type RuntimeOptions, type Listener } from "./runtime.ts";
export {
  transition,
  type CellState,
  type CellEvent,
  type CellError,
  type Output,
  type InputSpec,
} from "./state.ts";
export { sqlText } from "./library.ts";
export { toIPC } from "./ipc.ts";
export { buildGraph, dependentsOf, type Graph, type GraphCell } from "./graph.ts";
export { cellResults, type CellResult } from "./results.ts";
export { renameReferences } from "./rename.ts";
export { hasSegmentList, segmentList } from "./segmentList.ts";
