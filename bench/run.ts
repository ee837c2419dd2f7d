// `npm run bench`: each scenario measured against a reference in the same run, as a ratio
// (Strata ÷ reference; below 1 is faster). Median of 5 runs after a warm-up, with min–max.
// Two tables: the library and engine in Node, and the app itself in headless Chromium.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { kmeans as mlKmeans } from "ml-kmeans";
import { existsSync } from "node:fs";
import { generateStore, storeCsv, storeParquet } from "../scripts/generate-datasets.ts";
import { createNodeEngine } from "../src/engine/node.ts";
import {
  cohortsSql,
  columnsTable,
  elbow,
  kmeans,
  kmeansFrom,
  matrixColumn,
  rfmSql,
  scaleMatrix,
  silhouette,
  type Matrix,
} from "../src/segment/index.ts";
import { startApp, type AppMeasurement } from "./app.ts";
import { corpusTable, scoreCorpus } from "./corpus.ts";
import { measure, measureAsync, type Measurement } from "./measure.ts";

interface Row {
  scenario: string;
  rows: number;
  strata: Measurement;
  reference: string;
  ref: Measurement | null;
  /** in the app: the longest main-thread task of each run, ms */
  longestTask?: Measurement;
}

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
/** A real Parquet file, measured too where this clone sits beside the shared data (525,461 rows). */
const RETAIL = join(import.meta.dirname, "../../shared/data/online-retail-ii-2009-2010.parquet");
const K = 8;
const ITERATIONS = 20;
const RUNS = 5;
const TARGET_PLOT: Measurement = { median: 1000, min: 1000, max: 1000, runs: 0 };
const results: Row[] = [];
const inApp: Row[] = [];
let peakRss = 0;
let appPeakRss = 0;
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

/** The notebook the app runs: each scenario is a leaf cell, so its Run button runs it alone. */
function benchNotebook(rfm: string, cohorts: string): string {
  const columns = `["quantity", "unit_price", "amount", "day", "weekday", "month"]`;
  const km = `kmeans(features, { k: ${K}, columns: ${columns}, standardize: true, nInit: 1, seed: 0, maxIter: ${ITERATIONS}, tol: 0 })`;
  const cell = (lang: string, name: string, source: string) =>
    `\`\`\`${lang}${name ? ` ${name}` : ""}\n${source}\n\`\`\`\n`;
  return [
    "---\ntitle: Benchmark\ndatasets:\n  orders: orders.csv\n---\n",
    cell(
      "sql",
      "features",
      "SELECT quantity, unit_price, quantity * unit_price AS amount, epoch(invoice_date) / 86400 AS day,\n  dayofweek(invoice_date) AS weekday, month(invoice_date) AS month\nFROM orders",
    ),
    cell("sql", "", rfm),
    cell("sql", "", cohorts),
    cell("ts", "km", km),
    cell("ts", "labelled", km),
    cell("ts", "map", "clusterPlot(labelled)"),
    cell("ts", "scores", "silhouette(features, labelled, { sample: 2000 })"),
    cell(
      "ts",
      "sweep",
      `elbow(features, { columns: ${columns}, k: [2, 10], nInit: 1, seed: 0, standardize: true })`,
    ),
  ].join("\n");
}

const app = process.env.BENCH_APP === "0" ? null : await startApp();
let corpus: Awaited<ReturnType<typeof scoreCorpus>> | undefined;
const dir = await mkdtemp(join(tmpdir(), "strata-bench-"));
try {
  const native = await (await DuckDBInstance.create(":memory:")).connect();
  const engine = await createNodeEngine();
  /** Parquet ingest in Node: the Node engine against native DuckDB's read_parquet; native's times. */
  const parquetScenario = async (path: string, rows: number, name = "") => {
    const strata = await measureAsync(
      async () => (await engine.registerFile(path, { table: "orders_parquet" }), 1),
    );
    const ref = await measureAsync(
      async () => (
        await native.run(
          `CREATE OR REPLACE TABLE orders_parquet AS SELECT * FROM read_parquet('${path}')`,
        ),
        1
      ),
    );
    const scenario = `Parquet ingest${name ? `, ${name}` : ""} (DuckDB-WASM in Node)`;
    results.push({ scenario, rows, strata, reference: "native DuckDB", ref });
    return ref;
  };
  for (const size of SIZES) {
    const store = generateStore(2024, Math.max(50, Math.round(size / 19.4)));
    const lines = store.lines.slice(0, size);
    // Named orders.csv so that its table is `orders`, in the app as here.
    await mkdir(join(dir, String(size)));
    const csvPath = join(dir, String(size), "orders.csv");
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
      scenario: "CSV ingest (DuckDB-WASM in Node)",
      rows,
      strata: ingest,
      reference: "native DuckDB",
      ref: ingestNative,
    });

    // The same lines as Parquet: Strata decodes them batch by batch, DuckDB reads them natively.
    const parquetPath = join(dir, String(size), "orders.parquet");
    await writeFile(parquetPath, storeParquet(lines));
    const parquetIngest = await parquetScenario(parquetPath, rows);
    sample();

    const rfm = rfmSql("orders", {
      customer: "customer_id",
      date: "invoice_date",
      amount: "unit_price",
      order: "invoice",
    });
    const rfmNative = await measureAsync(async () => (await native.runAndReadAll(rfm), 1));
    results.push({
      scenario: "RFM SQL",
      rows,
      strata: await measureAsync(async () => (await engine.query(rfm), 1)),
      reference: "native DuckDB",
      ref: rfmNative,
    });
    const cohorts = cohortsSql("orders", { customer: "customer_id", date: "invoice_date" });
    const cohortsNative = await measureAsync(async () => (await native.runAndReadAll(cohorts), 1));
    results.push({
      scenario: "cohort SQL",
      rows,
      strata: await measureAsync(async () => (await engine.query(cohorts), 1)),
      reference: "native DuckDB",
      ref: cohortsNative,
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
    const kmeansScenario = `kmeans per iteration (k = ${K}, 6 features)`;
    results.push({
      scenario: kmeansScenario,
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
            String(RUNS),
          ],
          { encoding: "utf8" },
        ),
      );
      results.push({
        scenario: kmeansScenario,
        rows,
        strata: perIteration,
        reference: "scikit-learn",
        ref: sklearn!.kmeans!,
      });
    }
    const sklearnName = python ? "scikit-learn" : "(scikit-learn not installed)";
    // The same features as a table, the way cells pass one.
    const records = columnsTable({
      names: matrix.columns,
      values: matrix.columns.map((_, j) => matrixColumn(matrix, j)),
    });
    // The whole call as a cell makes it: k-means++ and at most 20 iterations, one start.
    const kmeansOptions = {
      k: K,
      columns: matrix.columns,
      nInit: 1,
      seed: 0,
      maxIter: ITERATIONS,
      tol: 0,
    };
    const kmeansTotal = `kmeans total (k-means++, ≤ ${ITERATIONS} iterations)`;
    results.push({
      scenario: kmeansTotal,
      rows,
      strata: measure(() => (kmeans(records, kmeansOptions), 1)),
      reference: sklearnName,
      ref: sklearn?.total ?? null,
    });
    results.push({
      scenario: "elbow sweep k = 2..10",
      rows,
      strata: measure(
        () => (elbow(records, { columns: matrix.columns, k: [2, 10], nInit: 1, seed: 0 }), 1),
      ),
      reference: sklearnName,
      ref: sklearn?.elbow ?? null,
    });
    const labelled = kmeans(records, kmeansOptions);
    results.push({
      scenario: "silhouette (sample of 2,000)",
      rows,
      strata: measure(() => (silhouette(records, labelled, { sample: 2000 }), 1)),
      reference: sklearnName,
      ref: sklearn?.silhouette ?? null,
    });
    sample();

    if (app) {
      const measured = await app.measure({
        notebook: benchNotebook(rfm, cohorts),
        csvPath,
        runs: RUNS,
        cells: {
          rfm: "SQL cell 2",
          cohorts: "SQL cell 3",
          kmeans: "TypeScript cell km",
          map: "TypeScript cell map",
          silhouette: "TypeScript cell scores",
          elbow: "TypeScript cell sweep",
        },
      });
      const row = (
        scenario: string,
        m: AppMeasurement | undefined,
        reference: string,
        ref: Measurement | null,
      ) => {
        if (m)
          inApp.push({
            scenario,
            rows,
            strata: m.time,
            reference,
            ref,
            longestTask: m.longestTask,
          });
      };
      row("CSV ingest (file picked in the app)", measured.ingest, "native DuckDB", ingestNative);
      const [parquetInApp] = await app.ingest({ files: [parquetPath], runs: RUNS });
      row("Parquet ingest (file picked in the app)", parquetInApp, "native DuckDB", parquetIngest);
      row("RFM SQL", measured.cells.rfm, "native DuckDB", rfmNative);
      row("cohort SQL", measured.cells.cohorts, "native DuckDB", cohortsNative);
      row(kmeansTotal, measured.cells.kmeans, sklearnName, sklearn?.total ?? null);
      row("elbow sweep k = 2..10", measured.cells.elbow, sklearnName, sklearn?.elbow ?? null);
      row(
        "silhouette (sample of 2,000)",
        measured.cells.silhouette,
        sklearnName,
        sklearn?.silhouette ?? null,
      );
      row("clusterPlot render", measured.cells.map, "target", TARGET_PLOT);
      if (size === Math.max(...SIZES)) appPeakRss = measured.peakRss;
    }
    if (size === Math.max(...SIZES)) sample();
  }
  if (existsSync(RETAIL)) {
    const retailRows = 525_461;
    const retailNative = await parquetScenario(RETAIL, retailRows, "online retail II");
    const [retailInApp] = (await app?.ingest({ files: [RETAIL], runs: RUNS })) ?? [];
    if (retailInApp)
      inApp.push({
        scenario: "Parquet ingest, online retail II (file picked in the app)",
        rows: retailRows,
        strata: retailInApp.time,
        reference: "native DuckDB",
        ref: retailNative,
        longestTask: retailInApp.longestTask,
      });
  }
  await engine.close();
  corpus = await scoreCorpus(dir, Number(process.env.BENCH_CORPUS ?? 10));
} finally {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
}

const fmt = (m: Measurement) =>
  m.runs === 0
    ? m.median.toLocaleString("en-US")
    : `${m.median.toFixed(1)} (${m.min.toFixed(1)}–${m.max.toFixed(1)})`;
const ratio = (r: Row) => (r.ref ? (r.strata.median / r.ref.median).toFixed(2) : "—");
const nodeTable = [
  "| scenario | rows | Strata ms | reference | reference ms | ratio |",
  "|---|---:|---:|---|---:|---:|",
  ...results.map(
    (r) =>
      `| ${r.scenario} | ${r.rows.toLocaleString("en-US")} | ${fmt(r.strata)} | ${r.reference} | ${r.ref ? fmt(r.ref) : "—"} | ${ratio(r)} |`,
  ),
].join("\n");
/** Median and worst of the runs' longest tasks; the API reports none under 50 ms. */
const tasks = (m: Measurement | undefined) => {
  const ms = (v: number) => (v === 0 ? "< 50" : v.toFixed(0));
  return m ? `${ms(m.median)} (worst ${ms(m.max)})` : "—";
};
const appTable = [
  "| scenario | rows | Strata ms | reference | reference ms | ratio | longest main-thread task ms |",
  "|---|---:|---:|---|---:|---:|---:|",
  ...inApp.map(
    (r) =>
      `| ${r.scenario} | ${r.rows.toLocaleString("en-US")} | ${fmt(r.strata)} | ${r.reference} | ${r.ref ? fmt(r.ref) : "—"} | ${ratio(r)} | ${tasks(r.longestTask)} |`,
  ),
].join("\n");
const machine = `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, Node ${process.version}`;
const mb = (bytes: number) => `${Math.round(bytes / 1e6).toLocaleString("en-US")} MB`;
const summary = [
  `Measured on ${machine}, ${new Date().toISOString().slice(0, 10)}; median of ${RUNS} runs after a warm-up (min–max), per iteration for k-means per iteration, per call otherwise; ratio = Strata ÷ reference.`,
  `Peak memory at ${Math.max(...SIZES).toLocaleString("en-US")} rows: ${mb(peakRss)} resident for the Node process${app ? `, ${mb(appPeakRss)} for the app's Chromium renderer (page, workers and DuckDB-WASM)` : ""}.`,
  python
    ? ""
    : "scikit-learn is not installed (Debian's python3-sklearn), so its column is skipped.",
]
  .filter(Boolean)
  .join(" ");
const report = [
  summary,
  "## In Node: the library and DuckDB-WASM",
  nodeTable,
  "## Loading polluted CSV files",
  "Files made by bench/pollution.ts, one kind of pollution each; a file counts when its table has the right columns (names and count) and exactly the right rows (the clean ones; a polluted row may be set aside, never loaded shifted). DuckDB auto-detect is native DuckDB's `read_csv` with no options.",
  corpus ? corpusTable(corpus) : "The corpus was not scored.",
  ...(app
    ? [
        "## In the app: headless Chromium, files picked and cells run as a person would",
        "Times are the app's own measures (User Timing); the longest task is the longest main-thread task (Long Tasks API, which reports tasks of 50 ms and more) in a run's window, from the trigger until the page has painted the result: the median over the runs, and the worst. Targets: ingest within 3× native DuckDB, clusterPlot under 1,000 ms, no task over 100 ms.",
        appTable,
      ]
    : ["The in-app scenarios were skipped: no Chromium (Debian: apt-get install -y chromium)."]),
].join("\n\n");
await mkdir(join(import.meta.dirname, "results"), { recursive: true });
await writeFile(
  join(import.meta.dirname, "results/latest.json"),
  `${JSON.stringify({ machine, date: new Date().toISOString(), peakRss, appPeakRss, node: results, app: inApp, corpus }, null, 2)}\n`,
);
await writeFile(join(import.meta.dirname, "results/latest.md"), `${report}\n`);
process.stdout.write(`${report}\n`);
