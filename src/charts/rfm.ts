import * as Plot from "@observablehq/plot";
import { toRows } from "../engine/convert.ts";
import { RFM_SEGMENTS, type RfmResult } from "../segment/index.ts";
import { figure } from "./compose.ts";
import { percent, SEGMENT_COLORS } from "./palette.ts";

export interface RfmPlotOptions {
  width?: number;
  document?: Document;
}

/** The R × F grid: each cell coloured by its named segment, with its customers; the legend gives each segment's customers and share of spend. */
export function rfmPlot(result: RfmResult, options: RfmPlotOptions = {}): SVGSVGElement {
  if (!result || result.kind !== "rfm")
    throw new Error("invalid result: rfmPlot expects what rfm() returns");
  const document = options.document ?? globalThis.document;
  const width = options.width ?? 640;
  const counts = new Map<string, number>();
  for (const row of toRows(result.table))
    counts.set(`${row.r}${row.f}`, (counts.get(`${row.r}${row.f}`) ?? 0) + 1);
  const cells = RFM_SEGMENTS.flatMap((s) =>
    s.r.flatMap((r) =>
      s.f.map((f) => ({ r, f, segment: s.name, customers: counts.get(`${r}${f}`) ?? 0 })),
    ),
  );
  const summary = new Map(toRows(result.segments).map((s) => [String(s.segment), s]));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const plot = Plot.plot({
    document,
    width,
    height: 340,
    marginLeft: 60,
    padding: 0.04,
    x: { label: "frequency score →", domain: [1, 2, 3, 4, 5] },
    y: { label: "↑ recency score", domain: [5, 4, 3, 2, 1] },
    color: {
      type: "ordinal",
      domain: Object.keys(SEGMENT_COLORS),
      range: Object.values(SEGMENT_COLORS),
    },
    marks: [
      Plot.cell(cells, { x: "f", y: "r", fill: "segment", fillOpacity: 0.85 }),
      Plot.text(cells, {
        x: "f",
        y: "r",
        text: (c: { customers: number }) => c.customers.toLocaleString("en-US"),
        fontSize: 12,
        fontWeight: 600,
        dy: -6,
      }),
      Plot.text(cells, { x: "f", y: "r", text: "segment", fontSize: 8.5, dy: 8, fillOpacity: 0.9 }),
    ],
  }) as SVGSVGElement;
  return figure({
    document,
    width,
    title: "RFM segments",
    subtitle: `${total.toLocaleString("en-US")} customers by recency (5 = most recent) and frequency score`,
    legend: RFM_SEGMENTS.filter((s) => summary.has(s.name)).map((s) => {
      const row = summary.get(s.name)!;
      return {
        label: `${s.name} ${Number(row.customers).toLocaleString("en-US")} · ${percent(Number(row.monetary_share))} of spend`,
        color: SEGMENT_COLORS[s.name]!,
      };
    }),
    panels: [plot],
    caption:
      "Scores are quintiles, ties broken by value and then customer, so the same data always scores the same.",
  });
}
