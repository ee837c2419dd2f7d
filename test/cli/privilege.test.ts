import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
let dir: string;

// Each run starts Node, DuckDB and a DOM: seconds, not milliseconds.
vi.setConfig({ testTimeout: 60_000 });

/** Run `strata` as a user would, through the package's bin. */
async function strata(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, "bin/strata.js"), ...args], {
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A notebook in its own folder, with an `orders` dataset beside it; returns the .md's path. */
async function notebook(name: string, cells: string[]): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder);
  await writeFile(join(folder, "orders.csv"), "order_id,amount\n1,10\n2,32\n");
  const md = `---\ntitle: ${name}\ndatasets:\n  orders: orders.csv\n---\n\n${cells.join("\n\n")}\n`;
  await writeFile(join(folder, `${name}.md`), md);
  return join(folder, `${name}.md`);
}

const sql = (source: string, name = "") => `\`\`\`sql ${name}\n${source}\n\`\`\``;
const ts = (source: string, name: string) => `\`\`\`ts ${name}\n${source}\n\`\`\``;

const refused = (path: string) =>
  `Permission Error: Cannot access file "${path}" - file system operations are disabled by configuration`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-privilege-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("strata run: what a notebook's code can reach", () => {
  it("without --allow-files, SQL cannot read /etc/passwd, COPY … TO a file or turn access back on; the dataset still loads", async () => {
    const target = join(dir, "copied.csv");
    const md = await notebook("locked", [
      sql("SELECT sum(amount) AS total FROM orders", "total"),
      sql("SELECT * FROM read_csv('/etc/passwd')"),
      sql(`COPY (SELECT * FROM orders) TO '${target}'`),
      sql("SET enable_external_access = true"),
    ]);
    const json = join(dir, "locked.json");
    const result = await strata("run", md, "--json", json);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${md}: 1 of 4 cells ran, 3 failed\n`);
    expect(result.stderr.split("\n")).toEqual([
      `strata: cell c2 (sql, line 1) failed: ${refused("/etc/passwd")}`,
      `strata: cell c3 (sql) failed: ${refused(target)}`,
      'strata: cell c4 (sql) failed: Invalid Input Error: Cannot change configuration option "enable_external_access" - the configuration has been locked',
      "strata: SQL can reach no file beyond the notebook's datasets; pass --allow-files to let it",
      "",
    ]);
    expect(await readdir(dir)).not.toContain("copied.csv");
    // --json is written by the runner, not by SQL, so it is there.
    const output = JSON.parse(await readFile(json, "utf8"));
    expect(output.cells[0].value.rows).toEqual([{ total: 42 }]);
  });

  it("with --allow-files, SQL reads a CSV by its path and COPY writes into a folder", async () => {
    const other = join(dir, "other.csv");
    await writeFile(other, "x\n5\n7\n");
    const out = join(dir, "exports");
    await mkdir(out);
    const md = await notebook("allowed", [
      sql(`SELECT sum(x) AS total FROM read_csv('${other}')`, "total"),
      sql(`COPY (SELECT order_id, amount * 2 AS doubled FROM orders) TO '${join(out, "d.csv")}'`),
    ]);
    const result = await strata("run", md, "--allow-files");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${md}: 2 of 2 cells ran\n`);
    expect(await readFile(join(out, "d.csv"), "utf8")).toBe("order_id,doubled\n1,20\n2,64\n");
  });

  it("a TS cell reaches neither process nor require nor import(), and nothing they would run happens", async () => {
    const marker = (n: number) => join(dir, `marker-${n}`);
    const md = await notebook("node", [
      ts(`process.getBuiltinModule("child_process").execSync("touch ${marker(1)}")`, "shell"),
      ts(`require("node:fs").writeFileSync("${marker(2)}", "x")`, "fs"),
      ts(`const fs = await import("node:fs");\nfs.writeFileSync("${marker(3)}", "x")`, "load"),
      ts(`(await sql\`SELECT count(*) AS n FROM orders\`).get(0).n`, "rows"),
    ]);
    const json = join(dir, "node.json");
    const result = await strata("run", md, "--json", json);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")).toEqual([
      "strata: cell shell (ts, line 1) failed: process is not available in a notebook cell",
      "strata: cell fs (ts, line 1) failed: require is not available in a notebook cell",
      "strata: cell load (ts, line 1) failed: import() is not available in a notebook cell",
      "",
    ]);
    expect((await readdir(dir)).filter((f) => f.startsWith("marker-"))).toEqual([]);
    const output = JSON.parse(await readFile(json, "utf8"));
    expect(output.cells.find((c: { name: string }) => c.name === "rows").value).toBe(2);
  });

  it("--help describes --allow-files and says the TS guard is not a sandbox", async () => {
    const result = await strata("--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: strata run .*\[--allow-files\]/);
    expect(result.stdout).toContain("--allow-files       let the notebook's SQL read and write");
    expect(result.stdout).toContain("a guard against accidents, not a sandbox");
  });
});
