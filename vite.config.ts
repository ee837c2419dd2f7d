import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import type { Plugin, Rolldown } from "vite";
import { defineConfig } from "vitest/config";
import { APP_CSP, FRAME_CSP } from "./src/app/csp.ts";

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

/**
 * The notebook frame (src/app/frame/) is built apart from the app: its page is framed with
 * sandbox="allow-scripts", an opaque origin, which may load only classic scripts (a module
 * script from another origin needs CORS headers a static host does not send). So it is one
 * IIFE script and one stylesheet, with `sandbox.html` beside the app's index.html; in dev the
 * same build is served from memory and redone when a source file changes.
 */
function notebookFrame(): Plugin {
  let root = process.cwd();
  let production = true;
  let cached: Promise<Map<string, string | Uint8Array>> | undefined;
  const frameBuild = async (): Promise<Map<string, string | Uint8Array>> => {
    const { build } = await import("vite");
    const result = await build({
      configFile: false,
      root,
      base: "./",
      logLevel: "warn",
      mode: production ? "production" : "development",
      plugins: [svelte()],
      resolve: {
        alias: { "@guanmingchiu/sqlparser-ts": join(root, "src/app/frame/no-sqlparser.ts") },
      },
      worker: { format: "iife" },
      build: {
        write: false,
        target: "es2022",
        minify: production,
        copyPublicDir: false,
        assetsInlineLimit: 0,
        chunkSizeWarningLimit: 4000,
        lib: {
          entry: join(root, "src/app/frame/main.ts"),
          formats: ["iife"],
          name: "strataFrame",
          fileName: () => "frame.js",
          cssFileName: "frame",
        },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
    const files = new Map<string, string | Uint8Array>();
    for (const output of outputs)
      for (const item of output.output)
        files.set(`frame/${item.fileName}`, item.type === "chunk" ? item.code : item.source);
    const page = readFileSync(join(root, "src/app/frame/sandbox.html"), "utf8");
    files.set("sandbox.html", page.replace("%FRAME_CSP%", FRAME_CSP));
    return files;
  };
  return {
    name: "strata-notebook-frame",
    configResolved(config) {
      root = config.root;
      production = config.command === "build";
    },
    async generateBundle() {
      for (const [fileName, source] of await frameBuild())
        this.emitFile({ type: "asset", fileName, source });
    },
    configureServer(server) {
      server.watcher.on("change", () => (cached = undefined));
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? "").split("?")[0]!.replace(/^\//, "");
        if (path !== "sandbox.html" && !path.startsWith("frame/")) return next();
        cached ??= frameBuild();
        cached
          .then((files) => {
            const file = files.get(path);
            if (file === undefined) return next();
            const type = path.endsWith(".html")
              ? "text/html"
              : path.endsWith(".css")
                ? "text/css"
                : "text/javascript";
            res.setHeader("Content-Type", `${type}; charset=utf-8`);
            res.end(file);
          })
          .catch((error: unknown) => {
            cached = undefined;
            next(error);
          });
      });
    },
  };
}

/**
 * The policies (src/app/csp.ts) on the built pages: a <meta> in index.html, which a static host
 * serves as it is, and from `vite preview` headers too — for the app, that no site may frame
 * it; for the frame's page, that it is sandboxed even when opened on its own.
 */
function securityPolicies(): Plugin {
  return {
    name: "strata-security-policies",
    transformIndexHtml: {
      order: "post",
      handler: (html, context) =>
        context.server
          ? html
          : html.replace(
              "<head>",
              `<head>\n    <meta http-equiv="Content-Security-Policy" content="${APP_CSP}" />`,
            ),
    },
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? "/").split("?")[0];
        if (path === "/sandbox.html") {
          res.setHeader(
            "Content-Security-Policy",
            `${FRAME_CSP}; sandbox allow-scripts; frame-ancestors 'self'`,
          );
        } else if (path === "/" || path === "/index.html") {
          res.setHeader("Content-Security-Policy", `${APP_CSP}; frame-ancestors 'none'`);
          res.setHeader("X-Frame-Options", "DENY");
        }
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Referrer-Policy", "no-referrer");
        next();
      });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), sqlParserWasm(), notebookFrame(), securityPolicies()],
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
          // At least three times what the slowest test takes on a loaded two-core machine.
          testTimeout: 30_000,
          hookTimeout: 30_000,
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
          // A loaded two-core machine compiles the app's wasm slowly: what a test polls for
          // gets seconds, not Vitest's default one.
          expect: { poll: { timeout: 15_000 } },
          fileParallelism: false,
          env: { TZ: "UTC" },
        },
      },
    ],
  },
});
