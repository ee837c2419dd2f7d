/** Hand a blob to the browser as a download named `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.click();
  // The browser reads the blob asynchronously; keep the URL alive a moment.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * A name for a file a notebook saves: its own name where that is safe (`by_tier` stays
 * `by_tier.csv`), with anything a file system might refuse made a dash.
 */
export function savedFileName(base: string, ext: string): string {
  const safe = base
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}_.-]+/gu, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return `${safe || "result"}${ext}`;
}
