/**
 * `stochdyn sweep --claim`: several processes share one sweep directory, each
 * taking the next point nobody holds. One of them is stopped in the middle of
 * a claimed point (the STOCHDYN_TEST_PAUSE_CLAIMED hook) and killed; the
 * others take that point over once its lease expired, and the directory ends
 * up equal to an unsharded sweep (sweep.csv, phases.csv, phase-boundary.json
 * byte for byte, every point summary minus timing and run id), with no claim
 * or temporary directory left.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_MAIN, ROOT, runCli, tempDir } from '../helpers.js';

const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');
const SMALL = ['--replicas', '40', '--set', 'dynamics.steps=300', '--workers', '0', '--quiet', '--no-report'];

function snapshot(dir: string) {
  const pointSummaries = readdirSync(path.join(dir, 'points'))
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => {
      const s = JSON.parse(readFileSync(path.join(dir, 'points', n, 'summary.json'), 'utf8'));
      delete s.timing;
      delete s.run.id;
      return s;
    });
  const read = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : null);
  return { csv: read('sweep.csv'), phases: read('phases.csv'), boundary: read('phase-boundary.json'), pointSummaries };
}

/** Run the CLI as a child process; resolves with its exit code and output. */
function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { cwd: ROOT, env: { ...process.env, STOCHDYN_DEBUG: '', ...env } });
  let stdout = '',
    stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stochdyn sweep --claim', () => {
  const tmp = tempDir('sweep-claim');

  it('three processes on one directory, one killed holding a point: the others take it over; results equal the unsharded sweep', async () => {
    const ref = runCli(['sweep', TINY, ...SMALL, '--out', path.join(tmp, 'unsharded')]);
    expect(ref.status, ref.stderr).toBe(0);

    const out = path.join(tmp, 'shared');
    const pause = path.join(tmp, 'pause');
    const claimArgs = ['sweep', TINY, ...SMALL, '--claim', '--lease', '2', '--out', out, '--json'];
    // The victim stops in the middle of its first claimed point, holding the claim, and is killed there.
    const victim = start(claimArgs, { STOCHDYN_TEST_PAUSE_CLAIMED: '1', STOCHDYN_TEST_PAUSE_FILE: pause });
    while (!existsSync(`${pause}.reached`)) {
      if (victim.child.exitCode !== null) throw new Error(`the paused process ended early: ${(await victim.done).stderr}`);
      await sleep(20);
    }
    const held = readdirSync(path.join(out, 'points', '.claims')).filter((n) => n.endsWith('.lock'));
    expect(held).toHaveLength(1);
    const killedPoint = Number(held[0].replace('.lock', ''));
    expect(existsSync(path.join(out, 'points', String(killedPoint), 'summary.json'))).toBe(false);
    victim.child.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');

    const others = await Promise.all([start(claimArgs).done, start(claimArgs).done]);
    const statuses: string[][] = [];
    for (const r of others) {
      expect(r.code, r.stderr).toBe(0);
      const o = JSON.parse(r.stdout) as { complete: boolean; points: { index: number; status: string }[] };
      expect(o.complete).toBe(true);
      statuses.push(o.points.map((p) => p.status));
    }
    // every point ran in one of the two (the victim committed none), the killed one included
    const ranSomewhere = [0, 1, 2, 3, 4, 5].filter((i) => statuses.some((s) => s[i] === 'ran'));
    expect(ranSomewhere).toEqual([0, 1, 2, 3, 4, 5]);
    expect(statuses.some((s) => s[killedPoint] === 'ran')).toBe(true);

    expect(snapshot(out)).toEqual(snapshot(path.join(tmp, 'unsharded')));
    // nothing left of the claims or the killed process's point directory
    expect(readdirSync(path.join(out, 'points', '.claims'))).toEqual([]);
    expect(readdirSync(path.join(out, 'points')).filter((n) => n.startsWith('.claimed-') || n.startsWith('.tmp-'))).toEqual([]);
  });

  it('--claim with --shard or --force, or a bad --lease, is a usage error', () => {
    const a = runCli(['sweep', TINY, ...SMALL, '--claim', '--shard', '1/2', '--out', path.join(tmp, 'x')]);
    expect(a.status).toBe(1);
    expect(a.stderr).toContain('--claim and --shard do not go together');
    const b = runCli(['sweep', TINY, ...SMALL, '--claim', '--lease', '0', '--out', path.join(tmp, 'x')]);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain("--lease must be a number of seconds > 0, found '0'");
    const c = runCli(['sweep', TINY, ...SMALL, '--claim', '--force', '--out', path.join(tmp, 'x')]);
    expect(c.status).toBe(1);
    expect(c.stderr).toContain('--claim and --force do not go together');
    expect(existsSync(path.join(tmp, 'x'))).toBe(false);
  });
});
