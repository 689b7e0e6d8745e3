/**
 * Sweep points continue mid-point: a point stopped part-way (SIGINT to the
 * real CLI while it is paused after its first saved shard,
 * STOCHDYN_TEST_PAUSE_AFTER_SHARDS) keeps its saved shard results in
 * points/.resume-<index>/, and the same command continues it from there. The
 * continued sweep must equal an uninterrupted one (every point's summary.json
 * minus timing and run.id, sweep.csv) and leave no .resume-* behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { interruptWhenPaused, runCli, tempDir } from '../helpers.js';

const SWEEP = `name: sweep-checkpoint
seed: 7
potential: { kind: double-well, params: { h: 1.0 } }
dynamics: { integrator: sgld, lr: 1.0e-3, temperature: 0.25, steps: 20000 }
ensemble: { replicas: 4000, init: { kind: point, x: [-1.0] } }
observe:
  grid: { kind: log, points: 20 }
  observables: [x]
  events: [{ name: escape, enter: { x: { ge: 1.0 } } }]
sweep:
  dynamics.temperature: [0.25, 0.3]
`;

let tmp: string;
let file: string;
let full: Record<string, string>;

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = { 'sweep.csv': readFileSync(path.join(dir, 'sweep.csv'), 'utf8') };
  for (const k of [0, 1]) {
    const s = JSON.parse(readFileSync(path.join(dir, 'points', String(k), 'summary.json'), 'utf8'));
    delete s.timing;
    delete s.run.id;
    out[`point ${k}`] = JSON.stringify(s);
    out[`point ${k} finals`] = readFileSync(path.join(dir, 'points', String(k), 'finals.csv'), 'utf8');
  }
  return out;
}

const resumeDirs = (dir: string) => readdirSync(path.join(dir, 'points')).filter((n) => n.startsWith('.resume-'));

beforeAll(() => {
  tmp = tempDir('sweep-checkpoint');
  file = path.join(tmp, 'sweep.yaml');
  writeFileSync(file, SWEEP);
  const r = runCli(['sweep', file, '--out', path.join(tmp, 'full'), '--quiet', '--no-report']);
  expect(r.status, r.stderr).toBe(0);
  full = snapshot(path.join(tmp, 'full'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sweep points continue from their saved shards', () => {
  it('SIGINT in the middle of the points, then the same command: the same sweep, no .resume-* left', async () => {
    const dir = path.join(tmp, 'stopped');
    const pause = path.join(tmp, 'pause');
    const { code, stderr } = await interruptWhenPaused(
      ['sweep', file, '--out', dir, '--quiet', '--no-report'],
      'STOCHDYN_TEST_PAUSE_AFTER_SHARDS',
      pause,
    );
    expect(code, stderr).toBe(130);
    // No point finished (each has 4 shards); at least one kept the shard it had saved.
    expect(existsSync(path.join(dir, 'points', '0', 'summary.json')) && existsSync(path.join(dir, 'points', '1', 'summary.json'))).toBe(
      false,
    );
    const kept = resumeDirs(dir);
    expect(kept.length).toBeGreaterThan(0);
    for (const k of kept) expect(readdirSync(path.join(dir, 'points', k, 'partial')).some((n) => n.endsWith('.bin'))).toBe(true);

    const r = runCli(['sweep', file, '--out', dir, '--quiet', '--no-report']);
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(dir)).toEqual(full);
    expect(resumeDirs(dir)).toEqual([]);
  });
});
