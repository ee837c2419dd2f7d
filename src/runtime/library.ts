import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import type { Table } from "apache-arrow";
import { literal, type Engine, type WrittenFile } from "../engine/index.ts";
import {
  clusterPlot,
  cohortPlot,
  elbowPlot,
  profilePlot,
  rfmPlot,
  silhouettePlot,
} from "../charts/index.ts";
import type { RemoteSegmentation, WorkerLike } from "./segment-remote.ts";
import { download, fileDownload } from "./download.ts";
import { segmentationLibrary } from "./segmentation.ts";
import type { InputSpec, Output } from "./state.ts";

/** What the library needs from its host: the engine, and a DOM document where there is no global one. */
export interface LibraryHost {
  engine: Engine<unknown>;
  /** a DOM document for Plot (jsdom in Node); the global one in the browser */
  document?: Document;
  /** a segmentation worker for kmeans, elbow and silhouette (the browser passes one, so they do not block the page) */
  kmeansWorker?: () => WorkerLike;
  /** values for `view()` inputs the user has moved, by cell id and input position */
  inputValue?: (cellId: string, index: number) => unknown;
}

/** Names every TS cell sees, the same for every run: Arquero, Plot and the chart recipes. */
export function sharedLibrary(host: LibraryHost): Map<string, unknown> {
  const plot = (options: Plot.PlotOptions = {}) =>
    Plot.plot({ document: host.document, ...options });
  return new Map<string, unknown>([
    ["aq", aq],
    ["op", aq.op],
    ["Plot", { ...Plot, plot }],
    ["download", awaitingArguments(download)],
    ...[...chartLibrary(host.document)].map(([name, fn]) => [name, awaitingArguments(fn)] as const),
  ]);
}

/**
 * In the browser k-means answers with a promise (it runs in a worker), so that
 * `clusterPlot(kmeans(...))` works there as in Node, a library function given a promise waits for
 * it and answers with a promise; given plain values it answers at once, as before.
 */
function awaitingArguments(fn: unknown): unknown {
  if (typeof fn !== "function") return fn;
  const wrapped = (...args: unknown[]) =>
    args.some(isThenable) ? Promise.all(args).then((values) => fn(...values)) : fn(...args);
  return Object.defineProperty(wrapped, "name", { value: fn.name });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** The chart recipes, drawing into the host's document (jsdom in Node, the page in the browser). */
function chartLibrary(document: Document | undefined): Map<string, unknown> {
  const recipes = { clusterPlot, elbowPlot, silhouettePlot, cohortPlot, rfmPlot, profilePlot };
  return new Map(
    Object.entries(recipes).map(([name, recipe]) => [
      name,
      (result: never, options: object = {}) =>
        recipe(result, { document: document ?? globalThis.document, ...options }),
    ]),
  );
}

/** One run of one cell. */
export interface CellRun {
  cellId: string;
  /** what the cell displays, in order */
  outputs: Output[];
  /** fires when the run is stopped: the cell's queries and worker jobs stop with it */
  signal: AbortSignal;
  /** segmentation in a worker (the browser's), shared by every run */
  remote?: RemoteSegmentation;
}

/**
 * Names bound to one run of one cell: what it displays, the inputs it asks for, and everything
 * that reaches the engine or the segmentation worker, which stops when the run is stopped.
 */
export function cellLibrary(host: LibraryHost, run: CellRun): Map<string, unknown> {
  const engine = stoppable(host.engine, run.signal);
  let inputs = 0;
  return new Map<string, unknown>([
    [
      "sql",
      (strings: TemplateStringsArray, ...values: unknown[]): Promise<Table> =>
        engine.query(sqlText(strings, values), { files: showFile(run.outputs) }),
    ],
    ...[...segmentationLibrary(engine, { remote: run.remote, signal: run.signal })].map(
      ([name, fn]) => [name, awaitingArguments(fn)] as const,
    ),
    [
      "display",
      (value: unknown) => {
        run.outputs.push({ kind: "value", value });
        return value;
      },
    ],
    [
      "view",
      (spec: InputSpec) => {
        checkInput(spec);
        const chosen = host.inputValue?.(run.cellId, inputs++);
        const value = chosen === undefined ? spec.value : chosen;
        run.outputs.push({ kind: "input", spec, value });
        return value;
      },
    ],
  ]);
}

/**
 * Where SQL writes files into the engine's memory (`COPY … TO` in the browser), each file shows
 * in the cell's output as a download button.
 */
export function showFile(outputs: Output[]): (file: WrittenFile) => void {
  return (file) => outputs.push({ kind: "value", value: fileDownload(file) });
}

/**
 * The engine as one run sees it: its queries carry the run's signal, and once the run is
 * stopped nothing more of it reaches the database.
 */
export function stoppable<S>(engine: Engine<S>, signal: AbortSignal): Engine<S> {
  const live = <T>(call: () => Promise<T>): Promise<T> =>
    signal.aborted ? Promise.reject(signal.reason) : call();
  return {
    query: (sql, options) => live(() => engine.query(sql, { ...options, signal })),
    registerFile: (source, options) => live(() => engine.registerFile(source, options)),
    registerArrow: (name, ipc) => live(() => engine.registerArrow(name, ipc)),
    tables: () => live(() => engine.tables()),
    describe: (table) => live(() => engine.describe(table)),
    clear: () => live(() => engine.clear()),
    dropTable: (table) => live(() => engine.dropTable(table)),
    close: () => engine.close(),
  };
}

/** The SQL text of a `sql` template: interpolated values become SQL literals, never raw text. */
export function sqlText(strings: readonly string[], values: readonly unknown[]): string {
  return strings.reduce(
    (text, part, i) => text + part + (i < values.length ? sqlValue(values[i]) : ""),
    "",
  );
}

function sqlValue(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new Error(`invalid sql value: ${value} (expected a finite number)`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "string") return literal(value);
  if (value instanceof Date)
    return `TIMESTAMP ${literal(value.toISOString().replace("T", " ").replace("Z", ""))}`;
  if (Array.isArray(value)) return `[${value.map(sqlValue).join(", ")}]`;
  throw new Error(
    `invalid sql value: ${String(value)} (expected a number, string, boolean, date, array or null)`,
  );
}

function checkInput(spec: InputSpec): void {
  switch (spec.type) {
    case "range":
      if (!(spec.min <= spec.value && spec.value <= spec.max)) {
        throw new Error(
          `invalid range input: value ${spec.value} is outside [${spec.min}, ${spec.max}]`,
        );
      }
      return;
    case "select":
      if (!spec.options.includes(spec.value))
        throw new Error(`invalid select input: ${spec.value} is not one of its options`);
      return;
    case "checkbox":
    case "text":
      return;
    default:
      throw new Error(
        `invalid input type: ${String((spec as { type?: unknown }).type)} (expected range, select, checkbox or text)`,
      );
  }
}
