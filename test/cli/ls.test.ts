/**
 * `stochdyn ls [dir]` (src/cli/ls.ts over src/results/catalog.ts): every
 * result directory of a small output folder of real tiny runs, with its kind,
 * scenario, status and headline numbers read back from the directory's own
 * files; unfinished and corrupt directories listed with the reason; a missing
 * or empty folder is an error with exit code 2.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../src/results/catalog.js';
import { runCli, tempDir } from '../helpers.js';
import { fmt3, makeResultTree, readJson, TREE } from '../report/result-tree.js';

let ROOT: string;
let entries: CatalogEntry[];
const entry = (p: string) => {
  const e = entries.find((x) => x.path === p);
  expect(e, `an entry for ${p}`).toBeDefined();
  return e!;
};

beforeAll(async () => {
  ROOT = await makeResultTree(join(tempDir('ls'), 'output'));
  const r = runCli(['ls', ROOT, '--json']);
  expect(r.status, r.stderr).toBe(0);
  entries = (JSON.parse(r.stdout) as { entries: CatalogEntry[] }).entries;
});

describe('stochdyn ls', () => {
  it('finds every result directory once, and nothing inside one (points, regimes, rungs)', () => {
    expect(entries.map((e) => e.path).sort()).toEqual(Object.values(TREE).sort());
  });

  it('lists newest first', () => {
    const times = entries.map((e) => e.started);
    expect(times.every((t) => t !== null)).toBe(true);
    expect([...times].sort().reverse()).toEqual(times);
    expect(entries.at(-1)!.path).toBe(TREE.interrupted); // started 2026-01-01, before the real runs
  });

  it('a run: kind, scenario, seed, size, wall time, the MFPT with its CI, divergence and the analysis line from summary.json', () => {
    const s = readJson(join(ROOT, TREE.run, 'summary.json'));
    const e = entry(TREE.run);
    expect(e).toMatchObject({
      kind: 'run',
      status: 'complete',
      scenario: 'cli-double-well',
      seed: s.run.seed,
      replicas: 100,
      steps: 1500,
      wallSeconds: s.timing.wallSeconds,
      started: s.timing.startedAt,
      link: 'report.html',
      diverged: s.divergence.count,
    });
    const escape = s.events.escape;
    expect(escape.entered).toBeGreaterThan(0);
    expect(e.events).toEqual([
      { name: 'escape', entered: escape.entered, replicas: 100, mfpt: escape.mfpt.time, ci95: escape.mfpt.ci95Time },
    ]);
    expect(e.headline).toContain(
      `escape MFPT ${fmt3(escape.mfpt.time)} [${fmt3(escape.mfpt.ci95Time[0])}, ${fmt3(escape.mfpt.ci95Time[1])}] (${escape.entered}/100 entered)`,
    );
    expect(e.headline).toContain(`entered); ${s.divergence.count} diverged; first passage`);
    expect(e.analyses).toHaveLength(1);
    expect(e.analyses[0].kind).toBe('first-passage');
    expect(e.headline).toContain(`first passage 'escape': ${escape.entered}/100 entered`);
  });

  it('a sweep: points done of total, the swept key with its range, the phases and the sweep analyses; a point missing makes it incomplete', () => {
    const e = entry(TREE.sweep);
    expect(e).toMatchObject({ kind: 'sweep', status: 'complete', scenario: 'tree-sweep', replicas: 40, steps: 3000, seed: 3 });
    const table = readFileSync(join(ROOT, TREE.sweep, 'sweep.csv'), 'utf8')
      .trim()
      .split('\n');
    const k = table[0].split(',').indexOf('phase');
    const phases: Record<string, number> = {};
    for (const row of table.slice(1)) phases[row.split(',')[k]] = (phases[row.split(',')[k]] ?? 0) + 1;
    expect(Object.keys(phases).length).toBeGreaterThan(0);
    expect(e.sweep).toEqual({
      done: 3,
      total: 3,
      keys: [{ key: 'dynamics.temperature', count: 3, min: 0.3, max: 1.2 }],
      phases,
      boundarySlope: null,
    });
    expect(e.headline).toContain('3/3 points; dynamics.temperature 0.3…1.2 (3); phases ');
    const arrhenius = readJson(join(ROOT, TREE.sweep, 'analyses.json')).analyses[0];
    expect(e.analyses).toEqual([{ kind: 'arrhenius', text: arrhenius.text.split('\n')[0] }]);
    expect(e.headline).toContain(arrhenius.text.split('\n')[0]);
    const p = entry(TREE.partialSweep);
    expect(p).toMatchObject({ status: 'incomplete', link: 'sweep.json', hasReport: false, analyses: [] });
    expect(p.sweep).toMatchObject({ done: 2, total: 3, phases: {} });
    expect(p.detail).toContain('1 of 3 points not done');
  });

  it("regimes: the names and each pair's verdicts as comparison.json has them", () => {
    const c = readJson(join(ROOT, TREE.regimes, 'comparison.json'));
    const rows = c.rows as Array<{ name: string; differs: boolean | null }>;
    const differ = rows.filter((r) => r.differs === true).map((r) => r.name);
    const e = entry(TREE.regimes);
    expect(e).toMatchObject({ kind: 'regimes', status: 'complete', scenario: 'tree-regimes' });
    expect(e.regimes).toEqual({
      names: ['cold', 'hot'],
      baseline: 'cold',
      level: c.level,
      verdicts: [{ a: 'cold', b: 'hot', tested: rows.filter((r) => r.differs !== null).length, differs: differ.length, which: differ }],
    });
    expect(e.headline).toContain(`hot vs cold: ${differ.length} of `);
  });

  it('a replica exchange: rungs, the lowest pair acceptance and the round trips of exchange.json', () => {
    const x = readJson(join(ROOT, TREE.exchange, 'exchange.json'));
    const e = entry(TREE.exchange);
    expect(e).toMatchObject({ kind: 'exchange', status: 'complete', scenario: 'tree-ladder', replicas: 10, steps: 300 });
    expect(e.exchange).toMatchObject({
      key: 'dynamics.temperature',
      rungs: 3,
      values: [0.1, 0.2, 0.4],
      minAcceptance: Math.min(...x.pairs.map((p: { acceptance: number }) => p.acceptance)),
      roundTrips: x.roundTrips.count,
    });
  });

  it('an exchange without exchange.json is incomplete; a run shard says which replicas it holds', () => {
    const x = entry(TREE.unfinishedExchange);
    expect(x).toMatchObject({
      kind: 'exchange',
      status: 'incomplete',
      scenario: 'tree-ladder',
      link: 'scenario.resolved.json',
      replicas: 10,
    });
    expect(x.detail).toMatch(/^no exchange\.json; /);
    const info = readJson(join(ROOT, TREE.shard, 'shard.json'));
    const s = entry(TREE.shard);
    expect(s).toMatchObject({
      kind: 'run-shard',
      status: 'complete',
      scenario: 'cli-double-well',
      link: 'shard.json',
      replicas: info.replicas.count,
    });
    expect(s.headline).toBe(`shard 1/2: replicas 0…${info.replicas.count - 1} of 100`);
  });

  it('unfinished runs are incomplete with what is missing; a corrupt summary.json (of a run, of a sweep point) is unreadable with the reason', () => {
    expect(entry(TREE.interrupted)).toMatchObject({ status: 'incomplete', detail: 'interrupted: results of 50 of 100 replicas' });
    const u = entry(TREE.unfinished);
    expect(u).toMatchObject({ kind: 'run', status: 'incomplete', scenario: 'cli-double-well', link: 'scenario.resolved.json' });
    expect(u.detail).toMatch(/^no summary\.json; resume checkpoint in partial\/ \(1 shard result\(s\), 0 snapshot\(s\)\)/);
    const c = entry(TREE.corrupt);
    expect(c).toMatchObject({ kind: 'run', status: 'unreadable', scenario: 'cli-double-well' });
    expect(c.detail).toMatch(/^summary\.json: not valid JSON \(/);
    const cs = entry(TREE.corruptSweep);
    expect(cs).toMatchObject({ kind: 'sweep', status: 'unreadable', scenario: 'tree-sweep' });
    expect(cs.detail).toMatch(/^points\/1\/summary\.json: not valid JSON \(/);
  });

  it('prints one aligned line per directory: path, kind, scenario, start, status, headline', () => {
    const r = runCli(['ls', ROOT]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^path\s+kind\s+scenario\s+started \(UTC\)\s+status\s+headline$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(entries.map((e) => e.path));
    const run = lines.find((l) => l.startsWith(TREE.run + ' '))!;
    expect(run).toMatch(/\srun\s+cli-double-well\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+complete\s+escape MFPT /);
    expect(lines.find((l) => l.startsWith(TREE.corrupt))).toMatch(/unreadable\s+summary\.json: not valid JSON/);
    expect(lines.find((l) => l.startsWith(TREE.interrupted))).toMatch(
      /incomplete\s+interrupted: results of 50 of 100 replicas; escape MFPT/,
    );
  });

  it('searches 6 levels down, not into hidden folders, and follows a symlink loop only once', () => {
    const deep = join(tempDir('ls-deep'), 'results');
    cpSync(join(ROOT, TREE.run), join(deep, '1/2/3/4/5/6'), { recursive: true });
    cpSync(join(ROOT, TREE.run), join(deep, '1/2/3/4/5/x/7'), { recursive: true });
    cpSync(join(ROOT, TREE.run), join(deep, '.trash/run'), { recursive: true });
    symlinkSync(deep, join(deep, '1', 'loop'));
    const r = runCli(['ls', deep, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { entries: CatalogEntry[] }).entries.map((e) => e.path)).toEqual(['1/2/3/4/5/6']);
  });

  it('--help shows examples', () => {
    const r = runCli(['ls', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: stochdyn ls [options] [dir]');
    expect(r.stdout).toMatch(/Examples:\n {2}\$ stochdyn ls\n/);
  });

  it('defaults to ./output', () => {
    const r = runCli(['ls', '--json'], { cwd: join(ROOT, '..') });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { entries: CatalogEntry[] }).entries.map((e) => e.path)).toEqual(entries.map((e) => e.path));
  });

  it('a folder that does not exist, or holds no result directory, exits 2 and says so', () => {
    const missing = runCli(['ls', join(ROOT, 'no-such-folder')]);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(`${join(ROOT, 'no-such-folder')}: no such directory`);
    const empty = join(tempDir('ls-empty'), 'results');
    mkdirSync(join(empty, 'a', 'b'), { recursive: true });
    const none = runCli(['ls', empty]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/holds no result directory — expected, within 6 levels, a run \(summary\.json/);
  });
});
