import { table as aqTable, type ColumnTable } from "arquero";
import { columnNames, columnValues, toMatrix, type Matrix, type TableInput } from "./input.ts";

export type ScaleMethod = "zscore" | "minmax" | "robust";

export interface StandardizeOptions {
  /** the numeric columns to scale */
  columns: string[];
  /** zscore (population SD, as scikit-learn's StandardScaler), minmax, or robust (median / IQR) */
  method?: ScaleMethod;
  /** columns to take log(1 + x) of first, for skewed amounts */
  log1p?: string[];
}

/** How a matrix was scaled: x' = (x − center) / scale, column by column (after log1p). */
export interface Scaling {
  method: ScaleMethod;
  center: Float64Array;
  scale: Float64Array;
  log1p: boolean[];
}

/** Scale a matrix's columns; returns the scaled copy and the scaling, to map centroids back. */
export function scaleMatrix(
  matrix: Matrix,
  method: ScaleMethod = "zscore",
  log1p: readonly string[] = [],
): { matrix: Matrix; scaling: Scaling } {
  if (!["zscore", "minmax", "robust"].includes(method)) {
    throw new Error(`invalid method: ${String(method)} (expected zscore, minmax or robust)`);
  }
  for (const name of log1p) {
    if (!matrix.columns.includes(name))
      throw new Error(`invalid log1p column: ${name} (not one of ${matrix.columns.join(", ")})`);
  }
  const { n, d } = matrix;
  const values = Float64Array.from(matrix.values);
  const logged = matrix.columns.map((c) => log1p.includes(c));
  for (let j = 0; j < d; j++) {
    if (!logged[j]) continue;
    for (let i = 0; i < n; i++) {
      const v = values[i * d + j]!;
      if (v <= -1)
        throw new Error(`invalid log1p column: ${matrix.columns[j]} has a value ${v} ≤ −1`);
      values[i * d + j] = Math.log1p(v);
    }
  }
  const center = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  // Row-major passes with one accumulator per column: each column sums in row order, as a
  // column-by-column loop would, without copying columns out (a million rows in milliseconds).
  if (method === "zscore") {
    for (let i = 0, o = 0; i < n; i++, o += d)
      for (let j = 0; j < d; j++) center[j]! += values[o + j]!;
    for (let j = 0; j < d; j++) center[j]! /= n;
    const squares = new Float64Array(d);
    for (let i = 0, o = 0; i < n; i++, o += d)
      for (let j = 0; j < d; j++) squares[j]! += (values[o + j]! - center[j]!) ** 2;
    for (let j = 0; j < d; j++) scale[j] = Math.sqrt(squares[j]! / n);
  } else if (method === "minmax") {
    const max = new Float64Array(d).fill(-Infinity);
    center.fill(Infinity);
    for (let i = 0, o = 0; i < n; i++, o += d) {
      for (let j = 0; j < d; j++) {
        const v = values[o + j]!;
        if (v < center[j]!) center[j] = v;
        if (v > max[j]!) max[j] = v;
      }
    }
    for (let j = 0; j < d; j++) scale[j] = max[j]! - center[j]!;
  } else {
    const sorted = new Float64Array(n);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < n; i++) sorted[i] = values[i * d + j]!;
      sorted.sort();
      center[j] = quantile(sorted, 0.5);
      scale[j] = quantile(sorted, 0.75) - quantile(sorted, 0.25);
    }
  }
  for (let j = 0; j < d; j++) {
    // A constant column scales by 1, as scikit-learn does, rather than dividing by zero.
    if (!Number.isFinite(center[j]!)) center[j] = 0;
    if (!(scale[j]! > 0 && Number.isFinite(scale[j]!))) scale[j] = 1;
  }
  for (let i = 0, o = 0; i < n; i++, o += d)
    for (let j = 0; j < d; j++) values[o + j] = (values[o + j]! - center[j]!) / scale[j]!;
  return { matrix: { ...matrix, values }, scaling: { method, center, scale, log1p: logged } };
}

/** Map a scaled point back to original units. */
export function unscale(point: ArrayLike<number>, scaling: Scaling): number[] {
  return Array.from(point, (v, j) => {
    const x = v * scaling.scale[j]! + scaling.center[j]!;
    return scaling.log1p[j] ? Math.expm1(x) : x;
  });
}

/**
 * Scale columns of a table for clustering. Returns an Arquero table of the complete rows (a row
 * with a missing or non-finite value in a used column is left out), the used columns scaled
 * and every other column as it was.
 */
export function standardize(table: TableInput, options: StandardizeOptions): ColumnTable {
  const { matrix } = scaleMatrix(
    toMatrix(table, options.columns),
    options.method ?? "zscore",
    options.log1p ?? [],
  );
  const out: Record<string, ArrayLike<unknown>> = {};
  for (const name of columnNames(table)) {
    const j = matrix.columns.indexOf(name);
    if (j !== -1) {
      out[name] = Float64Array.from(
        { length: matrix.n },
        (_, i) => matrix.values[i * matrix.d + j]!,
      );
    } else {
      const values = columnValues(table, name);
      out[name] = Array.from(matrix.rows, (r) => values[r]);
    }
  }
  return aqTable(out);
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Linear-interpolated quantile of sorted values (NumPy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
