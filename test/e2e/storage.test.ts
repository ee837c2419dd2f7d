import { readFile } from "node:fs/promises";
import type { Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "../../src/notebook/index.ts";
import { startHarness, type Harness } from "./harness.ts";
import { cells, dataset, ready, typeCode, upload, waitForIdle } from "./helpers.ts";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

const saveStatus = (page: Page) => page.getByRole("status", { name: "Save status" });

describe("when storage fails", () => {
  it("a full quota is shown in the header, the edit stays on the page, and the notebook is not closed over it", async () => {
    const page = await harness.newPage();
    // Writes fail as IndexedDB fails on a full disk, from the moment the test says so.
    await page.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args: Parameters<typeof put>) {
        if ((globalThis as { __full?: boolean }).__full)
          throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        return put.apply(this, args);
      };
    });
    await page.goto(harness.origin);
    await ready(page);
    await page.evaluate(() => Object.assign(globalThis, { __full: true }));
    await typeCode(page, "SQL cell customers", "SELECT 'kept on the page' AS note");
    await expect
      .poll(() => saveStatus(page).textContent())
      .toMatch(/Not saved: the browser's storage for this site is full/);

    await page.getByLabel("Open an example notebook").selectOption({ label: "Cohort retention" });
    await expect
      .poll(() => page.getByRole("alert").filter({ hasText: "stays open" }).textContent())
      .toMatch(/"Customer segments with k-means" could not be saved .* so it stays open/);
    expect(await page.getByLabel("Notebook title").inputValue()).toBe(
      "Customer segments with k-means",
    );
    expect(
      await cells(page).getByLabel("Code of SQL cell customers", { exact: true }).textContent(),
    ).toBe("SELECT 'kept on the page' AS note");

    // Space again: the next change saves everything.
    await page.evaluate(() => Object.assign(globalThis, { __full: false }));
    await cells(page).getByLabel("Code of SQL cell customers", { exact: true }).press("End");
    await page.keyboard.insertText(" ");
    await saveStatus(page)
      .getByText(/^Saved/)
      .waitFor();
    await page.reload();
    await ready(page);
    expect(
      await cells(page).getByLabel("Code of SQL cell customers", { exact: true }).textContent(),
    ).toBe("SELECT 'kept on the page' AS note ");
  });

  it("a browser that refuses storage (as private windows may) still runs notebooks, and says nothing is kept", async () => {
    const page = await harness.newPage();
    await page.addInitScript(() => {
      Object.defineProperty(window, "indexedDB", {
        get() {
          throw new DOMException(
            "The user denied permission to access the database.",
            "SecurityError",
          );
        },
      });
    });
    await page.goto(harness.origin);
    await ready(page);
    await expect
      .poll(() => saveStatus(page).textContent())
      .toMatch(
        /Not saved: browser storage is not available here .*notebooks live in this tab only/,
      );
    await expect
      .poll(() => cells(page).getByLabel("Status of SQL cell customers").textContent())
      .toMatch(/ms$/);
    await waitForIdle(page);
    expect(await cells(page).getByRole("article").getByRole("alert").count()).toBe(0);
  });
});

describe("loads in order", () => {
  it("a file added while the example's own data is still arriving is not replaced by it", async () => {
    const page = await harness.newPage();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/store-orders[^/]*\.csv/, async (route: Route) => {
      await held;
      await route.continue();
    });
    await page.goto(harness.origin);
    await page
      .getByRole("status", { name: "Engine status" })
      .getByText(/DuckDB v\d/)
      .waitFor();
    await page.getByLabel("Add dataset files").waitFor();
    await expect.poll(() => page.getByLabel("Add dataset files").isEnabled()).toBe(true);
    await upload(
      page,
      "orders.csv",
      "invoice,customer_id,invoice_date,quantity,unit_price\nA1,C1,2024-01-01,1,2.5\n",
    );
    await expect
      .poll(() => dataset(page, "orders").getByTestId("row-count").textContent())
      .toBe("1 row");
    release();
    await waitForIdle(page);
    await expect
      .poll(() => dataset(page, "orders").getByTestId("row-count").textContent())
      .toBe("1 row");
    // The notebook now says it reads the file the user gave it.
    await page
      .getByRole("status", { name: "Save status" })
      .getByText(/^Saved/)
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download .md" }).click(),
    ]);
    const text = await readFile((await download.path())!, "utf8");
    expect(parse(text).datasets).toEqual([{ name: "orders", source: "orders.csv" }]);
  });
});
