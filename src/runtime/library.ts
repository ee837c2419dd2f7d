import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import type { Table } from "apache-arrow";
import { literal, type Engine } from "../engine/index.ts";
import {
  clusterPlot,
  cohortPlot,
  elbowPlot,
  profilePlot,
  rfmPlot,
  silhouettePlot,
} from "../charts/index.ts";
import type { WorkerLike } from "./segment-remote.ts";
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

/** Names every TS cell sees, shared by all cells. Documented for editors in `library.d.ts`. */
export function sharedLibrary(host: LibraryHost): Map<string, unknown> {
  const plot = (options: Plot.PlotOptions = {}) =>
    Plot.plot({ document: host.document, ...options });
  return new Map<string, unknown>([
    [
      "sql",
      (strings: TemplateStringsArray, ...values: unknown[]): Promise<Table> =>
        host.engine.query(sqlText(strings, values)),
    ],
    ["aq", aq],
    ["op", aq.op],
    ["Plot", { ...Plot, plot }],
    ...[
      ...segmentationLibrary(host.engine, { worker: host.kmeansWorker }),
      ...chartLibrary(host.document),
    ].map(([name, fn]) => [name, awaitingArguments(fn)] as const),
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

/** Names bound to one run of one cell: what it displays and the inputs it asks for. */
export function cellLibrary(
  host: LibraryHost,
  cellId: string,
  outputs: Output[],
): Map<string, unknown> {
  let inputs = 0;
  return new Map<string, unknown>([
    [
      "display",
      (value: unknown) => {
        outputs.push({ kind: "value", value });
        return value;
      },
    ],
    [
      "view",
      (spec: InputSpec) => {
        checkInput(spec);
        const chosen = host.inputValue?.(cellId, inputs++);
        const value = chosen === undefined ? spec.value : chosen;
        outputs.push({ kind: "input", spec, value });
        return value;
      },
    ],
  ]);
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
