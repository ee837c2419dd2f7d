import type { Page } from "playwright-core";

/** Wait until DuckDB has started and the first notebook has finished running. */
export async function ready(page: Page): Promise<void> {
  await page
    .getByRole("status", { name: "Engine status" })
    .getByText(/DuckDB v\d/)
    .waitFor({ timeout: 60_000 });
  await waitForIdle(page);
}

/** Wait until no cell is queued or running. */
export async function waitForIdle(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("[aria-label^='Status of']")].every(
        (s) => !/queued|running/.test(s.textContent ?? ""),
      ),
    undefined,
    { timeout: 60_000 },
  );
}

/** Add a file through the dataset panel's file input, as a person picking it would. */
export async function upload(
  page: Page,
  name: string,
  content: string | Buffer,
  mimeType = "text/csv",
): Promise<void> {
  await page
    .getByLabel("Add dataset files")
    .setInputFiles({ name, mimeType, buffer: Buffer.from(content) });
}

export function dataset(page: Page, name: string) {
  return page
    .getByRole("list", { name: "Loaded datasets" })
    .getByRole("listitem", { name, exact: true });
}

/** Replace a code cell's text by typing into its editor. */
export async function typeCode(page: Page, cellLabel: string, code: string): Promise<void> {
  const editor = page.getByLabel(`Code of ${cellLabel}`, { exact: true });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // insertText: one input, so the editor's bracket-closing does not double what we type.
  await page.keyboard.insertText(code);
}

/** Name a code cell through its name box; returns the cell's new label. */
export async function nameCell(
  page: Page,
  cellLabel: string,
  name: string,
  kind: "SQL" | "TypeScript",
): Promise<string> {
  const box = page.getByLabel(`Name of ${cellLabel}`, { exact: true });
  await box.fill(name);
  // Enter commits the name; the cell's label changes with it.
  await box.press("Enter");
  return `${kind} cell ${name}`;
}

export function cell(page: Page, label: string) {
  return page.getByRole("article", { name: label, exact: true });
}

/** A CSV of `n` customers in three well-separated groups on spend and visits. */
export function customersCsv(n = 300): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const g = i % 3;
    const jitter = ((i * 7919) % 100) / 100;
    return `${i + 1},${(g * 200 + 50 + jitter * 40).toFixed(2)},${g * 10 + 2 + Math.round(jitter * 3)}`;
  });
  return `customer_id,spend,visits\n${rows.join("\n")}\n`;
}
