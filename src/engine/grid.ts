/**
 * Observation time grids over steps 0 … S: linear or log-spaced, unique
 * integer steps, always including 0 and S.
 */
export function timeGrid(kind: 'linear' | 'log', points: number, steps: number): number[] {
  const set = new Set<number>([0, steps]);
  if (kind === 'linear') {
    for (let i = 0; i < points; i++) set.add(Math.round((i * steps) / Math.max(1, points - 1)));
  } else {
    // Log spacing from step 1 to S (0 is added separately).
    const n = Math.max(1, points - 1);
    for (let i = 0; i < n; i++) set.add(Math.round(Math.exp((Math.log(Math.max(1, steps)) * i) / Math.max(1, n - 1))));
  }
  return [...set].filter((s) => s >= 0 && s <= steps).sort((a, b) => a - b);
}
