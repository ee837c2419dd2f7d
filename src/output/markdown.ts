import type { WindowLike } from "dompurify";
import { marked } from "marked";
import { sanitizeHtml } from "./sanitize.ts";

/** A notebook's prose as HTML, sanitised: it may come from someone else's notebook. */
export function markdownHtml(source: string, window?: WindowLike): string {
  return sanitizeHtml(marked.parse(source, { async: false }), window);
}
