/** A seeded generator of uniform numbers in [0, 1) (SplitMix32): the same seed, the same stream, on every machine. */
export function randomSource(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new Error(`invalid seed: ${seed} (expected an integer)`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}
