/**
 * The content security policies, in one place: the app page's (a <meta> in the built
 * index.html, and a header from `vite preview`), and the notebook frame's (see
 * docs/architecture.md). The build writes them into the pages; tests read them from here.
 */

const policy = (directives: Record<string, string>): string =>
  Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join("; ");

/**
 * The app: its own scripts and WebAssembly (DuckDB, the SQL parser, Parquet), no inline script
 * and no eval; it talks to its own origin only; images are its own or data:/blob:; the only
 * frame it may hold is the notebook frame's page. (Inline styles stay allowed: Svelte and the
 * editor set them; no notebook markup reaches this page.)
 */
export const APP_CSP = policy({
  "default-src": "'self'",
  "script-src": "'self' 'wasm-unsafe-eval'",
  "worker-src": "'self' blob:",
  "connect-src": "'self'",
  "img-src": "'self' data: blob:",
  "style-src": "'self' 'unsafe-inline'",
  "font-src": "'self' data:",
  "frame-src": "'self'",
  "object-src": "'none'",
  "base-uri": "'none'",
  "form-action": "'none'",
});

/**
 * The notebook frame: its own classic scripts, notebook code (eval), its segmentation worker
 * (a blob), inline styles (editors, charts), images from data:/blob: only, and no network of
 * any kind — no fetch, beacon, WebSocket or EventSource, no remote image, font or style, no
 * form, no frame, no plugin.
 */
export const FRAME_CSP = policy({
  "default-src": "'none'",
  "script-src": "'self' 'unsafe-eval'",
  "worker-src": "blob:",
  "style-src": "'self' 'unsafe-inline'",
  "img-src": "data: blob:",
  "media-src": "data: blob:",
  "font-src": "data:",
  "connect-src": "'none'",
  "frame-src": "'none'",
  "object-src": "'none'",
  "form-action": "'none'",
  "base-uri": "'none'",
});
