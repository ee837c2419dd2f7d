// A classic worker: the network lock goes in first, then DuckDB's own worker script.
import "./offline.ts";
import duckdbWorker from "@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url";

declare function importScripts(...urls: string[]): void;

importScripts(duckdbWorker);
