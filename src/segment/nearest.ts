/**
 * Lloyd's choice for the point at offset `o`: the nearest centre, the lowest-numbered on a tie.
 * Writes the squared distances to it and to the runner-up into `out`.
 *
 * The hottest loop: up to 8 columns the point is held in locals and measured against two centres
 * at a time, which the processor overlaps; `rowDistance` still adds the terms in column order,
 * so every distance is bit for bit the one a plain loop computes.
 */
export function nearest(
  X: Float64Array,
  o: number,
  C: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): number {
  if (d > 8) return nearestAny(X, o, C, k, d, out);
  const x0 = X[o]!;
  const x1 = d > 1 ? X[o + 1]! : 0;
  const x2 = d > 2 ? X[o + 2]! : 0;
  const x3 = d > 3 ? X[o + 3]! : 0;
  const x4 = d > 4 ? X[o + 4]! : 0;
  const x5 = d > 5 ? X[o + 5]! : 0;
  const x6 = d > 6 ? X[o + 6]! : 0;
  const x7 = d > 7 ? X[o + 7]! : 0;
  let best = Infinity;
  let second = Infinity;
  let label = 0;
  for (let c = 0, q = 0; c < k; c += 2, q += 2 * d) {
    const s0 = rowDistance(x0, x1, x2, x3, x4, x5, x6, x7, C, q, d);
    const s1 = c + 1 < k ? rowDistance(x0, x1, x2, x3, x4, x5, x6, x7, C, q + d, d) : Infinity;
    if (s0 < best) {
      second = best;
      best = s0;
      label = c;
    } else if (s0 < second) {
      second = s0;
    }
    if (s1 < best) {
      second = best;
      best = s1;
      label = c + 1;
    } else if (s1 < second) {
      second = s1;
    }
  }
  out[0] = best;
  out[1] = second;
  return label;
}

/** The squared distance from each of the n points to the point at row `p`, into `out`. */
export function distancesTo(
  X: Float64Array,
  n: number,
  d: number,
  p: number,
  out: Float64Array,
): void {
  const o = p * d;
  if (d > 8) {
    for (let i = 0; i < n; i++) out[i] = sqDist(X, i * d, X, o, d);
    return;
  }
  // (p − x)² is (x − p)² exactly, so these are the distances sqDist(X, i·d, X, p·d) gives.
  const x0 = X[o]!;
  const x1 = d > 1 ? X[o + 1]! : 0;
  const x2 = d > 2 ? X[o + 2]! : 0;
  const x3 = d > 3 ? X[o + 3]! : 0;
  const x4 = d > 4 ? X[o + 4]! : 0;
  const x5 = d > 5 ? X[o + 5]! : 0;
  const x6 = d > 6 ? X[o + 6]! : 0;
  const x7 = d > 7 ? X[o + 7]! : 0;
  for (let i = 0, q = 0; i < n; i++, q += d)
    out[i] = rowDistance(x0, x1, x2, x3, x4, x5, x6, x7, X, q, d);
}

/** The squared distance from the point (x0, …) in d ≤ 8 columns to the centre at offset `q`. */
function rowDistance(
  x0: number,
  x1: number,
  x2: number,
  x3: number,
  x4: number,
  x5: number,
  x6: number,
  x7: number,
  C: Float64Array,
  q: number,
  d: number,
): number {
  let s = square(x0 - C[q]!);
  if (d > 1) s += square(x1 - C[q + 1]!);
  if (d > 2) s += square(x2 - C[q + 2]!);
  if (d > 3) s += square(x3 - C[q + 3]!);
  if (d > 4) s += square(x4 - C[q + 4]!);
  if (d > 5) s += square(x5 - C[q + 5]!);
  if (d > 6) s += square(x6 - C[q + 6]!);
  if (d > 7) s += square(x7 - C[q + 7]!);
  return s;
}

function square(v: number): number {
  return v * v;
}

/** `nearest` for any number of columns. */
function nearestAny(
  X: Float64Array,
  o: number,
  C: Float64Array,
  k: number,
  d: number,
  out: Float64Array,
): number {
  let best = Infinity;
  let second = Infinity;
  let label = 0;
  for (let c = 0; c < k; c++) {
    const s = sqDist(X, o, C, c * d, d);
    if (s < best) {
      second = best;
      best = s;
      label = c;
    } else if (s < second) {
      second = s;
    }
  }
  out[0] = best;
  out[1] = second;
  return label;
}

/** Σ (A[a + j] − B[b + j])² over the d columns, added in column order. */
export function sqDist(A: Float64Array, a: number, B: Float64Array, b: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = A[a + j]! - B[b + j]!;
    s += t * t;
  }
  return s;
}
