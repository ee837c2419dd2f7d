import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import {
  cell,
  cellStatus,
  cells,
  dataset,
  nameCell,
  notebookText,
  openUntrusted,
  ready,
  startApp,
  typeCode,
  upload,
  waitForIdle,
} from "./helpers.ts";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

/** Open a notebook file and trust it; it runs (and, unless told not to, is waited for). */
async function openTrusted(text: string, wait = true): Promise<Page> {
  const page = await startApp(harness);
  await openUntrusted(page, "cells.md", text);
  await page.getByRole("button", { name: "Trust and run" }).click();
  if (wait) await ready(page);
  return page;
}

describe("the runtime does what the screen says", () => {
  it("deleting a cell takes its table with it, and the cell that read it says so at once", async () => {
    const page = await openTrusted(
      notebookText("Ghosts", [
        "```sql base",
        "SELECT 1 AS n",
        "```",
        "",
        "```sql reader",
        "SELECT n FROM base",
        "```",
        "",
      ]),
    );
    const reader = cell(page, "SQL cell reader");
    await expect.poll(() => reader.getByRole("status").textContent()).toMatch(/ms$/);
    await cells(page).getByRole("button", { name: "Delete SQL cell base" }).click();
    await expect
      .poll(() => reader.getByRole("alert").textContent())
      .toMatch(/base no longer exists \(its cell was deleted\)/);
    // Undo puts the cell back; run again, the reader reads it.
    await page.getByRole("button", { name: "Undo" }).click();
    await cells(page).getByRole("button", { name: "Run SQL cell reader" }).click();
    await expect.poll(() => reader.getByRole("status").textContent()).toMatch(/ms$/);
    await page.context().close();
  });

  it("a long query shows its time and a Stop button; Stop interrupts it in DuckDB and keeps every other result", async () => {
    const page = await openTrusted(
      notebookText("Long", [
        "```sql kept",
        "SELECT 42 AS answer",
        "```",
        "",
        "```sql endless",
        "SELECT sum(range) AS s FROM range(1000000000000)",
        "```",
        "",
        "```sql reader",
        "SELECT s FROM endless",
        "```",
        "",
      ]),
      false,
    );
    const endless = cell(page, "SQL cell endless");
    // Its time counts up while it runs.
    await cellStatus(page, "SQL cell endless")
      .getByText(/^running · [1-9]\d* s$/)
      .waitFor({ timeout: 30_000 });
    const started = Date.now();
    await endless.getByRole("button", { name: "Stop SQL cell endless" }).click();
    await expect
      .poll(() => cellStatus(page, "SQL cell endless").textContent(), { timeout: 10_000 })
      .toBe("stopped");
    expect(Date.now() - started).toBeLessThan(10_000);
    await endless.getByText(/Stopped after \d+\.\d s/).waitFor();
    // What reads it stopped too; the other cell keeps its result; the engine answers at once.
    expect(await cellStatus(page, "SQL cell reader").textContent()).toBe("stopped");
    expect(await cell(page, "SQL cell kept").textContent()).toContain("42");
    await cells(page).getByRole("button", { name: "Run SQL cell kept" }).click();
    await expect.poll(() => cellStatus(page, "SQL cell kept").textContent()).toMatch(/ms$/);
    await page.context().close();
  });

  it("Stop all in the header stops the running cell and what is queued after it", async () => {
    const page = await startApp(harness);
    await openUntrusted(
      page,
      "cells.md",
      notebookText("Two long", [
        "```sql first",
        "SELECT sum(range) AS s FROM range(1000000000000)",
        "```",
        "",
        "```sql second",
        "SELECT sum(range) AS s FROM range(1000000000001)",
        "```",
        "",
      ]),
    );
    await page.getByRole("button", { name: "Trust and run" }).click();
    await expect.poll(() => cellStatus(page, "SQL cell first").textContent()).toMatch(/^running/);
    await page.getByRole("button", { name: "Stop all" }).click();
    await waitForIdle(page, 10_000);
    for (const name of ["first", "second"])
      expect(await cellStatus(page, `SQL cell ${name}`).textContent()).toBe("stopped");
    await page.context().close();
  });

  it("when DuckDB's worker dies, the app says so, restarts it, loads the datasets again, and the notebook runs on request", async () => {
    const page = await openTrusted(
      notebookText("Survives", ["```sql counted", "SELECT count(*) AS n FROM people", "```", ""]),
    );
    await upload(page, "people.csv", "name,age\nada,36\nalan,41\ngrace,85\n");
    const counted = cellStatus(page, "SQL cell counted");
    await expect.poll(() => counted.textContent()).toMatch(/ms$/);
    // The worker goes away as a crashed one would: no answer, ever again.
    let killed = 0;
    for (const worker of page.workers()) {
      if ((await worker.evaluate(() => self.name).catch(() => "")) !== "duckdb") continue;
      await worker.evaluate(() => self.close()).catch(() => undefined);
      killed++;
    }
    expect(killed).toBe(1);
    const notice = page.getByRole("alert").filter({ hasText: /DuckDB stopped working/ });
    await notice.getByText(/and was restarted; its datasets loaded again/).waitFor({
      timeout: 30_000,
    });
    await page
      .getByRole("status", { name: "Engine status" })
      .getByText(/DuckDB v\d/)
      .waitFor();
    await dataset(page, "people").waitFor();
    expect(await counted.textContent()).toBe("not run");
    await notice.getByRole("button", { name: "Run all" }).click();
    await expect.poll(() => counted.textContent()).toMatch(/ms$/);
    expect(await cell(page, "SQL cell counted").textContent()).toContain("3");
    await page.context().close();
  });

  it("renaming a dataset re-runs exactly the cells that read it; a preview or a load waiting on a long query says so and can stop it", async () => {
    const page = await openTrusted(
      notebookText("Datasets", [
        "```sql counted",
        "SELECT count(*) AS n FROM people",
        "```",
        "",
        "```sql other",
        "SELECT 1 AS one",
        "```",
        "",
        "```sql long",
        "SELECT 2 AS two",
        "```",
        "",
      ]),
    );
    await upload(page, "people.csv", "name,age\nada,36\nalan,41\ngrace,85\n");
    const counted = cellStatus(page, "SQL cell counted");
    await expect.poll(() => counted.textContent()).toMatch(/ms$/);
    const otherRan = await cellStatus(page, "SQL cell other").textContent();
    // A long query runs; a preview, and a file added meanwhile, say what they wait for.
    await typeCode(page, "SQL cell long", "SELECT sum(range) AS s FROM range(1000000000000)");
    await cells(page).getByRole("button", { name: "Run SQL cell long" }).click();
    await expect.poll(() => cellStatus(page, "SQL cell long").textContent()).toMatch(/^running/);
    await dataset(page, "people").locator("summary").click();
    const waiting = dataset(page, "people").getByRole("status");
    await waiting.getByText(/Loading the preview… it waits for cell long to finish/).waitFor();
    await upload(page, "pets.csv", "name,kind\nrex,dog\n");
    await page
      .getByRole("status")
      .getByText(/Loading pets\.csv .* it waits for cell long/)
      .waitFor();
    await waiting.getByRole("button", { name: "Stop it" }).click();
    await page.getByRole("table", { name: "Preview of people" }).waitFor();
    await dataset(page, "pets").waitFor();
    expect(await cellStatus(page, "SQL cell long").textContent()).toBe("stopped");
    // Renamed: the reader runs again and fails, naming what it cannot find; the rest stays.
    await page.getByLabel("Rename people").fill("persons");
    await page.getByLabel("Rename people").press("Enter");
    await expect
      .poll(() => cell(page, "SQL cell counted").getByRole("alert").textContent())
      .toMatch(/people/);
    expect(await cellStatus(page, "SQL cell other").textContent()).toBe(otherRan);
    expect(await cellStatus(page, "SQL cell long").textContent()).toBe("stopped");
    await page.context().close();
  });

  it("renaming a cell fails its readers with what became of it, and offers to make them read the new name", async () => {
    const page = await openTrusted(
      notebookText("Renames", [
        "```sql base",
        "SELECT 20 AS n",
        "```",
        "",
        "```sql reader",
        "SELECT n + 1 AS m FROM base",
        "```",
        "",
        "```ts doubled",
        "base.getChild('n').get(0) * 2",
        "```",
        "",
      ]),
    );
    await expect
      .poll(() => cellStatus(page, "TypeScript cell doubled").textContent())
      .toMatch(/ms$/);
    await nameCell(page, "SQL cell base", "total", "SQL");
    const reader = cell(page, "SQL cell reader");
    await expect
      .poll(() => reader.getByRole("alert").textContent())
      .toMatch(/base no longer exists \(it was renamed to total\)/);
    const offer = page.getByRole("status").filter({ hasText: "Renamed cell base to total" });
    await offer.getByText("2 cells still read base").waitFor();
    await offer.getByRole("button", { name: "Update them" }).click();
    await expect.poll(() => cellStatus(page, "SQL cell reader").textContent()).toMatch(/ms$/);
    await expect
      .poll(() => cellStatus(page, "TypeScript cell doubled").textContent())
      .toMatch(/ms$/);
    expect(await reader.getByLabel("Code of SQL cell reader").textContent()).toBe(
      "SELECT n + 1 AS m FROM total",
    );
    expect(await cell(page, "TypeScript cell doubled").textContent()).toContain("40");
    await page.context().close();
  });
});
