let parquetModule: Promise<typeof import("parquet-wasm/esm")> | undefined;

/**
 * parquet-wasm's browser build, which reads and writes Parquet: 6 MB of wasm, fetched from our
 * own origin the first time it is needed (a Parquet file loaded, or a result saved as one), and
 * kept for the page or worker that asked.
 */
export function parquetWasm(): Promise<typeof import("parquet-wasm/esm")> {
  parquetModule ??= (async () => {
    const [module, wasm] = await Promise.all([
      import("parquet-wasm/esm"),
      import("parquet-wasm/esm/parquet_wasm_bg.wasm?url"),
    ]);
    await module.default({ module_or_path: wasm.default });
    return module;
  })();
  return parquetModule;
}
