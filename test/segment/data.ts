import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const DATASETS = resolve(import.meta.dirname, "../../datasets");

/** Iris (150 rows) from datasets/iris.csv, as records. */
export function iris(): Record<string, number | string>[] {
  const [header, ...lines] = readFileSync(resolve(DATASETS, "iris.csv"), "utf8").trim().split("\n");
  const names = header!.split(",");
  return lines.map((line) =>
    Object.fromEntries(line.split(",").map((v, i) => [names[i]!, i < 4 ? Number(v) : v])),
  );
}

export const IRIS_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

export const PENGUIN_COLUMNS = [
  "Beak Length (mm)",
  "Beak Depth (mm)",
  "Flipper Length (mm)",
  "Body Mass (g)",
];

/** Penguins from datasets/penguins.json: all 344 records, 2 of them without measurements. */
export function penguins(): Record<string, number | string | null>[] {
  return JSON.parse(readFileSync(resolve(DATASETS, "penguins.json"), "utf8"));
}
