import { tableFromArrays } from "apache-arrow";
import { JSDOM } from "jsdom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterPlot,
  cohortPlot,
  elbowPlot,
  profilePlot,
  rfmPlot,
  silhouettePlot,
  DOT_LIMIT,
} from "../../src/charts/index.ts";
import { createNodeEngine } from "../../src/engine/node.ts";
import type { Engine } from "../../src/engine/index.ts";
import { segmentationLibrary } from "../../src/runtime/segmentation.ts";
import {
  elbow,
  kmeans,
  profile,
  randomSource,
  silhouette,
  type CohortResult,
  type RfmResult,
} from "../../src/segment/index.ts";
import { expectGolden } from "../golden.ts";
import { iris, IRIS_COLUMNS } from "../segment/data.ts";

const { document } = new JSDOM("").window;
let engine: Engine<string>;

/** Plot's style: ids renumbered in order of appearance, numbers rounded to two decimals. */
function normalise(svg: SVGSVGElement): string {
  const ids = new Map<string, string>();
  return `${svg.outerHTML
    .replace(/plot-clip-\d+/g, (id) => {
      if (!ids.has(id)) ids.set(id, `plot-clip-${ids.size + 1}`);
      return ids.get(id)!;
    })
    .replace(/\d+\.\d{3,}/g, (n) => String(Number(Number(n).toFixed(2))))
    .replace(/></g, ">\n<")}\n`;
}

beforeAll(async () => {
  engine = await createNodeEngine();
});

afterAll(async () => {
  await engine?.close();
});

describe("chart recipes (golden SVGs)", () => {
  const rows = iris();
  const clusters = kmeans(rows, { k: 3, columns: IRIS_COLUMNS, seed: 1, standardize: true });

  it("clusterPlot(result) maps the clusters on the first two principal components", async () => {
    const svg = clusterPlot(clusters, { document });
    expect(svg.textContent).toContain("PC1 (");
    // One dot per row; the centroids are diamonds (paths).
    expect(svg.querySelectorAll("circle").length).toBe(150);
    await expectGolden("charts/cluster-pca.svg", normalise(svg));
  });

  it("clusterPlot(result, {x, y}) maps two chosen columns, centroids in their units", async () => {
    const svg = clusterPlot(clusters, {
      document,
      x: "petal_length",
      y: "petal_width",
      names: ["small", "medium", "large"],
    });
    expect(svg.textContent).toContain("0 · small — 53");
    await expectGolden("charts/cluster-xy.svg", normalise(svg));
    expect(() => clusterPlot(clusters, { document, x: "petal_lenght" })).toThrow(
      "unknown column: petal_lenght",
    );
  });

  it("elbowPlot() marks the suggested k and each criterion's best k", async () => {
    const svg = elbowPlot(
      elbow(rows, {
        columns: IRIS_COLUMNS,
        k: [1, 10],
        seed: 1,
        metrics: ["silhouette", "ch", "db"],
      }),
      { document },
    );
    expect(svg.textContent).toContain("elbow: k = 3");
    expect(svg.querySelectorAll("svg svg").length).toBe(4);
    await expectGolden("charts/elbow.svg", normalise(svg));
  });

  it("silhouettePlot() sorts values within each cluster and rules the mean", async () => {
    const svg = silhouettePlot(silhouette(rows, clusters), { document });
    expect(svg.textContent).toMatch(/Silhouette: mean 0\.46/);
    await expectGolden("charts/silhouette.svg", normalise(svg));
  });

  it("profilePlot() shows z-scores on a diverging scale with the cluster labels", async () => {
    const svg = profilePlot(profile(rows, clusters, { columns: IRIS_COLUMNS }), { document });
    expect(svg.textContent).toContain("low petal_length");
    await expectGolden("charts/profile.svg", normalise(svg));
  });

  it("rfmPlot() and cohortPlot() draw the R × F grid and the retention heatmap, partial months marked", async () => {
    const library = segmentationLibrary(engine);
    const lines = Array.from({ length: 60 }, (_, i) => ({
      order_id: `o${i}`,
      customer: `c${i % 17}`,
      day: new Date(Date.UTC(2024, Math.floor(i / 12), 1 + ((i * 7) % 27)))
        .toISOString()
        .slice(0, 10),
      amount: 10 + ((i * 37) % 90),
    }));
    const rfm = (library.get("rfm") as (t: unknown, o: object) => Promise<RfmResult>)(lines, {
      customer: "customer",
      date: "day",
      amount: "amount",
      order: "order_id",
    });
    const cohorts = (library.get("cohorts") as (t: unknown, o: object) => Promise<CohortResult>)(
      lines,
      { customer: "customer", date: "day" },
    );
    const rfmSvg = rfmPlot(await rfm, { document });
    expect(rfmSvg.querySelectorAll("rect").length).toBeGreaterThanOrEqual(25);
    await expectGolden("charts/rfm.svg", normalise(rfmSvg));
    const cohortSvg = cohortPlot(await cohorts, { document });
    expect(cohortSvg.textContent).toContain("*");
    await expectGolden("charts/cohort.svg", normalise(cohortSvg));
  });

  it("each recipe refuses a result of the wrong kind by name", () => {
    expect(() => clusterPlot({} as never, { document })).toThrow(
      "invalid result: clusterPlot expects what kmeans() returns",
    );
    expect(() => elbowPlot(clusters as never, { document })).toThrow(
      "invalid result: elbowPlot expects what elbow() returns",
    );
  });
});

describe("clusterPlot at scale", () => {
  it("1,000,000 points draw as a bounded number of density bins, and the caption says so", () => {
    const n = 1_000_000;
    const random = randomSource(9);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      x[i] = c * 4 + random() * 3;
      y[i] = (c === 1 ? 5 : 0) + random() * 3;
    }
    const result = kmeans(tableFromArrays({ x, y }), {
      k: 3,
      columns: ["x", "y"],
      seed: 1,
      nInit: 1,
      maxIter: 5,
    });
    const svg = clusterPlot(result, { document });
    expect(n).toBeGreaterThan(DOT_LIMIT);
    expect(svg.querySelectorAll("circle").length).toBe(0);
    const elements = svg.querySelectorAll("*").length;
    expect(elements).toBeLessThan(120 * 80 + 200);
    expect(svg.textContent).toContain("1,000,000 rows are too many to draw one by one");
  });
});

describe("export", () => {
  it("svgMarkup() writes a standalone SVG file with its legend and a fixed text colour", async () => {
    const { svgMarkup } = await import("../../src/charts/index.ts");
    const window = new JSDOM("").window;
    const svg = clusterPlot(kmeans(iris(), { k: 3, columns: IRIS_COLUMNS, seed: 1 }), {
      document: window.document,
    });
    const file = svgMarkup(svg);
    expect(
      file.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"',
      ),
    ).toBe(true);
    expect(file).toContain('color="#1c1f24"');
    expect(file).toContain("Cluster 0 — 62");
    const parsed = new window.DOMParser().parseFromString(file, "image/svg+xml");
    expect(parsed.querySelector("parsererror")).toBeNull();
  });
});
