/**
 * One colour per cluster, shared by every chart: Observable's ten-colour categorical scheme,
 * mid-tone colours that read on both a light and a dark background.
 */
export const CLUSTER_COLORS = [
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
  "#9498a0",
] as const;

/** The colour of cluster `i` (the palette repeats past ten clusters). */
export function clusterColor(i: number): string {
  return CLUSTER_COLORS[
    ((i % CLUSTER_COLORS.length) + CLUSTER_COLORS.length) % CLUSTER_COLORS.length
  ]!;
}

/** Colours of the named RFM segments, from most to least valuable: warm is good, cool is at risk. */
export const SEGMENT_COLORS: Record<string, string> = {
  Champions: "#3ca951",
  "Loyal Customers": "#6cc5b0",
  "Potential Loyalists": "#97bbf5",
  "New Customers": "#4269d0",
  Promising: "#a463f2",
  "Need Attention": "#efb118",
  "About to Sleep": "#ffb35c",
  "Can't Lose Them": "#ff725c",
  "At Risk": "#ff8ab7",
  Hibernating: "#9498a0",
};

/** Format a share as a percentage with one decimal. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
