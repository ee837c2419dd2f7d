import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { expect } from "vitest";

const OUTPUT = resolve(import.meta.dirname, "output");

/**
 * Compare `actual` with the golden file `test/output/<name>`. A missing golden is written
 * locally (and fails in CI, where it must already exist); a mismatch writes `<name>-changed.<ext>`
 * beside it for review and fails.
 */
export async function expectGolden(name: string, actual: string): Promise<void> {
  const path = resolve(OUTPUT, name);
  const ext = extname(path);
  const changed = `${path.slice(0, -ext.length)}-changed${ext}`;
  if (!existsSync(path)) {
    if (process.env.CI)
      throw new Error(
        `missing golden file test/output/${name}: run the tests locally and commit it`,
      );
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, actual);
    return;
  }
  const expected = await readFile(path, "utf8");
  if (expected === actual) {
    await rm(changed, { force: true });
    return;
  }
  await writeFile(changed, actual);
  expect(actual, `test/output/${name} differs; see ${changed}`).toBe(expected);
}
