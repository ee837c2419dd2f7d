// `npm run bench`: scenarios measured as ratios against references in the same run.
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { benchKMeans } from "./kmeans.ts";

const results = {
  machine: `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, Node ${process.version}`,
  date: new Date().toISOString(),
  kmeans: benchKMeans(),
};
const { strata, mlKmeans } = results.kmeans;
const ratio = strata.median / mlKmeans.median;
const table = [
  "| scenario | Strata (ms) | reference (ms) | ratio (Strata ÷ reference) |",
  "|---|---|---|---|",
  `| kmeans per iteration, ${results.kmeans.rows.toLocaleString("en-US")} × ${results.kmeans.columns}, k = ${results.kmeans.k} | ${strata.median.toFixed(2)} (${strata.min.toFixed(2)}–${strata.max.toFixed(2)}) | ml-kmeans ${mlKmeans.median.toFixed(2)} (${mlKmeans.min.toFixed(2)}–${mlKmeans.max.toFixed(2)}) | ${ratio.toFixed(3)} (${ratio < 1 ? `${(1 / ratio).toFixed(1)}× faster` : `${ratio.toFixed(1)}× slower`}) |`,
].join("\n");
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(
  new URL("./results/latest.json", import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
await writeFile(
  new URL("./results/latest.md", import.meta.url),
  `Measured on ${results.machine}, ${results.date}; median of ${strata.runs} runs after a warm-up (min–max).\n\n${table}\n`,
);
process.stdout.write(`${table}\n`);
