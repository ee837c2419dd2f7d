import type { WindowLike } from "dompurify";
import type { Value } from "../engine/index.ts";
import type { Notebook } from "../notebook/index.ts";
import { isDownload } from "./download.ts";
import { formatValue } from "./format.ts";
import { isNode, toJson } from "./json.ts";
import { markdownHtml } from "./markdown.ts";
import { sanitizeHtml } from "./sanitize.ts";
import { isTableLike, previewTable } from "./values.ts";

/** What a report shows: the document, each code cell's outcome, and the window its charts were drawn in. */
export interface ReportInput {
  notebook: Notebook;
  cells: ReportCell[];
  window: WindowLike;
}

/**
 * One code cell's outcome, as much of it as a report reads. The runtime's `CellResult` is one;
 * it is spelled out here so that the output layer does not depend on the runtime.
 */
export interface ReportCell {
  /** the cell id */
  id: string;
  status: "done" | "error" | "stopped" | "idle";
  error: { message: string; line?: number } | null;
  value: unknown;
  outputs: (
    | { kind: "value"; value: unknown }
    | { kind: "input"; spec: { type: string; label?: string }; value: unknown }
  )[];
}

/** How many rows of a table the report shows. */
export const REPORT_ROWS = 100;

/**
 * One self-contained HTML page: the prose, each cell's code (collapsed), its outputs — tables,
 * charts as inline SVG, values — and its errors. Everything user-made is sanitised (a report is
 * opened by people who did not write the notebook), and the page's Content-Security-Policy
 * allows no script and no request: data: images and the report's own stylesheet only.
 */
export function renderReport(run: ReportInput): string {
  return reportPage(run.notebook.title, reportBody(run));
}

/**
 * The report's body: each cell's section. The notebook frame, which holds the outputs, makes
 * it; the app, which does not trust the frame, sanitises it again and puts the page around it.
 */
export function reportBody(run: ReportInput): string {
  const clean = (html: string) => sanitizeHtml(html, run.window);
  const results = new Map(run.cells.map((c) => [c.id, c]));
  const body: string[] = [];
  for (const cell of run.notebook.cells) {
    if (cell.kind === "markdown") {
      body.push(`<section class="prose">${markdownHtml(cell.source, run.window)}</section>`);
      continue;
    }
    const result = results.get(cell.id);
    const label = [cell.kind, cell.name].filter(Boolean).join(" ");
    const code = cell.options.includes("hidden")
      ? ""
      : `<details><summary>${escape(label)}</summary><pre><code>${escape(cell.source)}</code></pre></details>`;
    body.push(
      `<section class="cell" id="${escape(cell.id)}">${code}${result ? outputs(result, clean) : ""}</section>`,
    );
  }
  return body.join("\n");
}

/**
 * The page around a report body (sanitised markup): its title, its stylesheet and a policy that
 * allows no script and no request.
 */
export function reportPage(notebookTitle: string, body: string): string {
  const title = notebookTitle || "Strata notebook";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Strata">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1 class="title">${escape(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function outputs(result: ReportCell, clean: (html: string) => string): string {
  if (result.status === "stopped")
    return `<p class="caption" role="status">Stopped before it finished.</p>`;
  if (result.status === "error" && result.error) {
    const where = result.error.line === undefined ? "" : `line ${result.error.line}: `;
    return `<p class="error" role="alert">${escape(where + result.error.message)}</p>`;
  }
  const parts = result.outputs.map((o) =>
    o.kind === "value"
      ? show(o.value, clean)
      : `<p class="input">${escape(o.spec.label ?? o.spec.type)}: ${escape(String(o.value))}</p>`,
  );
  if (result.value !== undefined && result.value !== null) parts.push(show(result.value, clean));
  return parts.join("\n");
}

function show(value: unknown, clean: (html: string) => string): string {
  if (isTableLike(value)) {
    const { columns, rows, rowCount } = previewTable(value, REPORT_ROWS);
    const numeric = columns.map(
      (c) =>
        rows.some((r) => typeof r[c.name] === "number") &&
        rows.every((r) => r[c.name] === null || typeof r[c.name] === "number"),
    );
    const cls = (j: number) => (numeric[j] ? ' class="num"' : "");
    const head = columns.map((c, j) => `<th${cls(j)}>${escape(c.name)}</th>`).join("");
    const cells = rows.map(
      (r) =>
        `<tr>${columns.map((c, j) => `<td${cls(j)}>${escape(formatValue((r[c.name] ?? null) as Value))}</td>`).join("")}</tr>`,
    );
    const more = rowCount > rows.length ? `, showing the first ${rows.length}` : "";
    return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>${cells.join("")}</tbody></table><p class="caption">${rowCount.toLocaleString("en-US")} rows${more}</p></div>`;
  }
  if (isNode(value)) return `<div class="chart">${clean(value.outerHTML)}</div>`;
  if (isDownload(value))
    return `<p class="caption">Download ${escape(value.fileName)} (a button in the app)</p>`;
  if (typeof value === "string") return `<pre class="value">${escape(value)}</pre>`;
  return `<pre class="value">${escape(compactJson(toJson(value, { items: 100 })))}</pre>`;
}

/** JSON indented by level, with arrays of plain values kept on one line (labels, centroids). */
function compactJson(value: unknown, indent = ""): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) return JSON.stringify(value);
    return `[\n${value.map((v) => `${indent}  ${compactJson(v, `${indent}  `)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(
      ([k, v]) => `${indent}  ${JSON.stringify(k)}: ${compactJson(v, `${indent}  `)}`,
    );
    return `{\n${entries.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1c1f24; --muted: #5f6673; --border: #dfe3ea; --bg: #fff; --code: #f6f7f9; --error: #9f1239; --error-bg: #fde8ec; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8ec; --muted: #9aa1ad; --border: #2e333c; --bg: #14161a; --code: #1c1f25; --error: #fda4af; --error-bg: #3b1720; } }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
.title { font-size: 1.9rem; margin: 0 0 1.5rem; }
.cell { margin: 1rem 0 1.5rem; }
details summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; font-family: ui-monospace, Menlo, monospace; }
pre { background: var(--code); padding: 0.75rem 1rem; border-radius: 6px; overflow: auto; font-size: 0.85rem; }
pre.value { max-height: 20rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.table { overflow: auto; max-height: 26rem; border: 1px solid var(--border); border-radius: 6px; }
thead th { position: sticky; top: 0; background: var(--bg); }
.caption { padding: 0 0.7rem 0.4rem; }
table { border-collapse: collapse; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid var(--border); text-align: left; white-space: nowrap; }
th.num, td.num { text-align: right; }
.caption { color: var(--muted); font-size: 0.8rem; margin: 0.3rem 0 0; }
.error { background: var(--error-bg); color: var(--error); padding: 0.6rem 0.8rem; border-radius: 6px; font-family: ui-monospace, Menlo, monospace; font-size: 0.85rem; }
.chart svg { display: block; max-width: 100%; height: auto; --plot-background: var(--bg); }
.chart svg text, .chart svg tspan { white-space: pre; }
`;

/**
 * The SHA-256 of STYLE, which the policy names as the one stylesheet allowed (not
 * 'unsafe-inline', which would let style attributes through too). The report tests compute it
 * from the page: when STYLE changes, they fail with the new value.
 */
const STYLE_HASH = "sha256-XBPfwhCvkuKpccu4HJwaM9B9J+iE6+6tZgaeYfv3sbk=";

/**
 * Nothing loads and nothing runs: no script, no remote image, font or stylesheet, no form, no
 * <base>. Charts are inline SVG; Plot's own <style> is dropped by the sanitiser, and the rules
 * above stand in for it (block display, fluid width, white-space in labels, --plot-background).
 */
const CSP = `default-src 'none'; img-src data:; style-src '${STYLE_HASH}'; base-uri 'none'; form-action 'none'`;
