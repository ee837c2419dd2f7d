export {
  toMatrix,
  columnNames,
  columnsTable,
  matrixColumn,
  numericColumns,
  rowCount,
  type Matrix,
  type NumericColumns,
  type TableInput,
} from "./input.ts";
export { randomSource } from "./random.ts";
export {
  standardize,
  scaleMatrix,
  unscale,
  type ScaleMethod,
  type Scaling,
  type StandardizeOptions,
} from "./standardize.ts";
export {
  kmeans,
  kmeansSteps,
  kmeansMatrix,
  type KMeansOptions,
  type KMeansResult,
  type KMeansStep,
  type KMeansProgress,
} from "./kmeans.ts";
export { silhouette, type SilhouetteLabels, type SilhouetteOptions } from "./silhouette.ts";
export {
  silhouetteMatrix,
  calinskiHarabasz,
  daviesBouldin,
  adjustedRandIndex,
  SILHOUETTE_EXACT_LIMIT,
  type SilhouetteResult,
} from "./metrics.ts";
export { kneedle } from "./kneedle.ts";
export { elbow, type ElbowOptions, type ElbowResult } from "./elbow.ts";
export { profile, type ProfileResult, type ClusterProfile } from "./profile.ts";
export { pca, type PcaResult } from "./pca.ts";
export { rfmSql, rfmSegmentsSql, rfmSegment, RFM_SEGMENTS, type RfmOptions } from "./rfm.ts";
export { cohortsSql, type CohortOptions } from "./cohorts.ts";
export { kmeansFrom, type RawKMeans } from "./kmeans.ts";
export { project } from "./pca.ts";
export type { RfmResult } from "./rfm.ts";
export type { CohortResult } from "./cohorts.ts";
