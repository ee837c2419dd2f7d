import type { TableInfo } from "../engine/index.ts";
import { mkdir, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { messageOf } from "../engine/index.ts";
import type { OutOptions } from "./out.ts";

const USAGE = `usage: strata run <notebook.md|notebook.zip|folder> [--data name=path]... [--allow-files] [--json out.json] [--html report.html] [--out dir [--format parquet|csv|tsv,...]]`;

const HELP = `${USAGE}

Runs every SQL and TS cell of a notebook; exits 1 when a cell fails, 2 for bad input.

  --data name=path    load dataset \`name\` from path instead of the front matter's path
  --allow-files       let the notebook's SQL read and write files itself (read_csv of a path,
                      COPY ... TO, ATTACH, LOAD); without it SQL sees only the datasets, as tables
  --json out.json     write each cell's status, error and value as JSON
  --html report.html  write a self-contained HTML report
  --out dir           write each named cell whose value is a table to dir as <name>.parquet
                      (dir is created; files of the same names are replaced)
  --format list       the formats --out writes, comma-separated: parquet (the default), csv,
                      tsv; e.g. --format csv,parquet
  -h, --help          show this help

TS cells do not see process, require or import(): a guard against accidents, not a sandbox.
Run only notebooks you trust (docs/cli.md).`;

/** DuckDB-WASM's errors carry only their text, which starts with the kind of error. */
const REFUSED = /^Permission Error: /;

/** The command line: `strata run`. Returns the exit status: 0 all cells ran, 1 a cell failed, 2 bad input. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: "string", multiple: true },
        json: { type: "string" },
        html: { type: "string" },
        out: { type: "string" },
        format: { type: "string" },
        "allow-files": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`strata: ${messageOf(error)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [command, file, ...extra] = positionals;
  if (command !== "run" || file === undefined || extra.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const data = new Map<string, string>();
  for (const pair of values.data ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0 || at === pair.length - 1) {
      process.stderr.write(`strata: invalid --data ${pair} (expected name=path)\n`);
      return 2;
    }
    data.set(pair.slice(0, at), pair.slice(at + 1));
  }

  if (values.format !== undefined && values.out === undefined) {
    process.stderr.write(`strata: --format needs --out dir\n${USAGE}\n`);
    return 2;
  }

  // Loaded here, not at the top, so that usage errors and --help answer at once.
  const [{ toJson, renderReport }, { RunError, runNotebookFile }, { notebookInput }, out] =
    await Promise.all([
      import("../output/index.ts"),
      import("./run.ts"),
      import("./bundle.ts"),
      import("./out.ts"),
    ]);
  let outOptions: OutOptions | undefined;
  if (values.out !== undefined) {
    try {
      outOptions = { dir: values.out, formats: out.parseFormats(values.format ?? "parquet") };
      // Made before the run, so that a folder that cannot be made fails at once.
      await mkdir(values.out, { recursive: true });
    } catch (error) {
      process.stderr.write(`strata: ${messageOf(error)}\n`);
      return 2;
    }
  }
  let run;
  try {
    const input = await notebookInput(file);
    try {
      // --data wins over the files that came in the zip.
      run = await runNotebookFile(input.path, {
        data: new Map([...input.data, ...data]),
        allowFiles: values["allow-files"],
        out: outOptions,
      });
    } finally {
      await input.remove();
    }
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    process.stderr.write(`strata: ${error.message}\n`);
    return 2;
  }
  for (const info of run.datasets) {
    const news = datasetNews(info);
    if (news !== "") process.stderr.write(`strata: dataset ${info.name}: ${news}\n`);
  }
  if (values.json) {
    const json = {
      title: run.notebook.title,
      cells: run.cells.map((c) => ({
        id: c.id,
        name: c.name ?? null,
        kind: c.kind,
        status: c.status,
        ms: c.ms,
        error: c.error,
        value: toJson(c.value),
      })),
    };
    await writeFile(values.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  if (values.html) await writeFile(values.html, renderReport(run));

  const failed = run.cells.filter((c) => c.status === "error");
  for (const cell of failed) {
    const where = cell.error?.line === undefined ? "" : `, line ${cell.error.line}`;
    process.stderr.write(
      `strata: cell ${cell.name ?? cell.id} (${cell.kind}${where}) failed: ${cell.error?.message}\n`,
    );
  }
  if (!values["allow-files"] && failed.some((c) => REFUSED.test(c.error?.message ?? ""))) {
    process.stderr.write(
      "strata: SQL can reach no file beyond the notebook's datasets; pass --allow-files to let it\n",
    );
  }
  for (const path of run.written) process.stdout.write(`wrote ${path}\n`);
  const done = run.cells.length - failed.length;
  process.stdout.write(
    `${file}: ${done} of ${run.cells.length} cells ran${failed.length > 0 ? `, ${failed.length} failed` : ""}\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

/** What a dataset's load set aside or changed, in one line ("" when nothing). */
function datasetNews(info: TableInfo): string {
  const load = info.load;
  if (!load) return "";
  const parts: string[] = [];
  if (load.rejected > 0)
    parts.push(
      `${load.rejected} malformed row${load.rejected === 1 ? "" : "s"} not loaded (see ${load.rejectedTable})`,
    );
  for (const c of load.converted)
    parts.push(`${c.column} read as ${c.type}${c.format ? ` (${c.format})` : ""}`);
  parts.push(...load.notes);
  return parts.join("; ");
}
