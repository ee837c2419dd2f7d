import * as Plot from "@observablehq/plot";
import type { ProfileResult } from "../segment/index.ts";
import { figure } from "./compose.ts";
import { clusterColor, percent } from "./palette.ts";

export interface ProfilePlotOptions {
  width?: number;
  document?: Document;
}

/**
 * Clusters × features: each cluster's mean as a z-score against everyone, on a diverging scale
 * centred on 0 (blue below average, red above), with the clusters' labels on the axis.
 */
export function profilePlot(
  result: ProfileResult,
  options: ProfilePlotOptions = {},
): SVGSVGElement {
  if (!result || result.kind !== "profile")
    throw new Error("invalid result: profilePlot expects what profile() returns");
  const document = options.document ?? globalThis.document;
  const width = options.width ?? 640;
  const rowLabel = (c: { cluster: number; label: string }) => `${c.cluster} · ${c.label}`;
  const cells = result.clusters.flatMap((c) =>
    result.columns.map((column) => ({ row: rowLabel(c), column, z: c.stats[column]!.z })),
  );
  const extent = Math.max(1, ...cells.map((c) => Math.abs(c.z)));
  const plot = Plot.plot({
    document,
    width,
    height: 50 + 34 * result.clusters.length,
    marginLeft: Math.min(
      Math.floor(width * 0.55),
      16 + 5.8 * Math.max(...result.clusters.map((c) => rowLabel(c).length)),
    ),
    marginTop: 44,
    padding: 0.05,
    x: { label: null, domain: result.columns, axis: null },
    y: { label: null, domain: result.clusters.map(rowLabel) },
    color: {
      type: "diverging",
      scheme: "rdbu",
      reverse: true,
      domain: [-extent, extent],
      pivot: 0,
    },
    marks: [
      Plot.axisX({ anchor: "top", lineWidth: 8, tickSize: 0, label: null }),
      Plot.cell(cells, { x: "column", y: "row", fill: "z" }),
      Plot.text(cells, {
        x: "column",
        y: "row",
        text: (c: { z: number }) => (c.z > 0 ? "+" : "") + c.z.toFixed(2),
        fill: (c: { z: number }) => (Math.abs(c.z) > extent * 0.6 ? "white" : "black"),
      }),
    ],
  }) as SVGSVGElement;
  return figure({
    document,
    width,
    title: "Cluster profiles",
    subtitle: "each cluster's mean per column as a z-score against all rows",
    legend: result.clusters.map((c) => ({
      label: `Cluster ${c.cluster}: ${c.size.toLocaleString("en-US")} (${percent(c.share)})`,
      color: clusterColor(c.cluster),
    })),
    panels: [plot],
    caption: "Red is above the population average, blue below; ±1 is one standard deviation.",
  });
}
