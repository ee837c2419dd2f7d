// DuckDB's worker, behind the network lock. The lock is imported first so that it is in place
// before DuckDB's code runs; DuckDB's prebuilt worker script is then loaded from our own origin.
// (A plain `import` of it is dropped by the bundler: its package declares no side effects.)
import "./offline.ts";
import duckdbWorker from "@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url";

// Requests that arrive while DuckDB's script loads wait for its message handler.
const early: MessageEvent[] = [];
self.onmessage = (event) => early.push(event);
await import(/* @vite-ignore */ duckdbWorker);
for (const event of early) self.onmessage?.(event);
