/** Timings of one scenario: per unit of work (an iteration), after a warm-up. */
export interface Measurement {
  /** median milliseconds per unit */
  median: number;
  /** fastest and slowest run, per unit */
  min: number;
  max: number;
  runs: number;
}

/** Run `work` once to warm up, then `runs` times; `work` returns how many units it did. */
export function measure(work: () => number, runs = 5): Measurement {
  work();
  const perUnit: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const units = work();
    perUnit.push((performance.now() - start) / Math.max(1, units));
  }
  return summarise(perUnit);
}

/** As `measure`, for async work. */
export async function measureAsync(work: () => Promise<number>, runs = 5): Promise<Measurement> {
  await work();
  const perUnit: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const units = await work();
    perUnit.push((performance.now() - start) / Math.max(1, units));
  }
  return summarise(perUnit);
}

export function summarise(perUnit: number[]): Measurement {
  const sorted = [...perUnit].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)]!,
    min: sorted[0]!,
    max: sorted.at(-1)!,
    runs: sorted.length,
  };
}
