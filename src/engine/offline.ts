/**
 * Keeps DuckDB's worker offline. DuckDB-WASM reads `http(s)://` paths with XMLHttpRequest from
 * inside its worker, and no DuckDB setting turns that off without also turning off registered
 * files, so this module, evaluated before DuckDB's worker code, refuses every request that
 * leaves the app's own origin. A query that names a URL then fails with this message.
 */
const appOrigin = self.location.origin;

function allowed(url: string | URL): boolean {
  const target = new URL(url, self.location.href);
  return target.origin === appOrigin || target.protocol === "blob:" || target.protocol === "data:";
}

function refuse(url: string | URL): never {
  throw new Error(`network access is off in Strata: ${String(url)} was not fetched`);
}

class OfflineXMLHttpRequest extends XMLHttpRequest {
  override open(
    method: string,
    url: string | URL,
    async = true,
    user?: string | null,
    password?: string | null,
  ): void {
    if (!allowed(url)) refuse(url);
    super.open(method, url, async, user, password);
  }
}

const onlineFetch = self.fetch.bind(self);

self.XMLHttpRequest = OfflineXMLHttpRequest;
self.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const url = input instanceof Request ? input.url : input;
  if (!allowed(url)) refuse(url);
  return onlineFetch(input, init);
};
