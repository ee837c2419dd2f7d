const SVG = "http://www.w3.org/2000/svg";

export interface ExportOptions {
  /** the colour `currentColor` text and axes take in the file (default near-black) */
  color?: string;
  /** a background to paint behind the chart (default: transparent for SVG, white for PNG) */
  background?: string;
}

/**
 * A chart as a standalone SVG file: namespaced, with the colour it was drawn in fixed (charts use
 * `currentColor` to follow the page's theme, which a file outside the page does not have).
 */
export function svgMarkup(svg: SVGSVGElement, options: ExportOptions = {}): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("color", options.color ?? "#1c1f24");
  copy.style.color = options.color ?? "#1c1f24";
  if (options.background) copy.style.background = options.background;
  // The serializer of the chart's own window: the page's, or jsdom's when drawn in Node.
  const view = svg.ownerDocument.defaultView;
  const markup = view
    ? new view.XMLSerializer().serializeToString(copy)
    : copy.outerHTML.replace(/^<svg/, `<svg xmlns="${SVG}"`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${markup}\n`;
}

/** A chart as a PNG image (browser only: it draws the SVG on a canvas), at `scale` × its size. */
export async function pngBlob(
  svg: SVGSVGElement,
  options: ExportOptions & { scale?: number } = {},
): Promise<Blob> {
  const width = Number(svg.getAttribute("width"));
  const height = Number(svg.getAttribute("height"));
  const scale = options.scale ?? 2;
  const url = URL.createObjectURL(new Blob([svgMarkup(svg, options)], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    const context = canvas.getContext("2d");
    if (!context)
      throw new Error("this browser cannot draw on a canvas, so the PNG cannot be made");
    context.fillStyle = options.background ?? "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error("the PNG could not be encoded"))),
        "image/png",
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
