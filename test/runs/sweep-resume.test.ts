/**
 * The real CLI (dist/src/cli/main.js, built by `npm run build`) on a sweep of
 * 8 points of a fraction of a second each: killed with SIGKILL while paused after its
 * first committed point (STOCHDYN_TEST_PAUSE_AFTER_POINTS, no timing), then
 * resumed to completion, must equal an uninterrupted run (without recomputing finished points); shards 1/2 and 2/2 merged must equal
 * the unsharded run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_MAIN, ROOT, tempDir } from '../helpers.js';

const here = path.join(ROOT, 'test');
const MAIN = CLI_MAIN;
const FIXTURE = path.join(here, 'fixtures', 'sweep', 'resume.yaml');
const BAD = path.join(here, 'fixtures', 'sweep', 'bad-point.yaml');
const POINTS = 8;

let tmp: string;
const env = { ...process.env, NO_COLOR: '1', STOCHDYN_DEBUG: '' };

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const donePoints = (dir: string): number[] =>
  existsSync(path.join(dir, 'points'))
    ? readdirSync(path.join(dir, 'points'))
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .sort((a, b) => a - b)
    : [];

/** Each point's summary.json without timing and run.id, and the derived files as text. */
function snapshot(dir: string) {
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return {
    points: donePoints(dir).map((k) => {
      const s = JSON.parse(read(path.join('points', String(k), 'summary.json')));
      delete s.timing;
      delete s.run.id;
      return JSON.stringify(s);
    }),
    csv: read('sweep.csv'),
    phases: read('phases.csv'),
    boundary: read('phase-boundary.json'),
  };
}

let full: ReturnType<typeof snapshot>;
let fullDir: string;

beforeAll(() => {
  expect(existsSync(MAIN), `${MAIN} is missing: run npm run build`).toBe(true);
  tmp = tempDir('sweep-cli');
  fullDir = path.join(tmp, 'full');
  const r = cli(['sweep', FIXTURE, '--out', fullDir, '--workers', '2', '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`8 points (grid over dynamics.temperature × 4, potential.params.h × 2); 8 run now, 0 already complete`);
  expect(r.stdout).toContain(`output: ${fullDir}`);
  full = snapshot(fullDir);
  expect(full.points).toHaveLength(POINTS);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('stochdyn sweep: killed and resumed', () => {
  it('resumes after SIGKILL to the same results without recomputing finished points', async () => {
    const dir = path.join(tmp, 'resumed');
    const args = ['sweep', FIXTURE, '--out', dir, '--workers', '2', '--quiet'];
    // Event-driven, not timed: the sweep pauses (src/runs/test-pause.ts) right after committing its first
    // point and writes <pause>.reached; it is killed there, so exactly one point is complete whatever the speed.
    const pause = path.join(tmp, 'pause-resume');
    const paused = { ...env, STOCHDYN_TEST_PAUSE_AFTER_POINTS: '1', STOCHDYN_TEST_PAUSE_FILE: pause };
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: paused, stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));
    while (!existsSync(`${pause}.reached`) && !exitedEarly) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    const ex = await exited;
    expect(ex.signal, 'the sweep ended before reaching the pause').toBe('SIGKILL');
    const finished = donePoints(dir);
    expect(finished, 'the sweep pauses after its first committed point').toHaveLength(1);
    // a killed point leaves only its temporary directory, never a partial points/<k>/
    for (const k of finished) expect(existsSync(path.join(dir, 'points', String(k), 'summary.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'sweep.csv'))).toBe(false);
    const mtimes = new Map(finished.map((k) => [k, statSync(path.join(dir, 'points', String(k), 'summary.json')).mtimeMs]));

    const r = cli([...args, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { complete: boolean; points: Array<{ index: number; status: string }> };
    expect(out.complete).toBe(true);
    for (const p of out.points) expect(p.status, `point ${p.index}`).toBe(finished.includes(p.index) ? 'skipped' : 'ran');
    for (const [k, m] of mtimes)
      expect(statSync(path.join(dir, 'points', String(k), 'summary.json')).mtimeMs, `point ${k} was recomputed`).toBe(m);
    expect(readdirSync(path.join(dir, 'points')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);

    const resumed = snapshot(dir);
    expect(resumed.points).toEqual(full.points);
    expect(resumed.csv).toBe(full.csv);
    expect(resumed.phases).toBe(full.phases);
    expect(resumed.boundary).toBe(full.boundary);
  });

  it('refuses to resume a directory made for another scenario, and reports invalid sweeps with exit 2', () => {
    const r = cli(['sweep', FIXTURE, '--out', fullDir, '--seed', '9', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds sweep [0-9a-f]{12} of 'sweep-resume', but this scenario is sweep [0-9a-f]{12}/);
    const bad = cli(['sweep', BAD, '--out', path.join(tmp, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'bad-point.yaml:8: sweep point 2 (potential.params.h = 1, dynamics.temperature = -1): dynamics.temperature: expected a number ≥ 0, found -1.',
    );
    expect(existsSync(path.join(tmp, 'bad'))).toBe(false);
    const none = cli(['sweep', path.join(here, 'fixtures', 'cli', 'double-well-small.yaml'), '--out', path.join(tmp, 'none')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('sweep: expected a mapping of swept keys');
    expect(cli(['sweep', FIXTURE, '--shard', '3/2']).code).toBe(1);
  });
});

describe('stochdyn sweep --shard and stochdyn merge', () => {
  it('shards 1/2 and 2/2 merged equal the unsharded run', () => {
    const a = path.join(tmp, 'shard1'),
      b = path.join(tmp, 'shard2'),
      m = path.join(tmp, 'merged');
    const r1 = cli(['sweep', FIXTURE, '--out', a, '--workers', '2', '--shard', '1/2', '--quiet']);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toContain('(shard 1/2)');
    expect(r1.stdout).toContain('(other shard)');
    expect(donePoints(a)).toEqual([0, 2, 4, 6]);
    expect(existsSync(path.join(a, 'sweep.csv'))).toBe(false);

    const partial = cli(['merge', a, '--out', m]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('4 of 8 points are in none of the directories: 1 (');
    expect(existsSync(m)).toBe(false);

    const r2 = cli(['sweep', FIXTURE, '--out', b, '--workers', '2', '--shard', '2/2', '--quiet']);
    expect(r2.code).toBe(0);
    expect(donePoints(b)).toEqual([1, 3, 5, 7]);

    const mr = cli(['merge', a, b, '--out', m]);
    expect(mr.stderr).toBe('');
    expect(mr.code).toBe(0);
    expect(mr.stdout).toContain('8 points (8 copied)');
    expect(mr.stdout).toContain(`output: ${m}`);
    const merged = snapshot(m);
    expect(merged.csv).toBe(full.csv);
    expect(merged.phases).toBe(full.phases);
    expect(merged.boundary).toBe(full.boundary);
    expect(merged.points).toEqual(full.points);
    expect(readFileSync(path.join(m, 'sweep.json'), 'utf8')).toBe(readFileSync(path.join(fullDir, 'sweep.json'), 'utf8'));
  });
});
