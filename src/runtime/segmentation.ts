import { ident, toRows, type Engine } from "../engine/index.ts";
import { isTableLike } from "../output/index.ts";
import {
  cohortsSql,
  elbow,
  kmeans,
  kmeansSteps,
  pca,
  profile,
  rfmSegmentsSql,
  rfmSql,
  silhouette,
  standardize,
  type CohortOptions,
  type ElbowOptions,
  type KMeansOptions,
  type SilhouetteLabels,
  type SilhouetteOptions,
  type TableInput,
  type CohortResult,
  type RfmOptions,
  type RfmResult,
} from "../segment/index.ts";
import { toIPC } from "./ipc.ts";
import type { RemoteSegmentation } from "./segment-remote.ts";
import { rememberInput } from "./segmentList.ts";

/**
 * The segmentation functions TS cells see. The pure ones come from segment/; rfm and cohorts
 * run their SQL in DuckDB, on a table name or on a table value (registered for the query);
 * given remote segmentation, kmeans, elbow and silhouette run their heavy stage in its worker,
 * and `signal` stops them there.
 */
export function segmentationLibrary(
  engine: Engine<unknown>,
  options: { remote?: RemoteSegmentation; signal?: AbortSignal } = {},
): Map<string, unknown> {
  let inputs = 0;
  /** A relation name for a table argument: a name as given, a table value registered first. */
  const relation = async (table: unknown): Promise<{ name: string; drop: () => Promise<void> }> => {
    if (typeof table === "string") return { name: table, drop: async () => {} };
    if (!isTableLike(table))
      throw new Error(
        "invalid table: expected a table name, an Arrow or Arquero table, or an array of records",
      );
    const name = `__strata_input_${++inputs}`;
    await engine.registerArrow(name, toIPC(table));
    return { name, drop: () => engine.dropTable(name) };
  };

  const rfm = async (orders: unknown, options: RfmOptions): Promise<RfmResult> => {
    const input = await relation(orders);
    try {
      const sql = rfmSql(input.name, options);
      const table = await engine.query(sql);
      const segments = await engine.query(rfmSegmentsSql(sql));
      return {
        kind: "rfm",
        table,
        segments,
        sql: typeof orders === "string" ? sql : sql.replace(ident(input.name), "<your table>"),
      };
    } finally {
      await input.drop();
    }
  };

  const cohorts = async (orders: unknown, options: CohortOptions): Promise<CohortResult> => {
    const input = await relation(orders);
    try {
      const sql = cohortsSql(input.name, options);
      const matrix = await engine.query(sql);
      const rows = toRows(matrix);
      const sizes = new Map<number, { cohort: Date; size: number }>();
      const partial = new Map<number, Date>();
      for (const row of rows) {
        const cohort = row.cohort as Date;
        sizes.set(cohort.getTime(), { cohort, size: Number(row.size) });
        if (row.partial) partial.set((row.period as Date).getTime(), row.period as Date);
      }
      return {
        kind: "cohorts",
        matrix,
        sizes: [...sizes.values()],
        partial: [...partial.values()].sort((a, b) => a.getTime() - b.getTime()),
        sql: typeof orders === "string" ? sql : sql.replace(ident(input.name), "<your table>"),
      };
    } finally {
      await input.drop();
    }
  };

  // In the browser these run in a worker (and return promises, which cells await); in Node,
  // where nothing else shares the thread, synchronously.
  const { remote, signal } = options;
  return new Map<string, unknown>([
    ["rfm", rfm],
    ["cohorts", cohorts],
    ["standardize", standardize],
    [
      "kmeans",
      // The table clustered is kept beside the result, for its segment list.
      remote
        ? async (table: TableInput, opts: KMeansOptions) =>
            rememberInput(await remote.kmeans(table, opts, signal), table, opts.columns)
        : (table: TableInput, opts: KMeansOptions) =>
            rememberInput(kmeans(table, opts), table, opts.columns),
    ],
    ["kmeansSteps", kmeansSteps],
    [
      "elbow",
      remote ? (table: TableInput, opts: ElbowOptions) => remote.elbow(table, opts, signal) : elbow,
    ],
    [
      "silhouette",
      remote
        ? (table: TableInput, labels: SilhouetteLabels, opts?: SilhouetteOptions) =>
            remote.silhouette(table, labels, opts, signal)
        : silhouette,
    ],
    ["profile", profile],
    ["pca", pca],
  ]);
}
