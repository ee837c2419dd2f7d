import * as Plot from "@observablehq/plot";
import { matrixColumn, pca, project, type KMeansResult } from "../segment/index.ts";
import { figure } from "./compose.ts";
import { clusterColor, percent } from "./palette.ts";

/** Above this many points the map shows density bins instead of one dot per point. */
export const DOT_LIMIT = 20_000;

export interface ClusterPlotOptions {
  /** a column for the horizontal axis (default: the first principal component) */
  x?: string;
  /** a column for the vertical axis (default: the second principal component) */
  y?: string;
  /** names for the clusters, e.g. from profile(), by cluster number */
  names?: readonly string[];
  width?: number;
  height?: number;
  document?: Document;
}

/**
 * The cluster map: points coloured by cluster on two columns, or on the first two principal
 * components (with their explained variance in the axis labels), centroids marked, a legend with
 * sizes. Past DOT_LIMIT points it draws density bins (a bounded number of rectangles coloured by
 * each bin's most common cluster) and says so in the caption.
 */
export function clusterPlot(result: KMeansResult, options: ClusterPlotOptions = {}): SVGSVGElement {
  if (!result || result.kind !== "kmeans")
    throw new Error("invalid result: clusterPlot expects what kmeans() returns");
  const document = options.document ?? globalThis.document;
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const { points, scaledPoints, columns, k } = result;
  const n = points.n;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = result.labels[points.rows[i]!]!;

  let xs: Float64Array;
  let ys: Float64Array;
  let centres: number[][];
  let xLabel: string;
  let yLabel: string;
  if (columns.length === 1) {
    // One column: a strip per cluster along it.
    xs = matrixColumn(points, 0);
    ys = Float64Array.from(labels);
    centres = result.centroids.original.map((c, i) => [c[0]!, i]);
    [xLabel, yLabel] = [columns[0]!, "cluster"];
  } else if (options.x !== undefined || options.y !== undefined || columns.length === 2) {
    const xName = options.x ?? columns[0]!;
    const yName = options.y ?? columns[1] ?? columns[0]!;
    const xi = columnIndex(columns, xName);
    const yi = columnIndex(columns, yName);
    xs = matrixColumn(points, xi);
    ys = matrixColumn(points, yi);
    centres = result.centroids.original.map((c) => [c[xi]!, c[yi]!]);
    [xLabel, yLabel] = [xName, yName];
  } else {
    const map = pca(scaledPoints, { components: 2 });
    xs = matrixColumn(map.points, 0);
    ys = matrixColumn(map.points, 1);
    centres = project(map, result.centroids.standardized);
    xLabel = `PC1 (${percent(map.explained[0]!)} of variance)`;
    yLabel = `PC2 (${percent(map.explained[1]!)} of variance)`;
  }

  const color = {
    type: "ordinal" as const,
    domain: Array.from({ length: k }, (_, c) => c),
    range: Array.from({ length: k }, (_, c) => clusterColor(c)),
  };
  const centroidMarks = [
    Plot.dot(centres, {
      x: (c: number[]) => c[0],
      y: (c: number[]) => c[1],
      r: 7,
      fill: (_: number[], i: number) => i,
      stroke: "currentColor",
      strokeWidth: 2,
      symbol: "diamond",
    }),
  ];
  let marks: Plot.Markish[];
  let caption: string;
  if (n <= DOT_LIMIT) {
    const index = Array.from({ length: n }, (_, i) => i);
    marks = [
      Plot.dot(index, {
        x: (i: number) => xs[i],
        y: (i: number) => ys[i],
        fill: (i: number) => labels[i],
        r: n > 2000 ? 1.5 : 2.5,
        fillOpacity: 0.7,
      }),
    ];
    caption = `Each dot is one of ${n.toLocaleString("en-US")} rows; diamonds mark the centroids.`;
  } else {
    const bins = densityBins(xs, ys, labels, k, 120, 80);
    marks = [
      Plot.rect(bins.cells, {
        x1: "x1",
        x2: "x2",
        y1: "y1",
        y2: "y2",
        fill: "cluster",
        fillOpacity: (d: { count: number }) =>
          0.25 + 0.75 * (Math.log1p(d.count) / Math.log1p(bins.max)),
      }),
    ];
    caption = `${n.toLocaleString("en-US")} rows are too many to draw one by one: they are binned into a 120 × 80 grid; each bin shows its most common cluster, darker where more rows fall. Diamonds mark the centroids.`;
  }
  if (result.excluded > 0)
    caption += ` ${result.excluded.toLocaleString("en-US")} rows with missing values are left out.`;

  const plot = Plot.plot({
    document,
    width,
    height,
    marginLeft: 50,
    grid: true,
    x: { label: xLabel },
    y: { label: yLabel },
    color,
    marks: [...marks, ...centroidMarks],
  }) as SVGSVGElement;
  return figure({
    document,
    width,
    title: `k-means clusters (k = ${k})`,
    subtitle: `on ${columns.join(", ")}${result.scaling ? ` (scaled: ${result.scaling.method})` : ""}`,
    legend: result.sizes.map((size, c) => ({
      label: `${options.names?.[c] ? `${c} · ${options.names[c]}` : `Cluster ${c}`} — ${size.toLocaleString("en-US")} (${percent(size / n)})`,
      color: clusterColor(c),
    })),
    panels: [plot],
    caption,
  });
}

function columnIndex(columns: readonly string[], name: string): number {
  const i = columns.indexOf(name);
  if (i === -1) throw new Error(`unknown column: ${name} (clustered on: ${columns.join(", ")})`);
  return i;
}

interface Bin {
  x1: number;
  x2: number;
  y1: number;
  y2: number;
  cluster: number;
  count: number;
}

/** Bin points into a grid; each non-empty bin keeps its count and most common cluster. */
export function densityBins(
  xs: Float64Array,
  ys: Float64Array,
  labels: Int32Array,
  k: number,
  columns: number,
  rows: number,
): { cells: Bin[]; max: number } {
  const [x0, x1] = extent(xs);
  const [y0, y1] = extent(ys);
  const dx = (x1 - x0) / columns || 1;
  const dy = (y1 - y0) / rows || 1;
  const counts = new Int32Array(columns * rows * k);
  for (let i = 0; i < xs.length; i++) {
    const cx = Math.min(columns - 1, Math.floor((xs[i]! - x0) / dx));
    const cy = Math.min(rows - 1, Math.floor((ys[i]! - y0) / dy));
    counts[(cy * columns + cx) * k + labels[i]!]!++;
  }
  const cells: Bin[] = [];
  let max = 0;
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < columns; cx++) {
      let total = 0;
      let best = 0;
      for (let c = 0; c < k; c++) {
        const v = counts[(cy * columns + cx) * k + c]!;
        total += v;
        if (v > counts[(cy * columns + cx) * k + best]!) best = c;
      }
      if (total === 0) continue;
      max = Math.max(max, total);
      cells.push({
        x1: x0 + cx * dx,
        x2: x0 + (cx + 1) * dx,
        y1: y0 + cy * dy,
        y2: y0 + (cy + 1) * dy,
        cluster: best,
        count: total,
      });
    }
  }
  return { cells, max };
}

function extent(values: Float64Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < min) min = values[i]!;
    if (values[i]! > max) max = values[i]!;
  }
  return [min, max];
}
