/**
 * What a TypeScript cell sees, for editor completion. Every named cell is in scope too, under
 * its name: a SQL cell as an Arrow table, a TS cell as its value.
 */
import type * as arquero from "arquero";
import type * as plot from "@observablehq/plot";
import type { Table } from "apache-arrow";
import type * as segment from "../segment/index.ts";
import type * as charts from "../charts/index.ts";
import type * as output from "../output/index.ts";

import type { InputSpec } from "./state.ts";

declare global {
  /** Run SQL in DuckDB; `${values}` become SQL literals (numbers, strings, booleans, dates, arrays, null). */
  function sql(strings: TemplateStringsArray, ...values: unknown[]): Promise<Table>;
  /** Arquero, for table wrangling in JavaScript. */
  const aq: typeof arquero;
  /** Arquero's operations, for expressions in `derive`, `rollup` and `filter`. */
  const op: typeof arquero.op;
  /** Observable Plot; `Plot.plot(...)` draws a chart. */
  const Plot: typeof plot;
  /** Show a value below the cell, in addition to the cell's own value; returns the value. */
  function display<T>(value: T): T;
  /** A button that saves a table (a value, or a table's name) as name.csv, .tsv or .parquet when clicked; nothing saves by itself. */
  function download(
    table: string | segment.TableInput | Promise<segment.TableInput>,
    fileName: `${string}.csv` | `${string}.tsv` | `${string}.parquet`,
  ): output.Download;
  /** Ask for an input (a slider, a select, a checkbox, a text box); returns its current value. */
  function view<S extends InputSpec>(spec: S): S["value"];
  /** Score customers by recency, frequency and monetary value (quintiles) and name their segments; runs in DuckDB. */
  function rfm(
    orders: string | segment.TableInput,
    options: segment.RfmOptions,
  ): Promise<segment.RfmResult>;
  /** Monthly (or weekly) acquisition cohorts and their retention; partly covered periods are flagged. */
  function cohorts(
    orders: string | segment.TableInput,
    options: segment.CohortOptions,
  ): Promise<segment.CohortResult>;
  /** Scale columns (z-score, min–max or robust, optional log1p); rows with missing values are left out. */
  const standardize: typeof segment.standardize;
  /** k-means clustering (k-means++ initialisation, restarts, canonical cluster numbers), reproducible by seed. In the app it runs in a worker: await it. */
  function kmeans(...args: Parameters<typeof segment.kmeans>): Promise<segment.KMeansResult>;
  /** Step through one k-means run — initialisation, then each assignment and update — for teaching. */
  const kmeansSteps: typeof segment.kmeansSteps;
  /** Inertia for a range of k with the Kneedle elbow, and silhouette, Calinski–Harabasz, Davies–Bouldin per k. In a worker: await it. */
  function elbow(...args: Parameters<typeof segment.elbow>): Promise<segment.ElbowResult>;
  /** Silhouette per point, per cluster and overall; sampled (and said so) for large tables. In a worker: await it. */
  function silhouette(
    ...args: Parameters<typeof segment.silhouette>
  ): Promise<segment.SilhouetteResult>;
  /** Size, share and column statistics per cluster, with z-scores and a short label. */
  const profile: typeof segment.profile;
  /** Principal components for a 2-D map of the clusters, with explained variance. */
  const pca: typeof segment.pca;
  /** The cluster map: points by cluster on two columns or the first two components, centroids, sizes; binned past 20,000 rows. */
  const clusterPlot: typeof charts.clusterPlot;
  /** Inertia against k with the elbow marked, and silhouette, CH and DB in panels of their own. */
  const elbowPlot: typeof charts.elbowPlot;
  /** Per-point silhouettes sorted within each cluster, with the mean. */
  const silhouettePlot: typeof charts.silhouettePlot;
  /** The retention heatmap, cohort sizes beside it, partly covered periods marked. */
  const cohortPlot: typeof charts.cohortPlot;
  /** The R × F grid with segment names, customers and share of spend. */
  const rfmPlot: typeof charts.rfmPlot;
  /** Clusters × columns as z-scores on a diverging scale, with cluster labels. */
  const profilePlot: typeof charts.profilePlot;
}

export {};
