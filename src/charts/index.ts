export { clusterPlot, densityBins, DOT_LIMIT, type ClusterPlotOptions } from "./cluster.ts";
export { elbowPlot, type ElbowPlotOptions } from "./elbow.ts";
export { silhouettePlot, type SilhouettePlotOptions } from "./silhouette.ts";
export { cohortPlot, type CohortPlotOptions } from "./cohort.ts";
export { rfmPlot, type RfmPlotOptions } from "./rfm.ts";
export { profilePlot, type ProfilePlotOptions } from "./profile.ts";
export { figure, type FigureOptions, type LegendItem } from "./compose.ts";
export { CLUSTER_COLORS, clusterColor, SEGMENT_COLORS } from "./palette.ts";
export { svgMarkup, pngBlob, type ExportOptions } from "./export.ts";
