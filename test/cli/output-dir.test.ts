/**
 * `--out` into a directory that holds something (src/cli/output-dir.ts): run,
 * compare <scenario> and sweep refuse a non-empty directory that is not an
 * unfinished result of the same run (exit 2, nothing written), `--force`
 * clears it first (never a dangerous path), and a sweep directory still resumes.
 *
 *   npm run build && npx vitest run test/cli/output-dir.test.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dangerousToClear, OutputDirError, prepareOutDir } from '../../src/cli/output-dir.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

const SMALL = join(ROOT, 'test', 'fixtures', 'cli', 'double-well-small.yaml');
const REGIMES = join(ROOT, 'test', 'fixtures', 'compare', 'regimes-tiny.yaml');
const SWEEP = join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');
/** A quick run of the small fixture. */
const QUICK = ['--replicas', '100', '--set', 'dynamics.steps=200', '--workers', '0', '--no-report', '-q'];

/** Every file under `dir` with its content, to show that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
      else out[`${prefix}${name}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

/** A directory with the leftovers of another run. */
function staleDir(label: string): string {
  const dir = join(tempDir(label), 'out');
  mkdirSync(dir);
  writeFileSync(join(dir, 'chains.csv'), 'replica,step,w\n0,0,1\n');
  writeFileSync(join(dir, 'extra.txt'), 'not ours\n');
  return dir;
}

describe('dangerousToClear', () => {
  const base = tempDir('danger');
  const home = join(base, 'home');
  const cwd = join(base, 'work', 'here');
  const repository = join(base, 'repo');
  for (const d of [home, cwd, repository, join(base, 'plain'), join(base, 'git', '.git')]) mkdirSync(d, { recursive: true });
  const context = { cwd, home, repository };

  it('names the root, the home directory, the current directory, the repository, what contains them, and git work trees', () => {
    expect(dangerousToClear('/', context)).toMatch(/root of the file system/);
    expect(dangerousToClear(home, context)).toMatch(/home directory/);
    expect(dangerousToClear(cwd, context)).toMatch(/is the current directory/);
    expect(dangerousToClear(join(base, 'work'), context)).toMatch(/contains the current directory/);
    expect(dangerousToClear(repository, context)).toMatch(/stochdyn repository/);
    expect(dangerousToClear(join(base, 'git'), context)).toMatch(/git repository/);
    expect(dangerousToClear(base, context)).toMatch(/contains/);
  });

  it('an ordinary directory, also one inside the current directory, is not dangerous', () => {
    expect(dangerousToClear(join(base, 'plain'), context)).toBeUndefined();
    mkdirSync(join(cwd, 'results'));
    expect(dangerousToClear(join(cwd, 'results'), context)).toBeUndefined();
  });
});

describe('prepareOutDir', () => {
  it('absent and empty directories are used as they are; a file is refused, also with force', () => {
    const base = tempDir('prepare');
    expect(prepareOutDir(join(base, 'new'))).toBe('absent');
    expect(existsSync(join(base, 'new'))).toBe(false);
    mkdirSync(join(base, 'empty'));
    expect(prepareOutDir(join(base, 'empty'))).toBe('empty');
    writeFileSync(join(base, 'file'), 'x');
    expect(() => prepareOutDir(join(base, 'file'))).toThrow(/exists and is not a directory/);
    expect(() => prepareOutDir(join(base, 'file'), { force: true })).toThrow(/never removes a file/);
    expect(readFileSync(join(base, 'file'), 'utf8')).toBe('x');
  });

  it('a non-empty directory: refused with its first entries, accepted when sameRun says so, cleared with force', () => {
    const dir = staleDir('prepare-stale');
    for (let k = 0; k < 6; k++) writeFileSync(join(dir, `f${k}.txt`), '');
    const err = (() => {
      try {
        prepareOutDir(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OutputDirError);
    expect((err as Error).message).toContain(`${dir} is not empty: it holds chains.csv, extra.txt, f0.txt, f1.txt, f2.txt, … (8 entries)`);
    expect((err as Error).message).toMatch(/--force/);
    expect(prepareOutDir(dir, { sameRun: () => true })).toBe('same-run');
    expect(readdirSync(dir)).toHaveLength(8);
    expect(prepareOutDir(dir, { force: true, danger: { cwd: ROOT, home: ROOT, repository: ROOT } })).toBe('cleared');
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('run --out into a non-empty directory', () => {
  it('is refused with exit 2, naming the directory, its contents and --force; nothing changes', () => {
    const dir = staleDir('out-refuse');
    const before = snapshot(dir);
    const r = runCli(['run', SMALL, '--out', dir, ...QUICK]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`the output directory ${dir} is not empty: it holds chains.csv, extra.txt`);
    expect(r.stderr).toMatch(/--force/);
    expect(r.stderr).toMatch(/another --out/);
    expect(r.stdout).toBe('');
    expect(snapshot(dir)).toEqual(before);
  });

  it('--force clears it first: the stale chains.csv and extra.txt are gone, the run is complete', () => {
    const dir = staleDir('out-force');
    const r = runCli(['run', SMALL, '--out', dir, '--force', ...QUICK]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'chains.csv'))).toBe(false);
    expect(existsSync(join(dir, 'extra.txt'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).run.status).toBe('completed');
  });

  it('an unfinished run of the same scenario is run again there; a finished one, or another scenario, is refused', () => {
    const dir = join(tempDir('out-same'), 'run');
    expect(runCli(['run', SMALL, '--out', dir, ...QUICK]).status).toBe(0);
    // Finished: refused (running it again would only repeat it).
    expect(runCli(['run', SMALL, '--out', dir, ...QUICK]).status).toBe(2);
    // Stopped before summary.json was written: the same command completes it.
    rmSync(join(dir, 'summary.json'));
    const again = runCli(['run', SMALL, '--out', dir, ...QUICK]);
    expect(again.status, again.stderr).toBe(0);
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
    // Another seed is another run.
    rmSync(join(dir, 'summary.json'));
    const other = runCli(['run', SMALL, '--out', dir, ...QUICK, '--seed', '99']);
    expect(other.status).toBe(2);
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
  });

  it('--force on the current directory is refused and removes nothing', () => {
    const cwd = tempDir('out-cwd');
    writeFileSync(join(cwd, 'keep.txt'), 'mine\n');
    const r = runCli(['run', SMALL, '--out', '.', '--force', ...QUICK], { cwd });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/refusing --force on .*: it is the current directory/);
    expect(readdirSync(cwd)).toEqual(['keep.txt']);
  });

  it('the default output directory (output/<name>/<run-id>) is never refused', () => {
    const cwd = tempDir('out-default');
    for (let k = 0; k < 2; k++) expect(runCli(['run', SMALL, ...QUICK], { cwd }).status).toBe(0);
    expect(readdirSync(join(cwd, 'output', 'cli-double-well'))).toHaveLength(2);
  });
});

describe('compare <scenario> --out into a non-empty directory', () => {
  const args = ['--replicas', '50', '--set', 'dynamics.steps=300', '--workers', '0', '--no-report', '-q'];
  it('is refused (exit 2, nothing written); --force clears it and runs the regimes', () => {
    const dir = staleDir('regimes-out');
    const before = snapshot(dir);
    const r = runCli(['compare', REGIMES, '--out', dir, ...args]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${dir} is not empty`);
    expect(snapshot(dir)).toEqual(before);
    const f = runCli(['compare', REGIMES, '--out', dir, '--force', ...args]);
    expect(f.status, f.stderr).toBe(0);
    expect(existsSync(join(dir, 'extra.txt'))).toBe(false);
    expect(existsSync(join(dir, 'comparison.json'))).toBe(true);
  });
});

describe('sweep --out', () => {
  const args = ['--replicas', '20', '--set', 'dynamics.steps=100', '--workers', '0', '--no-report', '-q'];
  it('a sweep directory resumes as before; a non-empty other directory is refused with exit 2', () => {
    const dir = join(tempDir('sweep-out'), 'sw');
    const first = runCli(['sweep', SWEEP, '--out', dir, ...args]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/6 run now, 0 already complete/);
    // Take one point away: the same command runs only that one.
    rmSync(join(dir, 'points', '3'), { recursive: true });
    const resumed = runCli(['sweep', SWEEP, '--out', dir, ...args]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/1 run now, 5 already complete/);

    const stale = staleDir('sweep-stale');
    const before = snapshot(stale);
    const refused = runCli(['sweep', SWEEP, '--out', stale, ...args]);
    expect(refused.status, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`${stale} is not empty: it holds chains.csv, extra.txt`);
    expect(snapshot(stale)).toEqual(before);
    const forced = runCli(['sweep', SWEEP, '--out', stale, '--force', ...args]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(existsSync(join(stale, 'extra.txt'))).toBe(false);
    expect(existsSync(join(stale, 'sweep.csv'))).toBe(true);
  });
});
