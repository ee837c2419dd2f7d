/** What a zip entry may be called: plain relative paths only, and the junk that zips carry. */

/** Why `name` is unsafe to extract, or undefined when it is a plain relative path. */
export function unsafeReason(name: string): string | undefined {
  if (name === "" || name === "/") return "an empty name";
  if (hasControl(name)) return "a control character in the name";
  if (name.includes("\\")) return "a backslash in the name";
  if (/^[a-z]:/i.test(name)) return "a drive letter";
  if (name.startsWith("/")) return "an absolute path";
  const segments = (name.endsWith("/") ? name.slice(0, -1) : name).split("/");
  if (segments.includes("..")) return "a path outside the zip";
  if (segments.some((s) => s === "" || s === ".")) return "an empty or . segment in the path";
  return undefined;
}

/**
 * Entries a reader passes over: folders (their files come as entries of their own), and what
 * macOS adds when it compresses a folder (`__MACOSX/` resource forks, `.DS_Store`).
 */
export function isSkipped(name: string): boolean {
  return (
    name.endsWith("/") ||
    name.startsWith("__MACOSX/") ||
    name === ".DS_Store" ||
    name.endsWith("/.DS_Store")
  );
}

/** `name` fit for a one-line message: control characters escaped. */
export function shown(name: string): string {
  return Array.from(name, (c) =>
    isControl(c.charCodeAt(0)) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c,
  ).join("");
}

function hasControl(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (isControl(name.charCodeAt(i))) return true;
  return false;
}

/** C0 and C1 control characters and DEL, NUL included. */
export function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}
