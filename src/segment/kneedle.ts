export type Curve = "convex" | "concave";
export type Direction = "decreasing" | "increasing";

/**
 * The knee (or elbow) of a curve by Kneedle (Satopää, Albrecht, Irwin & Raghavan, 2011), offline,
 * first knee: normalise to [0, 1], turn the curve so its knee is a maximum of the difference
 * curve y − x, and take the first local maximum after which the difference falls below its
 * threshold (the maximum minus S times the mean x step). Returns the x of the knee, or undefined.
 */
export function kneedle(
  x: readonly number[],
  y: readonly number[],
  options: { curve?: Curve; direction?: Direction; sensitivity?: number } = {},
): number | undefined {
  const curve = options.curve ?? "convex";
  const direction = options.direction ?? "decreasing";
  const S = options.sensitivity ?? 1;
  const n = x.length;
  if (n !== y.length) throw new Error(`invalid curve: ${n} x values and ${y.length} y values`);
  if (n < 3) return undefined;
  const xn = normalise(x);
  let yn = normalise(y);
  if (direction === "decreasing") {
    if (curve === "concave") yn = [...yn].reverse();
    else yn = yn.map((v) => 1 - v);
  } else if (curve === "convex") {
    yn = yn.map((v) => 1 - v).reverse();
  }
  const diff = yn.map((v, i) => v - xn[i]!);
  const maxima = extrema(diff, (a, b) => a >= b);
  const minima = new Set(extrema(diff, (a, b) => a <= b));
  if (maxima.length === 0) return undefined;
  const step = Math.abs(mean(xn.slice(1).map((v, i) => v - xn[i]!)));
  const thresholds = new Map(maxima.map((i) => [i, diff[i]! - S * step]));
  let threshold = 0;
  let thresholdIndex = 0;
  for (let i = maxima[0]!; i < n - 1; i++) {
    if (xn[i] === 1) break;
    if (thresholds.has(i)) {
      threshold = thresholds.get(i)!;
      thresholdIndex = i;
    }
    if (minima.has(i)) threshold = 0;
    if (diff[i + 1]! < threshold) {
      const flipped =
        (curve === "convex" && direction === "increasing") ||
        (curve === "concave" && direction === "decreasing");
      return flipped ? x[n - 1 - thresholdIndex] : x[thresholdIndex];
    }
  }
  return undefined;
}

function normalise(values: readonly number[]): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => (max === min ? 0 : (v - min) / (max - min)));
}

/** Indices where `better(v, neighbour)` holds against both neighbours (an edge compares with itself). */
function extrema(values: number[], better: (a: number, b: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const left = values[Math.max(0, i - 1)]!;
    const right = values[Math.min(values.length - 1, i + 1)]!;
    if (better(values[i]!, left) && better(values[i]!, right)) out.push(i);
  }
  return out;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
