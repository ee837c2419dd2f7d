import * as Plot from "@observablehq/plot";
import createDOMPurify from "dompurify";
import { JSDOM } from "jsdom";
import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { markdownHtml, sanitizeHtml } from "../../src/output/index.ts";

const { window } = new JSDOM("");
const clean = (html: string) => sanitizeHtml(html, window);

/** Each element of some markup with its attributes, in document order: what a reader's DOM would hold. */
function elements(html: string): string[] {
  const { document } = new JSDOM(`<body>${html}</body>`).window;
  return [...document.body.querySelectorAll("*")].map((e) =>
    [e.localName, ...[...e.attributes].map((a) => `${a.name}="${a.value}"`)].join(" "),
  );
}

// Input, and what is left of it. Every URL here is on the host "evil".
const ATTACKS: [string, string][] = [
  ["<script>alert(1)</script><p>text</p>", "<p>text</p>"],
  ["<img src=x onerror=alert(1)>", "<img>"],
  ['<a href="javascript:alert(1)">x</a>', "<a>x</a>"],
  ['<a href="java\tscript:alert(1)">x</a>', "<a>x</a>"],
  ['<a href="//evil/x">x</a>', "<a>x</a>"],
  ['<a href="/\\evil/x">x</a>', "<a>x</a>"],
  ['<a href="data:text/html,<script>alert(1)</script>">x</a>', "<a>x</a>"],
  ['<img src="https://evil/x">', "<img>"],
  ['<img src="images/x.png">', "<img>"],
  ['<img srcset="https://evil/1x.png 1x, https://evil/2x.png 2x">', "<img>"],
  ['<img lowsrc="https://evil/x">', "<img>"],
  ['<video poster="https://evil/p" src="https://evil/v"></video>', "<video></video>"],
  [
    '<video><source src="https://evil/v"><track src="https://evil/t"></video>',
    "<video><source><track></video>",
  ],
  ['<audio src="https://evil/a"></audio>', "<audio></audio>"],
  ['<svg><image href="https://evil/i"></image></svg>', "<svg><image></image></svg>"],
  ['<svg><image xlink:href="https://evil/i"></image></svg>', "<svg><image></image></svg>"],
  ['<svg><use xlink:href="https://evil/#x"></use></svg>', "<svg></svg>"],
  ['<svg><feImage href="https://evil/f"></feImage></svg>', "<svg><feImage></feImage></svg>"],
  [
    '<svg><linearGradient id="g" href="https://evil/#h"></linearGradient></svg>',
    '<svg><linearGradient id="g"></linearGradient></svg>',
  ],
  [
    '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><a><text>x</text></a></svg>",
  ],
  ['<svg><rect fill="url(https://evil/#g)"></rect></svg>', "<svg><rect></rect></svg>"],
  ['<svg><rect fill="url(&quot;https://evil/#g&quot;)"></rect></svg>', "<svg><rect></rect></svg>"],
  ['<svg><rect fill="\\75 rl(https://evil/#g)"></rect></svg>', "<svg><rect></rect></svg>"],
  [`<svg><rect mask="image-set('https://evil/m' 1x)"></rect></svg>`, "<svg><rect></rect></svg>"],
  ['<svg><rect filter="url(#f) url(https://evil/#g)"></rect></svg>', "<svg><rect></rect></svg>"],
  ['<div style="background:url(https://evil/b)">x</div>', "<div>x</div>"],
  [
    '<table background="https://evil/b"><tbody><tr><td>x</td></tr></tbody></table>',
    "<table><tbody><tr><td>x</td></tr></tbody></table>",
  ],
  ["<style>@import url(https://evil/s.css)</style><p>text</p>", "<p>text</p>"],
  [
    '<svg><style>@import url(https://evil/s.css)</style><rect style="fill:url(https://evil/#g)"></rect></svg>',
    "<svg><rect></rect></svg>",
  ],
  ['<link rel="stylesheet" href="https://evil/s.css"><p>text</p>', "<p>text</p>"],
  [
    '<form action="https://evil/f"><input name="q"><button formaction="https://evil/b">go</button></form>',
    "go",
  ],
  ['<iframe src="https://evil/i"></iframe>', ""],
  ['<object data="https://evil/o"></object>', ""],
  ['<embed src="https://evil/e">', ""],
  ['<portal src="https://evil/p"></portal>', ""],
  ['<meta http-equiv="refresh" content="0;url=https://evil/r"><p>text</p>', "<p>text</p>"],
  ['<base href="https://evil/"><p>text</p>', "<p>text</p>"],
  [
    '<a href="https://evil/x" ping="https://evil/ping">x</a>',
    '<a href="https://evil/x" rel="noopener noreferrer">x</a>',
  ],
];

describe("sanitizeHtml(html, window)", () => {
  it.each(ATTACKS)(
    "sanitizeHtml(%j) keeps nothing that runs, submits, frames, restyles or loads",
    (input, expected) => {
      const output = clean(input);
      expect(output).toBe(expected);
      // Whatever the exact markup, nothing that loads on open may remain.
      for (const element of elements(output))
        expect(element).not.toMatch(/(src|poster|srcset|style|fill|mask|filter|action)="[^"]*evil/);
      expect(output).not.toMatch(/<script|<style|javascript:|\son\w+=/i);
    },
  );

  it("sanitizeHtml() keeps a plain external link, without a target, as noopener noreferrer", () => {
    expect(clean('<a href="https://example.com/doc" target="_blank" rel="opener">doc</a>')).toBe(
      '<a href="https://example.com/doc" rel="noopener noreferrer">doc</a>',
    );
    expect(clean('<a href="#results">results</a> <a href="other.md">other</a>')).toBe(
      '<a href="#results">results</a> <a href="other.md">other</a>',
    );
  });

  it("sanitizeHtml() keeps data: and blob: images, video and SVG images", () => {
    const png = "data:image/png;base64,iVBORw0KGgo=";
    const blob = "blob:http://localhost:5173/3f1e2d4c-0000-4000-8000-000000000000";
    for (const markup of [
      `<img src="${png}" alt="a dot">`,
      `<img src="${blob}">`,
      `<video src="${blob}" poster="${png}"></video>`,
      `<svg><image href="${png}"></image></svg>`,
    ])
      expect(clean(markup)).toBe(markup);
  });

  it("sanitizeHtml() keeps references into the document itself: url(#id), <textPath href>, <img usemap>", () => {
    const markup =
      '<svg><defs><clipPath id="c"><rect width="4" height="4"></rect></clipPath></defs>' +
      '<path id="p" d="M0,0L4,4"></path><g clip-path="url(#c)" fill="url(&quot;#c&quot;)">' +
      '<text><textPath href="#p">label</textPath></text></g></svg><img usemap="#m">';
    expect(clean(markup)).toBe(markup);
  });

  it("sanitizeHtml() leaves DOMPurify's own instance for the window as it was (its hooks are its own)", () => {
    clean("<p>first</p>");
    const plain = createDOMPurify(window);
    expect(plain.sanitize('<img src="https://example.com/x.png">')).toBe(
      '<img src="https://example.com/x.png">',
    );
  });

  it("sanitizeHtml() without a window outside the browser throws instead of passing HTML through", () => {
    expect(() => sanitizeHtml("<p>text</p>")).toThrow(/no window/);
    expect(() => sanitizeHtml("<script>alert(1)</script>", {} as unknown as typeof window)).toThrow(
      /lacks the DOM/,
    );
  });
});

describe("markdownHtml(source, window)", () => {
  it("markdownHtml() leaves ordinary Markdown as marked renders it: headings, tables, code, emphasis, lists, links", () => {
    const source = [
      "# Segments",
      "",
      "Some *emphasis*, **strong** text, `inline code` and [a link](https://example.com).",
      "",
      "| segment | customers |",
      "| :------ | --------: |",
      "| gold    | 2         |",
      "",
      "```sql",
      "SELECT 1 < 2",
      "```",
      "",
      "1. first",
      "2. second",
      "   - nested",
      "",
      "> a quote",
      "",
      "![a dot](data:image/png;base64,iVBORw0KGgo=)",
    ].join("\n");
    const rendered = marked.parse(source, { async: false });
    expect(elements(markdownHtml(source, window))).toEqual(
      elements(rendered).map((e) => (e.startsWith("a ") ? `${e} rel="noopener noreferrer"` : e)),
    );
    expect(markdownHtml(source, window)).toContain('<td align="left">gold</td>');
  });

  it("markdownHtml() drops an image from the web and raw <style>, keeping the text around them", () => {
    const html = markdownHtml(
      "Logo: ![logo](https://evil/logo.png)\n\n<style>body { display: none }</style>\n\nAfter.",
      window,
    );
    expect(html).toBe('<p>Logo: <img alt="logo"></p>\n<p>After.</p>\n');
  });
});

describe("sanitizeHtml() on a Plot chart", () => {
  it("keeps every mark, clip path and label of a Plot SVG and drops only its <style>", () => {
    const data = Array.from({ length: 12 }, (_, i) => ({ month: i, revenue: (i * 37) % 100 }));
    const svg = Plot.plot({
      document: window.document,
      width: 400,
      height: 200,
      y: { grid: true, label: "revenue" },
      marks: [
        Plot.barY(data, { x: "month", y: "revenue", fill: "steelblue" }),
        Plot.lineY(data, { x: "month", y: "revenue", clip: true, stroke: "currentColor" }),
        Plot.ruleY([0]),
        Plot.text(data, { x: "month", y: "revenue", text: (d) => `${d.revenue}`, dy: -6 }),
      ],
    });
    const markup = svg.outerHTML;
    expect(markup).toContain("<style>");
    expect(markup).toMatch(/clip-path="url\(#[\w-]+\)"/);

    const output = clean(markup);
    expect(output).not.toContain("<style");
    expect(elements(output)).toEqual(elements(markup).filter((e) => !/^style\b/.test(e)));
    const { document } = new JSDOM(`<body>${output}</body>`).window;
    expect(document.querySelectorAll('g[aria-label="bar"] rect')).toHaveLength(12);
    const clip = document.querySelector("[clip-path]")?.getAttribute("clip-path");
    expect(clip).toMatch(/^url\(#[\w-]+\)$/);
    expect(document.getElementById(clip!.slice(5, -1))?.localName).toBe("clipPath");
    expect([...document.querySelectorAll("text")].map((t) => t.textContent)).toEqual(
      [...svg.querySelectorAll("text")].map((t) => t.textContent),
    );
  });
});
