const SVG = "http://www.w3.org/2000/svg";

/** A legend entry: a coloured swatch and its text. */
export interface LegendItem {
  label: string;
  color: string;
}

export interface FigureOptions {
  document: Document;
  title: string;
  subtitle?: string;
  /** what the reader should know about how it was drawn (sampling, binning, partial data) */
  caption?: string;
  legend?: LegendItem[];
  /** Plot SVGs, laid out left to right, wrapping at `width` */
  panels: SVGSVGElement[];
  width: number;
}

/**
 * One self-contained SVG: title, subtitle, legend, the panels and a caption. Keeping the legend
 * and words inside the SVG means an exported chart (SVG or PNG) is the whole chart. Text is
 * `currentColor`, so it follows the page's theme; an export sets the colour it needs.
 */
export function figure(options: FigureOptions): SVGSVGElement {
  const { document, width } = options;
  const root = document.createElementNS(SVG, "svg");
  setAttributes(root, {
    width,
    "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "font-size": 10,
    fill: "currentColor",
    class: "strata-chart",
  });
  let y = 0;
  y += 18;
  root.append(text(document, options.title, { x: 0, y, "font-size": 14, "font-weight": 600 }));
  if (options.subtitle) {
    y += 16;
    root.append(
      text(document, options.subtitle, { x: 0, y, "font-size": 11, "fill-opacity": 0.75 }),
    );
  }
  if (options.legend && options.legend.length > 0) {
    y += 10;
    let x = 0;
    y += 12;
    for (const item of options.legend) {
      const w = 16 + item.label.length * 6 + 14;
      if (x > 0 && x + w > width) {
        x = 0;
        y += 16;
      }
      const g = element(document, "g", { transform: `translate(${x},${y})` });
      g.append(
        element(document, "rect", { x: 0, y: -9, width: 10, height: 10, rx: 2, fill: item.color }),
      );
      g.append(text(document, item.label, { x: 15, y: 0, "font-size": 11 }));
      root.append(g);
      x += w;
    }
  }
  y += 10;
  let x = 0;
  let rowHeight = 0;
  for (const panel of options.panels) {
    const w = Number(panel.getAttribute("width"));
    const h = Number(panel.getAttribute("height"));
    if (x > 0 && x + w > width) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    panel.setAttribute("x", String(x));
    panel.setAttribute("y", String(y));
    root.append(panel);
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  y += rowHeight;
  if (options.caption) {
    for (const line of wrap(options.caption, Math.floor(width / 5.6))) {
      y += 14;
      root.append(text(document, line, { x: 0, y, "font-size": 10.5, "fill-opacity": 0.7 }));
    }
  }
  y += 6;
  root.setAttribute("height", String(y));
  root.setAttribute("viewBox", `0 0 ${width} ${y}`);
  return root;
}

function element(
  document: Document,
  name: string,
  attributes: Record<string, string | number>,
): SVGElement {
  const node = document.createElementNS(SVG, name);
  setAttributes(node, attributes);
  return node;
}

function setAttributes(node: Element, attributes: Record<string, string | number>): void {
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
}

function text(
  document: Document,
  content: string,
  attributes: Record<string, string | number>,
): SVGElement {
  const node = element(document, "text", attributes);
  node.textContent = content;
  return node;
}

/** Break text into lines of at most `width` characters, at spaces. */
function wrap(content: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of content.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
