import type { SQLNamespace } from "@codemirror/lang-sql";
import type { TableInfo, WrittenFile } from "../../engine/index.ts";
import type { Cell, CellKind, Change } from "../../notebook/index.ts";
import type { SqlReferences } from "../../runtime/sqlrefs.ts";

/**
 * The one protocol between the app (the shell: files, workspace, datasets, trust, storage, the
 * engine) and the notebook frame (cells, editors, outputs, and the runtime that evaluates
 * notebook code) — a sandboxed iframe with an opaque origin. Messages cross one MessagePort as
 * structured clones: a discriminated union each way, requests with ids, errors as messages.
 * The shell never runs what the frame says without checking it; the frame runs code only when
 * the shell says so.
 */

/** What the frame shows of the notebook: the shell's document, as it is now. */
export interface FrameView {
  title: string;
  cells: Cell[];
  /** bumps when the text was replaced from outside (editors show the new text) */
  revision: number;
  editable: boolean;
  trusted: boolean;
  /** why a cell's last edit was not taken, by cell id */
  problems: [string, string][];
  /** how a cell's last edit was escaped, by cell id */
  notes: [string, string][];
  /** a cell just added, whose editor opens with the cursor in it */
  editing: string | undefined;
  /** tables and their columns, for SQL completion */
  tables: SQLNamespace;
}

/** How much of the notebook a run covers. */
export type RunScope =
  | { kind: "all" }
  /** this cell, the cells it reads that have not run, and every cell that reads it */
  | { kind: "cell"; id: string }
  /** this cell alone (one cell of an untrusted notebook, confirmed by the user) */
  | { kind: "only"; id: string }
  /** the cells that read these tables, and what depends on them (datasets were added) */
  | { kind: "readers"; tables: string[] };

/** A cell's state as the shell sees it: no values, which stay in the frame. */
export type CellStatus =
  | { status: "idle" }
  | { status: "queued" }
  | { status: "running"; started: number }
  | { status: "done"; ms: number }
  | { status: "error"; message: string }
  | { status: "stopped"; ms: number | undefined };

/** An input the user moved: its cell, its position among the cell's inputs, its new value. */
export interface InputChange {
  cell: string;
  index: number;
  value: unknown;
}

/** Shell → frame. */
export type ToFrame =
  | { type: "view"; view: FrameView }
  /** run this (the shell decided it may run); the frame answers `ran` with the id */
  | { type: "run"; id: number; scope: RunScope; input?: InputChange }
  /** stop every queued and running cell (the user pressed Stop in the app) */
  | { type: "stop" }
  /** DuckDB was lost (a new one starts): the cells' tables are gone, so every result goes */
  | { type: "restarted" }
  /** the frame was rebuilt after Stop: show this cell as stopped */
  | { type: "stopped"; cell: string; ms: number }
  /** the outputs as a report body (the shell sanitises it again and puts the page around it) */
  | { type: "report"; id: number }
  | { type: "reply"; id: number; reply: Reply };

/** A result to save or copy: a table in DuckDB by name, or a value of the frame as Arrow IPC. */
export type ExportSource = { table: string } | { ipc: Uint8Array };

/** A request the frame makes of the shell (the engine and the parser live there). */
export type FrameRequest =
  | { kind: "query"; sql: string }
  /** the user clicked Download: the app writes the whole result as a file and saves it */
  | {
      kind: "export";
      source: ExportSource;
      format: "csv" | "tsv" | "parquet";
      fileName: string;
    }
  /** the user clicked Copy: the app puts the whole result on the clipboard, as TSV */
  | { kind: "copy"; source: ExportSource }
  | { kind: "registerArrow"; name: string; ipc: Uint8Array }
  | { kind: "dropTable"; name: string }
  | { kind: "tables" }
  | { kind: "describe"; table: string }
  | { kind: "sqlReferences"; sql: string };

export type Reply =
  /** `files`: what the query's `COPY … TO` wrote into DuckDB's memory */
  | { ok: true; kind: "table"; ipc: Uint8Array; files?: WrittenFile[] }
  | { ok: true; kind: "info"; info: TableInfo }
  | { ok: true; kind: "infos"; infos: TableInfo[] }
  | { ok: true; kind: "references"; references: SqlReferences }
  | { ok: true; kind: "none" }
  /** `line`: the line of the SQL that DuckDB blamed, for a query that failed */
  | { ok: false; message: string; line?: number };

/** Frame → shell. */
export type FromFrame =
  | { type: "ready" }
  | { type: "height"; height: number }
  | { type: "change"; change: Change }
  | { type: "add"; kind: CellKind; after: string | undefined }
  | { type: "remove"; id: string }
  /** the user asked to run (a button, Shift+Enter, an input moved) */
  | { type: "ask-run"; scope: Extract<RunScope, { kind: "cell" }>; input?: InputChange }
  | { type: "states"; states: [string, CellStatus][] }
  /** the run with this id has finished */
  | { type: "ran"; id: number }
  | { type: "request"; id: number; request: FrameRequest }
  /** the request with this id is no longer wanted (its cell was stopped): stop its query */
  | { type: "cancel"; id: number }
  | { type: "download"; name: string; blob: Blob }
  | { type: "report"; id: number; html: string }
  /** files are dragged over the frame: the shell shows its drop target above it */
  | { type: "drag" }
  /** a link in the notebook was clicked: the shell opens it in a new tab, if the user did click */
  | { type: "open-link"; url: string };

/** The message that hands the frame's port to the shell, on the window's `message` event. */
export const HELLO = "strata-frame-hello";

/** Whether a value is a message of this protocol's shape (the shell checks each one it gets). */
export function isFromFrame(value: unknown): value is FromFrame {
  if (typeof value !== "object" || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === "string" && FROM_FRAME_TYPES.has(type);
}

const FROM_FRAME_TYPES = new Set<string>([
  "ready",
  "height",
  "change",
  "add",
  "remove",
  "ask-run",
  "states",
  "ran",
  "request",
  "cancel",
  "download",
  "report",
  "drag",
  "open-link",
]);
