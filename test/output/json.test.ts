import { JSDOM } from "jsdom";
import { describe, expect, it } from "vitest";
import { toJson } from "../../src/output/index.ts";

describe("toJson()", () => {
  it("keeps every item by default (the CLI's --json) and caps each array when asked (the inspector)", () => {
    const value = { labels: Int32Array.from({ length: 250 }, (_, i) => i % 3), names: ["a", "b"] };
    expect((toJson(value) as { labels: number[] }).labels).toHaveLength(250);
    expect(toJson(value, { items: 3 })).toEqual({
      labels: [0, 1, 2, "… 247 more"],
      names: ["a", "b"],
    });
  });
});

describe("toJson(node)", () => {
  it("toJson(chart) is the chart's markup, sanitised in the chart's own window", () => {
    const { document } = new JSDOM("").window;
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.innerHTML =
      "<style>@import url(https://evil/s.css)</style>" +
      '<rect fill="url(https://evil/#g)" clip-path="url(#c)"></rect>' +
      '<a href="javascript:alert(1)"><text>label</text></a>';
    expect(toJson({ chart: svg })).toEqual({
      chart: '<svg><rect clip-path="url(#c)"></rect><a><text>label</text></a></svg>',
    });
  });

  it("toJson(node) of a document without a window throws rather than return unsanitised markup", () => {
    const { document } = new JSDOM("").window;
    const orphan = document.implementation.createHTMLDocument().createElement("p");
    orphan.innerHTML = "<img src=x onerror=alert(1)>";
    expect(() => toJson(orphan)).toThrow(/no window/);
  });
});
