import js from "@eslint/js";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";

/**
 * The layers: app → runtime → (charts, output) → engine, notebook, segment; cli → runtime,
 * output, engine, notebook. Each folder of src/ imports only the folders listed (and itself);
 * workspace/ (browser storage, zips) sits beside the runtime, used by the app and the CLI.
 */
const LAYERS = {
  app: ["runtime", "charts", "output", "workspace", "engine", "notebook"],
  cli: ["runtime", "output", "workspace", "engine", "notebook"],
  runtime: ["charts", "output", "engine", "notebook", "segment"],
  workspace: ["engine", "notebook"],
  charts: ["engine", "notebook", "segment"],
  output: ["engine", "notebook", "segment"],
  engine: [],
  notebook: [],
  segment: [],
};

/**
 * `no-restricted-imports` for static imports and re-exports, and `no-restricted-syntax` for
 * `import("…")`, which the first rule does not see; `regex` is matched against the specifier.
 */
function restrictImports(regex, message) {
  // esquery reads a regex up to the first "/", so the selector spells "/" as \x2F.
  const selector = regex.replaceAll("/", "\\x2F");
  return {
    "no-restricted-imports": ["error", { patterns: [{ regex, message }] }],
    "no-restricted-syntax": [
      "error",
      { selector: `ImportExpression[source.value=/${selector}/]`, message },
    ],
  };
}

const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => ({
  files: [`src/${folder}/**`],
  rules: restrictImports(
    allowed.length > 0 ? `^\\.\\./(?!(?:${allowed.join("|")})/)` : "^\\.\\./",
    allowed.length > 0
      ? `src/${folder}/ imports only from ${allowed.map((f) => `src/${f}/`).join(", ")} (see LAYERS in eslint.config.js)`
      : `src/${folder}/ imports nothing of ours outside its own folder (see LAYERS in eslint.config.js)`,
  ),
}));

/** A folder inside a layer (src/app/frame/) imports its own layer by `../`, the others by `../../`. */
const nestedLayerRules = Object.entries(LAYERS).map(([folder, allowed]) => ({
  files: [`src/${folder}/*/**`],
  rules: restrictImports(
    allowed.length > 0 ? `^\\.\\./\\.\\./(?!(?:${allowed.join("|")})/)` : "^\\.\\./\\.\\./",
    allowed.length > 0
      ? `src/${folder}/ imports only from ${allowed.map((f) => `src/${f}/`).join(", ")} (see LAYERS in eslint.config.js)`
      : `src/${folder}/ imports nothing of ours outside its own folder (see LAYERS in eslint.config.js)`,
  ),
}));

export default ts.config(
  { ignores: ["dist/", "node_modules/", "test/output/*/"] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  { languageOptions: { globals: { ...globals.browser, ...globals.node } } },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // Session state is replaced wholesale ($state.raw, as STYLE.md asks), never mutated in place,
    // so plain Maps and Sets are right there; the rule cannot see that.
    files: ["src/app/**/*.svelte.ts"],
    rules: { "svelte/prefer-svelte-reactivity": "off" },
  },
  ...layerRules,
  ...nestedLayerRules,
  {
    // The entry point mounts the app (no folder of src/ may import it; see LAYERS), not the CLI.
    files: ["src/*.ts"],
    rules: restrictImports("^\\./cli/", "only bin/ and the tests import src/cli/"),
  },
  {
    files: ["bin/**"],
    rules: restrictImports(
      "(^|/)src/app/",
      "only src/main.ts and the tests import src/app/, the top layer",
    ),
  },
  {
    files: ["bench/**", "scripts/**", "*.js", "*.ts"],
    rules: restrictImports(
      "(^|/)src/(app|cli)/",
      "only src/main.ts and the tests import src/app/; only bin/ and the tests import src/cli/",
    ),
  },
  {
    // The build writes the app's security policies into the pages it makes.
    files: ["vite.config.ts"],
    rules: restrictImports(
      "(^|/)src/(app/(?!csp\\.ts$)|cli/)",
      "vite.config.ts imports only src/app/csp.ts of the app, and nothing of src/cli/",
    ),
  },
  {
    rules: {
      "no-empty": ["error", { allowEmptyCatch: false }],
      "@typescript-eslint/no-explicit-any": "error",
      // Dropping fields with a rest pattern (`const { points, ...rest } = result`) is intended.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
);
