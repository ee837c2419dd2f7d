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
