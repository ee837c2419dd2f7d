import * as Plot from "@observablehq/plot";
import { toRows } from "../engine/convert.ts";
import type { CohortResult } from "../segment/index.ts";
import { figure } from "./compose.ts";

export interface CohortPlotOptions {
  width?: number;
  document?: Document;
}

interface Cell {
  cohort: string;
  offset: number;
  retention: number;
  customers: number;
  partial: boolean;
}

/**
 * The retention heatmap: cohorts down, periods since first purchase across, the share still
 * active in each cell, cohort sizes beside the rows, and cells the data covers only in part drawn
 * hatched-light with a dashed outline so nobody reads a half month as churn.
 */
export function cohortPlot(result: CohortResult, options: CohortPlotOptions = {}): SVGSVGElement {
  if (!result || result.kind !== "cohorts")
    throw new Error("invalid result: cohortPlot expects what cohorts() returns");
  const document = options.document ?? globalThis.document;
  const width = options.width ?? 640;
  const month = (d: Date) => d.toISOString().slice(0, 7);
  const sizes = new Map(result.sizes.map((s) => [month(s.cohort), s.size]));
  const cells: Cell[] = toRows(result.matrix).map((r) => ({
    cohort: month(r.cohort as Date),
    offset: Number(r.offset),
    retention: Number(r.retention),
    customers: Number(r.customers),
    partial: Boolean(r.partial),
  }));
  const cohorts = [...sizes.keys()];
  const offsets = [...new Set(cells.map((c) => c.offset))].sort((a, b) => a - b);
  const full = cells.filter((c) => !c.partial);
  const partial = cells.filter((c) => c.partial);
  const plot = Plot.plot({
    document,
    width,
    height: 40 + 24 * cohorts.length,
    marginLeft: 110,
    padding: 0.05,
    x: { label: "periods since first purchase", domain: offsets, axis: "top" },
    y: {
      label: null,
      domain: cohorts,
      tickFormat: (c: string) => `${c} · ${sizes.get(c)?.toLocaleString("en-US")}`,
    },
    color: { type: "linear", scheme: "blues", domain: [0, 1] },
    marks: [
      Plot.cell(full, { x: "offset", y: "cohort", fill: "retention" }),
      Plot.cell(partial, {
        x: "offset",
        y: "cohort",
        fill: "retention",
        fillOpacity: 0.35,
        stroke: "currentColor",
        strokeDasharray: "3,2",
      }),
      Plot.text(cells, {
        x: "offset",
        y: "cohort",
        text: (c: Cell) => `${Math.round(c.retention * 100)}%${c.partial ? "*" : ""}`,
        fill: (c: Cell) => (c.retention > 0.55 && !c.partial ? "white" : "currentColor"),
      }),
    ],
  }) as SVGSVGElement;
  const partialNote =
    result.partial.length > 0
      ? ` Cells marked * (dashed, faded) fall in ${result.partial.map((d) => d.toISOString().slice(0, 10)).join(", ")}, which the data covers only in part.`
      : "";
  return figure({
    document,
    width,
    title: "Retention by acquisition cohort",
    subtitle: "share of each cohort active in each period; cohort size beside its month",
    panels: [plot],
    caption: `Offset 0 is the month of first purchase (100% by definition).${partialNote}`,
  });
}
