/**
 * Node's names, which a TS cell does not see. A cell that reads one gets a stand-in that throws
 * `process is not available in a notebook cell` at its first use, so code pasted from a Node
 * script fails at once, and clearly, instead of reaching the machine (`import()` is refused when
 * the cell is compiled, in `tsrefs.ts`).
 *
 * This is a guard against accidents, not a security boundary: `globalThis.process`, indirect
 * `eval` and `(function () {}).constructor` still reach Node. Run only notebooks you trust.
 */
export const HIDDEN_NAMES = [
  "process",
  "require",
  "module",
  "exports",
  "__dirname",
  "__filename",
  "global",
  "Buffer",
] as const;

/** The stand-ins by name, for a cell's scope; the library and named cells take precedence. */
export const HIDDEN: ReadonlyMap<string, unknown> = new Map(
  HIDDEN_NAMES.map((name) => [name, standIn(name)]),
);

function standIn(name: string): unknown {
  const refuse = (): never => {
    throw new Error(`${name} is not available in a notebook cell`);
  };
  // A function target, so that calling it (`require("fs")`, `new Buffer(8)`) is refused too.
  return new Proxy(function () {}, {
    get: refuse,
    set: refuse,
    has: refuse,
    apply: refuse,
    construct: refuse,
    ownKeys: refuse,
    getPrototypeOf: refuse,
    getOwnPropertyDescriptor: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
  });
}
