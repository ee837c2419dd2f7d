// The notebook frame loads no wasm: it asks the app to parse SQL (RuntimeOptions.sqlReferences).
// The frame's build puts this module where the parser's would be.
export function init(): Promise<never> {
  return Promise.reject(new Error("the notebook frame has no SQL parser: the app parses SQL"));
}

export function parse(): never {
  throw new Error("the notebook frame has no SQL parser: the app parses SQL");
}
