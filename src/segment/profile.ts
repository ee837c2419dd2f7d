import { toMatrix, type TableInput } from "./input.ts";
import { quantile } from "./standardize.ts";

export interface ColumnStats {
  mean: number;
  sd: number;
  median: number;
  /** the cluster mean as a z-score against the whole population */
  z: number;
}

export interface ClusterProfile {
  cluster: number;
  size: number;
  /** size ÷ rows profiled */
  share: number;
  /** a short description from the most distinctive columns, e.g. "high monetary, low recency" */
  label: string;
  stats: Record<string, ColumnStats>;
}

export interface ProfileResult {
  kind: "profile";
  columns: string[];
  clusters: ClusterProfile[];
  /** rows left out for a missing value or a label below 0 */
  excluded: number;
}

/** How far from the population mean (in SDs) a cluster mean must be to be called high or low. */
const DISTINCT = 0.5;

/**
 * Describe clusters: size, share, and mean / SD / median of each column, each mean also as a
 * z-score against the whole population, and a label naming the two most distinctive columns.
 * `labels` is one cluster number per table row (-1 for rows to leave out), as kmeans returns.
 */
export function profile(
  table: TableInput,
  labels: ArrayLike<number> | { labels: ArrayLike<number> },
  options: { columns: string[] },
): ProfileResult {
  const clusterOf = "labels" in labels ? labels.labels : labels;
  const m = toMatrix(table, options.columns);
  if (clusterOf.length !== m.totalRows) {
    throw new Error(
      `invalid labels: ${clusterOf.length} labels for a table of ${m.totalRows} rows`,
    );
  }
  const rows = Array.from(m.rows).filter((r) => clusterOf[r]! >= 0);
  const index = new Map(Array.from(m.rows, (r, i) => [r, i]));
  if (rows.length === 0)
    throw new Error("no rows to profile: every row is missing a value or a label");
  const { d, columns } = m;
  const value = (r: number, j: number) => m.values[index.get(r)! * d + j]!;
  const population = columns.map((_, j) => stats(rows.map((r) => value(r, j))));
  const ids = [...new Set(rows.map((r) => clusterOf[r]!))].sort((a, b) => a - b);
  const clusters = ids.map((cluster): ClusterProfile => {
    const members = rows.filter((r) => clusterOf[r] === cluster);
    const entries = columns.map((name, j) => {
      const s = stats(members.map((r) => value(r, j)));
      const p = population[j]!;
      return [name, { ...s, z: p.sd === 0 ? 0 : (s.mean - p.mean) / p.sd }] as const;
    });
    return {
      cluster,
      size: members.length,
      share: members.length / rows.length,
      label: labelOf(entries.map(([name, s]) => ({ name, z: s.z }))),
      stats: Object.fromEntries(
        entries.map(([name, s]) => [name, { mean: s.mean, sd: s.sd, median: s.median, z: s.z }]),
      ),
    };
  });
  return { kind: "profile", columns, clusters, excluded: m.totalRows - rows.length };
}

function stats(values: number[]): { mean: number; sd: number; median: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  return { mean, sd, median: quantile(Float64Array.from(values).sort(), 0.5) };
}

function labelOf(columns: { name: string; z: number }[]): string {
  const distinct = columns
    .filter((c) => Math.abs(c.z) >= DISTINCT)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || a.name.localeCompare(b.name))
    .slice(0, 2);
  if (distinct.length === 0) return "close to average";
  return distinct.map((c) => `${c.z > 0 ? "high" : "low"} ${c.name}`).join(", ");
}
