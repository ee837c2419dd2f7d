// `npm test`: every stage runs, even when an earlier one fails, so that a unit failure still
// shows the browser results; the exit status is non-zero when any stage failed.
import { spawnSync } from "node:child_process";

const STAGES = [
  ["types", ["run", "check"]],
  ["lint", ["run", "lint"]],
  ["unit tests", ["run", "test:unit"]],
  ["browser tests", ["run", "test:e2e"]],
];

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const results = [];
for (const [name, args] of STAGES) {
  const started = Date.now();
  const { status, error } = spawnSync(npm, args, { stdio: "inherit" });
  const seconds = Math.round((Date.now() - started) / 1000);
  results.push({ name, ok: status === 0 && !error, seconds });
}

process.stdout.write("\nnpm test:\n");
for (const { name, ok, seconds } of results)
  process.stdout.write(`  ${ok ? "passed" : "FAILED"}  ${name} (${seconds} s)\n`);
const failed = results.filter((r) => !r.ok).map((r) => r.name);
if (failed.length > 0) {
  process.stdout.write(
    `\n${failed.length} of ${results.length} stages failed: ${failed.join(", ")}\n`,
  );
  process.exit(1);
}
