/** Where the URL points: a notebook by id, or nowhere in particular. */
export type Route = { kind: "notebook"; id: string } | { kind: "none" };

const NOTEBOOK = /^#\/nb\/([0-9a-zA-Z_-]{1,64})$/;

export function parseHash(hash: string): Route {
  const match = NOTEBOOK.exec(hash);
  return match ? { kind: "notebook", id: match[1]! } : { kind: "none" };
}

export function hashFor(id: string): string {
  return `#/nb/${id}`;
}
