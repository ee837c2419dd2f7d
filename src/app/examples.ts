import { parse } from "../notebook/index.ts";

const texts = import.meta.glob<string>("../../notebooks/*.md", {
  query: "?raw",
  import: "default",
  eager: true,
});
const files = import.meta.glob<string>("../../datasets/*.{csv,tsv,json,parquet}", {
  query: "?url",
  import: "default",
  eager: true,
});

/** An example notebook shipped with the app. */
export interface Example {
  /** the file name without .md, as in ?notebook=<name> */
  name: string;
  title: string;
  text: string;
}

export const EXAMPLES: Example[] = Object.entries(texts)
  // notebooks/README.md describes the examples; it is not one.
  .filter(([path]) => !/\/README\.md$/i.test(path))
  .map(([path, text]) => {
    const name = path.replace(/^.*\//, "").replace(/\.md$/, "");
    return { name, title: parse(text).title || name, text };
  })
  .sort((a, b) => a.title.localeCompare(b.title));

/** The example that opens on first start. */
export const DEFAULT_EXAMPLE = "kmeans-segments";

/**
 * The URL of a bundled dataset that a notebook's source names, if any: a file of the app's
 * `datasets/` folder (`../datasets/iris.csv`). A colleague's own `data/iris.csv` is not ours, and
 * is asked for instead.
 */
export function bundledDataset(source: string): { url: string; fileName: string } | undefined {
  if (!/(^|[/\\])datasets[/\\][^/\\]+$/.test(source)) return undefined;
  const fileName = source.replace(/^.*[/\\]/, "");
  const entry = Object.entries(files).find(([path]) => path.endsWith(`/${fileName}`));
  return entry ? { url: entry[1], fileName } : undefined;
}
