import createDOMPurify, {
  type Config,
  type DOMPurify,
  type UponSanitizeAttributeHookEvent,
  type WindowLike,
} from "dompurify";

/**
 * Untrusted HTML made safe to show: a colleague's notebook prose, a chart's markup. What is left
 * cannot run script, submit anything, frame anything, restyle the page, or load anything from
 * the network when it is opened. `window` is the DOM to parse in: the page's by default; in Node,
 * pass jsdom's.
 */
export function sanitizeHtml(
  html: string,
  window: WindowLike | undefined = globalThis.window,
): string {
  if (!window)
    throw new Error("sanitizeHtml: no window to parse HTML in (outside the browser, pass jsdom's)");
  return purifierFor(window).sanitize(html, CONFIG);
}

const CONFIG: Config = {
  USE_PROFILES: { html: true, svg: true, svgFilters: true },
  FORBID_TAGS: [
    "script",
    "style",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "portal",
  ],
  // srcset is dropped rather than rewritten: its data: candidates contain commas, so it cannot
  // be split reliably, and `src` carries the data: or blob: image that may stay.
  FORBID_ATTR: [
    "style",
    "srcset",
    "imagesrcset",
    "action",
    "formaction",
    "ping",
    "background",
    "target",
  ],
  // The hooks below decide which URLs stay; this is DOMPurify's own check on every attribute,
  // widened only by blob: and data: (which the hooks confine to media). javascript:, vbscript:,
  // file: and other schemes fail it.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto|data|blob):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
};

/** One DOMPurify per window, with the URL hooks added to it alone (the default instance stays as it is). */
const purifiers = new WeakMap<WindowLike, DOMPurify>();

function purifierFor(window: WindowLike): DOMPurify {
  let purify = purifiers.get(window);
  if (!purify) {
    purify = createDOMPurify(window);
    // An unsupported DOMPurify returns its input as it is: refuse rather than pass HTML through.
    if (!purify.isSupported)
      throw new Error("sanitizeHtml: this window lacks the DOM that DOMPurify needs");
    purify.addHook("uponSanitizeAttribute", (node, event) => checkAttribute(node, event));
    purify.addHook("afterSanitizeAttributes", (node) => {
      if (!(node instanceof window.Element) || !LINK_TAGS.has(node.localName)) return;
      const href = node.getAttribute("href") ?? node.getAttribute("xlink:href");
      if (href !== null && urlKind(href) === "remote")
        node.setAttribute("rel", "noopener noreferrer");
    });
    purifiers.set(window, purify);
  }
  return purify;
}

/** What a URL would reach: the document itself, this site, a blob or data URL, or elsewhere. */
type UrlKind = "fragment" | "relative" | "data" | "blob" | "remote" | "other";

function urlKind(raw: string): UrlKind {
  // Browsers drop control characters and spaces around a URL, and tabs and newlines within it
  // ("java\tscript:"); dropping them everywhere can only make a URL look less harmless.
  const url = Array.from(raw)
    .filter((c) => c.charCodeAt(0) > 0x20)
    .join("");
  if (url.startsWith("#")) return "fragment";
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return /^[\\/]{2}/.test(url) ? "other" : "relative";
  if (scheme === "data" || scheme === "blob") return scheme;
  return scheme === "https" || scheme === "http" || scheme === "mailto" ? "remote" : "other";
}

/**
 * Which URLs each attribute may keep:
 * - links (`<a>`, `<area>` href, `cite`): this document, this site, and web or mail addresses —
 *   a link loads nothing until it is followed (external ones get rel="noopener noreferrer");
 * - media (`src`, `poster`, the href of SVG `<image>` and `<feImage>`): data: and blob: only.
 *   A relative URL would load from the app's own origin on open, so it goes too;
 * - any other URL (SVG `<use>`, gradients, `<textPath>`, `usemap`…): a `#fragment` only.
 */
const LINK_TAGS = new Set(["a", "area"]);
const IMAGE_TAGS = new Set(["image", "feimage"]);
const LINK_KINDS = new Set<UrlKind>(["fragment", "relative", "remote"]);
const MEDIA_KINDS = new Set<UrlKind>(["data", "blob"]);
const OTHER_KINDS = new Set<UrlKind>(["fragment"]);
const URL_ATTRIBUTES = new Set([
  "href",
  "xlink:href",
  "src",
  "poster",
  "cite",
  "usemap",
  "data",
  "longdesc",
  "lowsrc",
  "dynsrc",
  "manifest",
  "codebase",
  "archive",
  "classid",
  "profile",
  "icon",
  "xml:base",
]);

/**
 * Attributes read as CSS, where `url(…)` loads a resource: SVG presentation attributes, and the
 * values an SVG animation gives them. Only references into the document itself, `url(#id)` —
 * Plot's clip paths and gradients — stay.
 */
const CSS_ATTRIBUTES = new Set([
  "fill",
  "stroke",
  "clip-path",
  "mask",
  "filter",
  "marker",
  "marker-start",
  "marker-mid",
  "marker-end",
  "cursor",
  "values",
  "from",
  "to",
  "by",
]);
const LOCAL_REFERENCE = /url\(\s*(["']?)#[\w.:-]+\1\s*\)/gi;
// After the local references: another url(), image-set() and friends, quoted URLs, schemes,
// and CSS escapes (which could spell any of these).
const LOADS = /url\s*\(|image|["':\\]/i;

function checkAttribute(node: Element, event: UponSanitizeAttributeHookEvent): void {
  const name = event.attrName;
  const value = event.attrValue;
  if (CSS_ATTRIBUTES.has(name)) {
    if (LOADS.test(value.replace(LOCAL_REFERENCE, ""))) event.keepAttr = false;
    return;
  }
  if (!URL_ATTRIBUTES.has(name)) return;
  const tag = node.localName.toLowerCase();
  const kind = urlKind(value);
  const media =
    name === "src" || name === "poster" || (IMAGE_TAGS.has(tag) && name.endsWith("href"));
  const link = (LINK_TAGS.has(tag) && name.endsWith("href")) || name === "cite";
  const allowed = media ? MEDIA_KINDS : link ? LINK_KINDS : OTHER_KINDS;
  if (!allowed.has(kind)) event.keepAttr = false;
}
