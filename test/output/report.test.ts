import { createHash } from "node:crypto";
import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/notebook/index.ts";
import { renderReport, reportPage, sanitizeHtml, type ReportCell } from "../../src/output/index.ts";

const { window } = new JSDOM("");

const NOTEBOOK = `---
title: A colleague's notebook
---

# Revenue by month <script>alert(1)</script>

![tracker](https://evil/pixel.png) and <style>body { display: none }</style> in the prose.

\`\`\`ts chart
Plot.plot({ marks: [Plot.barY(rows, { x: "month", y: "revenue" })] });
\`\`\`

\`\`\`ts markup
colleague.markup();
\`\`\`
`;

/** The notebook's report, its code cells holding a Plot chart and some hostile markup (a DOM node). */
function report(): string {
  const notebook = parse(NOTEBOOK);
  const data = Array.from({ length: 12 }, (_, i) => ({ month: i, revenue: (i * 37) % 100 }));
  const chart = Plot.plot({
    document: window.document,
    marks: [Plot.barY(data, { x: "month", y: "revenue", clip: true })],
  });
  const hostile = window.document.createElement("div");
  hostile.innerHTML =
    '<img src="https://evil/x" onerror="alert(1)"><a href="javascript:alert(1)">x</a>' +
    '<svg><style>@import url(https://evil/s.css)</style><rect fill="url(https://evil/#g)"/></svg>';
  const values = [chart, hostile];
  const cells = notebook.cells
    .filter((cell) => cell.kind !== "markdown")
    .map((cell, i): ReportCell => {
      const value = values[i];
      return { id: cell.id, status: "done", error: null, value, outputs: [] };
    });
  return renderReport({ notebook, cells, window });
}

describe("renderReport()", () => {
  it("renderReport() carries a Content-Security-Policy that allows no script, no request and only its own stylesheet", () => {
    const html = report();
    const { document } = new JSDOM(html).window;
    const styles = document.querySelectorAll("style");
    expect(styles).toHaveLength(1);
    const hash = createHash("sha256")
      .update(styles[0]!.textContent ?? "")
      .digest("base64");
    const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
    expect(csp?.getAttribute("content")).toBe(
      `default-src 'none'; img-src data:; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`,
    );
    // A policy in a <meta> governs only what comes after it.
    expect(html.indexOf("Content-Security-Policy")).toBeLessThan(html.indexOf("<style>"));
  });

  it("renderReport() sanitises prose and output markup: no script, handler, style or remote URL is left", () => {
    const html = report();
    expect(html).not.toMatch(/<script|javascript:|\son\w+=|\sstyle=|evil/i);
    const { document } = new JSDOM(html).window;
    expect(document.querySelector("h1:not(.title)")?.textContent).toBe("Revenue by month ");
    expect(document.querySelector(".prose img")?.getAttributeNames()).toEqual(["alt"]);
    // The hostile node's elements stay, emptied of what ran or loaded.
    const markup = document.querySelectorAll(".chart")[1];
    expect(
      [...(markup?.querySelectorAll("*") ?? [])].map((e) => [
        e.localName,
        ...e.getAttributeNames(),
      ]),
    ).toEqual([["div"], ["img"], ["a"], ["svg"], ["rect"]]);
  });

  it("reportPage() around a body from elsewhere, sanitised again, keeps the policy and no script", () => {
    const { window } = new JSDOM("");
    const forged = `<section class="cell"><p>ok</p></section></main><script>alert(1)</script><meta http-equiv="Content-Security-Policy" content="script-src *"><img src="https://evil/x" onerror="alert(2)">`;
    const html = reportPage("Forged", sanitizeHtml(forged, window));
    expect(html).not.toMatch(/<script|onerror|evil|script-src \*/i);
    const { document } = new JSDOM(html).window;
    expect(document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')).toHaveLength(1);
    expect(document.querySelector("section.cell p")?.textContent).toBe("ok");
    expect(document.title).toBe("Forged");
  });

  it("renderReport() keeps a Plot chart's marks and clip paths, and its own styles stand in for Plot's", () => {
    const { document } = new JSDOM(report()).window;
    const svg = document.querySelector(".chart svg");
    expect(svg?.querySelectorAll('g[aria-label="bar"] rect')).toHaveLength(12);
    const clip = svg?.querySelector("[clip-path]")?.getAttribute("clip-path");
    expect(clip).toMatch(/^url\(#[\w-]+\)$/);
    expect(svg?.querySelector(clip!.slice(4, -1))?.localName).toBe("clipPath");
    expect(document.querySelector("style")?.textContent).toContain(
      ".chart svg text, .chart svg tspan { white-space: pre; }",
    );
  });
});
