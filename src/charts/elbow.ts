import * as Plot from "@observablehq/plot";
import type { ElbowResult } from "../segment/index.ts";
import { figure } from "./compose.ts";
import { clusterColor } from "./palette.ts";

const PANELS = [
  { key: "inertia", title: "Inertia (lower is tighter)", better: "elbow" },
  { key: "silhouette", title: "Silhouette (higher is better)", better: "max" },
  { key: "ch", title: "Calinski–Harabasz (higher is better)", better: "max" },
  { key: "db", title: "Davies–Bouldin (lower is better)", better: "min" },
] as const;

export interface ElbowPlotOptions {
  width?: number;
  document?: Document;
}

/**
 * Inertia against k with the suggested k (Kneedle) marked, and each other criterion that was
 * computed in a panel of its own, with its own best k marked — so a class can compare them.
 */
export function elbowPlot(result: ElbowResult, options: ElbowPlotOptions = {}): SVGSVGElement {
  if (!result || result.kind !== "elbow")
    throw new Error("invalid result: elbowPlot expects what elbow() returns");
  const document = options.document ?? globalThis.document;
  const present = PANELS.filter((p) => Array.isArray(result[p.key]));
  const width = options.width ?? 640;
  const panelWidth = present.length === 1 ? width : Math.floor(width / 2);
  const panels = present.map((panel, i) => {
    const values = result[panel.key]!;
    const points = result.k
      .map((k, j) => ({ k, value: values[j]! }))
      .filter((p) => Number.isFinite(p.value));
    const best =
      panel.better === "elbow"
        ? result.suggested
        : points.reduce(
            (b, p) => ((panel.better === "max" ? p.value > b.value : p.value < b.value) ? p : b),
            points[0]!,
          )?.k;
    const marks: Plot.Markish[] = [
      Plot.line(points, { x: "k", y: "value", stroke: clusterColor(i) }),
      Plot.dot(points, { x: "k", y: "value", fill: clusterColor(i), r: 3 }),
    ];
    if (best !== null && best !== undefined) {
      marks.push(
        Plot.ruleX([best], { stroke: "currentColor", strokeDasharray: "4,3", strokeOpacity: 0.7 }),
      );
      marks.push(
        Plot.text([best], {
          x: (d: number) => d,
          frameAnchor: "top",
          dx: 4,
          dy: 4,
          textAnchor: "start",
          text: (d: number) => (panel.better === "elbow" ? `elbow: k = ${d}` : `best: k = ${d}`),
        }),
      );
    }
    return Plot.plot({
      document,
      width: panelWidth,
      height: 220,
      marginLeft: 56,
      grid: true,
      caption: undefined,
      x: { label: "k", ticks: result.k, tickFormat: "d" },
      y: { label: panel.title, nice: true },
      marks,
    }) as SVGSVGElement;
  });
  const suggestion =
    result.suggested === null
      ? "Kneedle finds no elbow in this range."
      : `Kneedle suggests k = ${result.suggested}.`;
  return figure({
    document,
    width,
    title: `Choosing k: ${result.k[0]} to ${result.k.at(-1)}`,
    subtitle: `on ${result.columns.join(", ")}`,
    panels,
    caption: `${suggestion} Dashed lines mark each criterion's choice; when they disagree, look at the clusters themselves.`,
  });
}
