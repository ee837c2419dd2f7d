import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

/**
 * sqlparser-ts loads its wasm glue with a `@vite-ignore`d import of `../wasm/…` relative to its
 * own module. Bundled, that module lives in `assets/`, so the glue must sit in `wasm/` beside it
 * (the .wasm itself Vite finds and bundles, from its `new URL(…, import.meta.url)`).
 */
function sqlParserWasm(): Plugin {
  const wasmDir = join(dirname(require.resolve("@guanmingchiu/sqlparser-ts")), "../wasm");
  return {
    name: "strata-sqlparser-wasm",
    apply: "build",
    generateBundle() {
      for (const file of ["sqlparser_rs_wasm.js"]) {
        this.emitFile({
          type: "asset",
          fileName: `wasm/${file}`,
          source: readFileSync(join(wasmDir, file)),
        });
      }
    },
  };
}

export default defineConfig({
  plugins: [svelte(), sqlParserWasm()],
  // The built app is served from any folder, or opened from a static host, with no network.
  base: "./",
  build: {
    target: "es2022",
    // DuckDB's wasm is 34 MB; it is fetched once from our own origin and cached.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: "es" },
  optimizeDeps: { exclude: ["@duckdb/duckdb-wasm", "parquet-wasm", "@guanmingchiu/sqlparser-ts"] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**"],
          environment: "node",
          env: { TZ: "UTC" },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          env: { TZ: "UTC" },
        },
      },
    ],
  },
});
