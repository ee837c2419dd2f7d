// `npm run bench`: each scenario measured against a reference in the same run, as a ratio
// (Strata ÷ reference; below 1 is faster). Median of 5 runs after a warm-up, with min–max.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { JSDOM } from "jsdom";
import { kmeans as mlKmeans } from "ml-kmeans";
import { generateStore, storeCsv } from "../scripts/generate-datasets.ts";
import { clusterPlot } from "../src/charts/index.ts";
import { createNodeEngine } from "../src/engine/node.ts";
import {
  cohortsSql,
  elbow,
  kmeans,
  kmeansFrom,
  rfmSql,
  scaleMatrix,
  silhouette,
  type Matrix,
} from "../src/segment/index.ts";
import { measure, measureAsync, type Measurement } from "./measure.ts";

interface Row {
  scenario: string;
  rows: number;
  strata: Measurement;
  reference: string;
  ref: Measurement | null;
}

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const K = 8;
const ITERATIONS = 20;
const results: Row[] = [];
let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const python = ["/usr/bin/python3", "python3"].find((p) => {
  try {
    execFileSync(p, ["-c", "import sklearn"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});

/** Six standardised numeric features per order line, the same matrix for every implementation. */
function lineFeatures(lines: ReturnType<typeof generateStore>["lines"]): Matrix {
  const n = lines.length;
  const values = new Float64Array(n * 6);
  lines.forEach((l, i) => {
    const at = new Date(`${l.invoice_date}Z`);
    values.set(
      [
        l.quantity,
        l.unit_price,
        l.quantity * l.unit_price,
        at.getTime() / 86_400_000,
        at.getUTCDay(),
        at.getUTCMonth(),
      ],
      i * 6,
    );
  });
  const raw: Matrix = {
    values,
    n,
    d: 6,
    columns: ["q", "p", "a", "t", "w", "m"],
    rows: Int32Array.from({ length: n }, (_, i) => i),
    totalRows: n,
    excluded: 0,
  };
  return scaleMatrix(raw, "zscore").matrix;
}

const dir = await mkdtemp(join(tmpdir(), "strata-bench-"));
try {
  const native = await (await DuckDBInstance.create(":memory:")).connect();
  const engine = await createNodeEngine();
  for (const size of SIZES) {
    const store = generateStore(2024, Math.max(50, Math.round(size / 19.4)));
    const lines = store.lines.slice(0, size);
    const csvPath = join(dir, `orders-${size}.csv`);
    await writeFile(csvPath, storeCsv({ lines, archetypes: [] }).orders);
    const rows = lines.length;
    sample();

    // Ingest: the same CSV into a table, DuckDB-WASM (the Node engine) against native DuckDB.
    const ingest = await measureAsync(
      async () => (await engine.registerFile(csvPath, { table: "orders" }), 1),
    );
    const ingestNative = await measureAsync(
      async () => (
        await native.run(`CREATE OR REPLACE TABLE orders AS SELECT * FROM read_csv('${csvPath}')`),
        1
      ),
    );
    results.push({
      scenario: "CSV ingest (Node engine)",
      rows,
      strata: ingest,
      reference: "native DuckDB",
      ref: ingestNative,
    });

    const rfm = rfmSql("orders", {
      customer: "customer_id",
      date: "invoice_date",
      amount: "unit_price",
      order: "invoice",
    });
    results.push({
      scenario: "RFM SQL",
      rows,
      strata: await measureAsync(async () => (await engine.query(rfm), 1)),
      reference: "native DuckDB",
      ref: await measureAsync(async () => (await native.runAndReadAll(rfm), 1)),
    });
    const cohorts = cohortsSql("orders", { customer: "customer_id", date: "invoice_date" });
    results.push({
      scenario: "cohort SQL",
      rows,
      strata: await measureAsync(async () => (await engine.query(cohorts), 1)),
      reference: "native DuckDB",
      ref: await measureAsync(async () => (await native.runAndReadAll(cohorts), 1)),
    });
    sample();

    // k-means per iteration from the same start: Strata, ml-kmeans, scikit-learn.
    const matrix = lineFeatures(lines);
    const start = matrix.values.slice(0, K * 6);
    const perIteration = measure(
      () => kmeansFrom(matrix, start, { maxIter: ITERATIONS, tol: 0 }).iterations,
    );
    const points = Array.from({ length: matrix.n }, (_, i) =>
      Array.from(matrix.values.subarray(i * 6, i * 6 + 6)),
    );
    const init = Array.from({ length: K }, (_, c) => Array.from(start.subarray(c * 6, c * 6 + 6)));
    results.push({
      scenario: `kmeans per iteration (k = ${K}, 6 features)`,
      rows,
      strata: perIteration,
      reference: "ml-kmeans",
      ref: measure(
        () =>
          mlKmeans(points, K, { initialization: init, maxIterations: ITERATIONS, tolerance: 0 })
            .iterations,
      ),
    });
    sample();
    let sklearn: Record<string, Measurement> | null = null;
    if (python) {
      const f64 = join(dir, `features-${size}.f64`);
      await writeFile(f64, new Uint8Array(matrix.values.buffer));
      sklearn = JSON.parse(
        execFileSync(
          python,
          [
            join(import.meta.dirname, "sklearn_reference.py"),
            f64,
            String(matrix.n),
            "6",
            String(K),
            String(ITERATIONS),
            "5",
          ],
          { encoding: "utf8" },
        ),
      );
      results.push({
        scenario: `kmeans per iteration (k = ${K}, 6 features)`,
        rows,
        strata: perIteration,
        reference: "scikit-learn",
        ref: sklearn!.kmeans!,
      });
    }
    const records = {
      numRows: matrix.n,
      schema: { fields: matrix.columns.map((name) => ({ name, type: null })) },
      getChild: (name: string) => {
        const j = matrix.columns.indexOf(name);
        const column = Float64Array.from({ length: matrix.n }, (_, i) => matrix.values[i * 6 + j]!);
        return {
          length: matrix.n,
          nullCount: 0,
          get: (i: number) => column[i],
          toArray: () => column,
        };
      },
    };
    // A full sweep at a million rows takes minutes in both; it is measured up to 100,000.
    if (rows <= 100_000) {
      const sweep = measure(
        () => (elbow(records, { columns: matrix.columns, k: [2, 10], nInit: 1, seed: 0 }), 1),
        3,
      );
      results.push({
        scenario: "elbow sweep k = 2..10",
        rows,
        strata: sweep,
        reference: python ? "scikit-learn" : "(scikit-learn not installed)",
        ref: sklearn?.elbow ?? null,
      });
    }
    const labelled = kmeans(records, {
      k: K,
      columns: matrix.columns,
      nInit: 1,
      seed: 0,
      maxIter: ITERATIONS,
    });
    results.push({
      scenario: "silhouette (sample of 2,000)",
      rows,
      strata: measure(() => (silhouette(records, labelled, { sample: 2000 }), 1)),
      reference: python ? "scikit-learn" : "(scikit-learn not installed)",
      ref: sklearn?.silhouette ?? null,
    });
    if (size === Math.max(...SIZES)) {
      const { document } = new JSDOM("").window;
      results.push({
        scenario: "clusterPlot render (jsdom)",
        rows,
        strata: measure(() => (clusterPlot(labelled, { document }), 1)),
        reference: "target: 1,000 ms",
        ref: null,
      });
    }
    sample();
  }
  await engine.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}

const fmt = (m: Measurement) => `${m.median.toFixed(1)} (${m.min.toFixed(1)}–${m.max.toFixed(1)})`;
const table = [
  "| scenario | rows | Strata ms | reference | reference ms | ratio |",
  "|---|---:|---:|---|---:|---:|",
  ...results.map(
    (r) =>
      `| ${r.scenario} | ${r.rows.toLocaleString("en-US")} | ${fmt(r.strata)} | ${r.reference} | ${r.ref ? fmt(r.ref) : "—"} | ${r.ref ? (r.strata.median / r.ref.median).toFixed(2) : "—"} |`,
  ),
].join("\n");
const machine = `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, Node ${process.version}`;
const summary = `Measured on ${machine}, ${new Date().toISOString().slice(0, 10)}; median of 5 runs after a warm-up (min–max), per iteration for k-means, per call otherwise. Peak RSS of the run: ${Math.round(peakRss / 1e6)} MB.${python ? "" : " scikit-learn is not installed (Debian's python3-sklearn), so its column is skipped."}`;
await mkdir(join(import.meta.dirname, "results"), { recursive: true });
await writeFile(
  join(import.meta.dirname, "results/latest.json"),
  `${JSON.stringify({ machine, peakRss, results }, null, 2)}\n`,
);
await writeFile(join(import.meta.dirname, "results/latest.md"), `${summary}\n\n${table}\n`);
process.stdout.write(`${summary}\n\n${table}\n`);
if (!existsSync(join(import.meta.dirname, "results/latest.md"))) process.exitCode = 1;
