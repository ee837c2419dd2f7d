import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { expectGolden } from "../golden.ts";

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

/** Run times differ from run to run; goldens hold everything else. */
function withoutTimes(json: string): string {
  return json.replace(/"ms": [\d.]+/g, '"ms": 0');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "strata-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("strata run", () => {
  it("runs the SQL → TS → SQL chain and writes the expected JSON and an HTML report", async () => {
    const json = join(dir, "chain.json");
    const html = join(dir, "chain.html");
    const result = await strata("run", "test/notebooks/chain.md", "--json", json, "--html", html);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("test/notebooks/chain.md: 5 of 5 cells ran\n");

    const output = JSON.parse(await readFile(json, "utf8"));
    const byName = Object.fromEntries(
      output.cells.map((c: { name: string | null; id: string }) => [c.name ?? c.id, c]),
    );
    expect(byName.by_tier.value).toEqual({
      columns: [
        { name: "tier", type: "Utf8" },
        { name: "customers", type: "Float64" },
        { name: "revenue", type: "Float64" },
      ],
      rows: [
        { tier: "gold", customers: 2, revenue: 470.35 },
        { tier: "silver", customers: 2, revenue: 93.25 },
      ],
      rowCount: 2,
    });
    expect(byName.share.value).toEqual({ gold: 0.835, silver: 0.165 });
    expect(byName.c6.value).toMatch(/^<svg/);
    await expectGolden("notebooks/chain.json", withoutTimes(await readFile(json, "utf8")));

    const report = await readFile(html, "utf8");
    expect(report).toContain("<title>A SQL → TS → SQL chain</title>");
    expect(report).toContain(
      "<h1>Spend per customer, then tiers in TypeScript, then a join back in SQL</h1>",
    );
    expect(report).toMatch(/<td>gold<\/td><td class="num">2<\/td><td class="num">470\.35<\/td>/);
    expect(report).toMatch(/<div class="chart"><svg[^>]*>/);
    expect(report).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it("exits non-zero and names the failing cell on stderr; cells that do not depend on it still run", async () => {
    const json = join(dir, "failing.json");
    const result = await strata("run", "test/notebooks/failing.md", "--json", json);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "strata: cell broken (ts, line 2) failed: TypeError: x.notAFunction is not a function",
    );
    expect(result.stderr).toContain(
      "strata: cell after (ts) failed: broken failed, and this cell reads it",
    );
    const output = JSON.parse(await readFile(json, "utf8"));
    expect(output.cells.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
      ["base", "done"],
      ["broken", "error"],
      ["after", "error"],
      ["fine", "done"],
    ]);
    await expectGolden("notebooks/failing.json", withoutTimes(await readFile(json, "utf8")));
  });

  it("renders every chart recipe into the HTML report as inline SVG", async () => {
    const html = join(dir, "charts.html");
    const result = await strata("run", "test/notebooks/charts.md", "--html", html);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = await readFile(html, "utf8");
    for (const title of [
      "k-means clusters (k = 3)",
      "Choosing k: 1 to 8",
      "Silhouette: mean 0.447",
      "Cluster profiles",
      "RFM segments",
      "Retention by acquisition cohort",
    ]) {
      expect(report).toContain(`>${title}</text>`);
    }
    expect(report.match(/<svg[^>]*class="strata-chart"/g)).toHaveLength(7);
  });

  it("every example notebook in notebooks/ runs without an error", async () => {
    const { readdir } = await import("node:fs/promises");
    const examples = (await readdir(join(ROOT, "notebooks"))).filter(
      (f) => f.endsWith(".md") && f !== "README.md",
    );
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const result = await strata("run", `notebooks/${example}`);
      expect(result.stderr, example).toBe("");
      expect(result.code, example).toBe(0);
    }
  });

  it("--data overrides a dataset path from the front matter", async () => {
    const json = join(dir, "override.json");
    const other = join(dir, "other.csv");
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(other, "order_id,customer_id,order_date,amount\n1,Z9,2024-01-01,500\n"),
    );
    const result = await strata(
      "run",
      "test/notebooks/chain.md",
      "--data",
      `orders=${other}`,
      "--json",
      json,
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(await readFile(json, "utf8"));
    expect(output.cells.find((c: { name: string }) => c.name === "share").value).toEqual({
      gold: 1,
    });
  });

  it("reports a notebook it cannot read, with the line, and bad arguments, with usage", async () => {
    const broken = join(dir, "broken.md");
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(broken, "# x\n\n```sql a\nSELECT 1\n"),
    );
    const result = await strata("run", broken);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `strata: ${broken}, line 3: the \`\`\`sql cell opened here is never closed\n`,
    );
    const usage = await strata("run");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^usage: strata run <notebook\.md>/);
    const missing = await strata(
      "run",
      "test/notebooks/chain.md",
      "--data",
      "orders=/nope/none.csv",
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^strata: dataset orders: /);
  });
});
