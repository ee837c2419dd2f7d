import * as Plot from "@observablehq/plot";
import type { SilhouetteResult } from "../segment/index.ts";
import { figure } from "./compose.ts";
import { clusterColor } from "./palette.ts";

export interface SilhouettePlotOptions {
  width?: number;
  height?: number;
  document?: Document;
}

/**
 * Per-point silhouette values, sorted within each cluster and stacked cluster by cluster, with
 * the mean as a dashed rule. Bars left of zero are points closer to another cluster than their own.
 */
export function silhouettePlot(
  result: SilhouetteResult,
  options: SilhouettePlotOptions = {},
): SVGSVGElement {
  if (!result || result.kind !== "silhouette")
    throw new Error("invalid result: silhouettePlot expects what silhouette() returns");
  const document = options.document ?? globalThis.document;
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const clusters = [...new Set(result.values.map((v) => v.cluster))].sort((a, b) => a - b);
  const gap = Math.max(2, Math.round(result.values.length * 0.02));
  const bars: { y1: number; y2: number; value: number; cluster: number }[] = [];
  const labels: { y: number; cluster: number }[] = [];
  let y = 0;
  for (const cluster of clusters) {
    const values = result.values
      .filter((v) => v.cluster === cluster)
      .map((v) => v.value)
      .sort((a, b) => b - a);
    labels.push({ y: y + values.length / 2, cluster });
    for (const value of values) bars.push({ y1: y, y2: ++y, value, cluster });
    y += gap;
  }
  const plot = Plot.plot({
    document,
    width,
    height,
    marginLeft: 70,
    x: {
      label: "silhouette",
      domain: [Math.min(-0.1, ...bars.map((b) => b.value)), 1],
      grid: true,
    },
    y: { axis: null, reverse: true },
    color: { type: "ordinal", domain: clusters, range: clusters.map(clusterColor) },
    marks: [
      Plot.rectX(bars, {
        x1: 0,
        x2: "value",
        y1: "y1",
        y2: "y2",
        fill: "cluster",
        shapeRendering: "crispEdges",
      }),
      Plot.ruleX([0], { stroke: "currentColor" }),
      Plot.ruleX([result.mean], { stroke: "currentColor", strokeDasharray: "4,3" }),
      Plot.text([result.mean], {
        x: (d: number) => d,
        frameAnchor: "top",
        dx: 4,
        textAnchor: "start",
        text: (d: number) => `mean ${d.toFixed(3)}`,
      }),
      Plot.text(labels, {
        x: 0,
        y: "y",
        text: (d: { cluster: number }) => `Cluster ${d.cluster}`,
        textAnchor: "end",
        dx: -6,
      }),
    ],
  }) as SVGSVGElement;
  const sampled = result.sampled
    ? `Scored on a seeded sample of ${result.sampled.size.toLocaleString("en-US")} of ${result.sampled.of.toLocaleString("en-US")} rows (seed ${result.sampled.seed}).`
    : `All ${result.values.length.toLocaleString("en-US")} rows scored.`;
  return figure({
    document,
    width,
    title: `Silhouette: mean ${result.mean.toFixed(3)}`,
    subtitle: "how much closer each point is to its own cluster than to the next (−1 to 1)",
    legend: clusters.map((c) => ({
      label: `Cluster ${c}: mean ${result.perCluster[c]!.toFixed(3)}`,
      color: clusterColor(c),
    })),
    panels: [plot],
    caption: `${sampled} Euclidean distances; a point alone in its cluster scores 0.`,
  });
}
