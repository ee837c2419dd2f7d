import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { cell, cells, notebookText, openUntrusted, ready, startApp } from "./helpers.ts";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

async function openTrusted(text: string): Promise<Page> {
  const page = await startApp(harness);
  await openUntrusted(page, "cells.md", text);
  await page.getByRole("button", { name: "Trust and run" }).click();
  await ready(page);
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
});
