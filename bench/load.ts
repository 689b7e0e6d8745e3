/**
 * Load and memory benchmark. Every case runs in
 * its own child process, so the peak RSS reported is that case's alone:
 * the child is started with a preload (`--import data:…`) that prints
 * `process.resourceUsage().maxRSS` (getrusage: the whole process, worker
 * threads included — workers are threads of the same process) on exit.
 *
 *  (a) `millionReplicas`: a 1-D double-well run with 1,000,000 replicas through
 *      the real CLI (`stochdyn run … --workers W`), with default observables,
 *      a histogram, an event, finals.csv (10⁶ rows) and report.html; wall time,
 *      the run's own time (summary.json timing) and peak RSS. Target < 1 GiB.
 *  (b) `traceMemory`: the same grid with 10× the steps (10,000 replicas,
 *      10⁴ vs 10⁵ steps, 100 log-grid points): peak RSS must be flat, since
 *      the recorders hold O(grid points × observables) trace state.
 *  (c) `sweepLoad`: a sweep of N tiny points (4 replicas × 100 steps, a
 *      `linear` range over dynamics.temperature). In-process (`runSweep` in a
 *      driver child): wall time, points/s, peak RSS, and leaks — active
 *      resources (`process.getActiveResourcesInfo()`), OS threads
 *      (/proc/self/task, i.e. live worker threads) and open file descriptors
 *      (/proc/self/fd) before and after. Through the CLI: that the process
 *      exits on its own (no handle left open), its wall time and peak RSS.
 *      Also the cost of validating the sweep (loadScenario) and per point of
 *      a worker start (runEnsemble with 1 worker vs in-process).
 *
 * Standalone: `node dist/bench/load.js [--million] [--trace] [--sweep N]
 * [--replicas N] [--json]` (no case flag: all three, sweep of 10,000 points).
 * The lead wires `runLoadBench` / `formatLoadTable` into bench/run.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** The package root: dist/bench/load.js → ../.. */
function root(): string {
  return join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
}
const cliPath = () => join(root(), 'dist', 'src', 'cli', 'main.js');
const selfPath = () => fileURLToPath(import.meta.url);

/** Preload that reports the child's peak RSS (bytes) on stderr when it exits. */
const RSS_MARK = '@@load-maxrss=';
const PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent(
    // Worker threads inherit --import: report from the main thread only (at its exit, the process's peak).
    `import { isMainThread } from 'node:worker_threads'; if (isMainThread) process.on('exit', () => { process.stderr.write('\\n${RSS_MARK}' + process.resourceUsage().maxRSS * 1024 + '\\n'); });`,
  );

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Wall time of the child, s. */
  wallSeconds: number;
  /** Peak RSS of the child (whole process, worker threads included), bytes; NaN if not reported. */
  peakRss: number;
  stdout: string;
  stderr: string;
  /** The child did not exit within the timeout and was killed. */
  timedOut: boolean;
}

/** Run `node <args>` with the peak-RSS preload; kill it after `timeoutMs`. */
export function runChild(args: string[], timeoutMs = 30 * 60_000, cwd = root()): Promise<ChildResult> {
  return new Promise((resolveP, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', PRELOAD, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // The largest figure reported (there is one: the main thread's).
      const marks = [...stderr.matchAll(new RegExp(`${RSS_MARK}(\\d+)`, 'g'))].map((m) => Number(m[1]));
      resolveP({
        code,
        signal,
        wallSeconds: (performance.now() - t0) / 1000,
        peakRss: marks.length > 0 ? Math.max(...marks) : Number.NaN,
        stdout,
        stderr: stderr.replace(new RegExp(`\\n?${RSS_MARK}\\d+\\n?`, 'g'), ''),
        timedOut,
      });
    });
  });
}

function doubleWell(name: string, replicas: number, steps: number, observe: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name,
    seed: 7,
    potential: { kind: 'double-well', params: { h: 1.0 } },
    dynamics: { integrator: 'sgld', lr: 1.0e-3, temperature: 0.25, steps },
    ensemble: { replicas, init: { kind: 'point', x: [-1.0] } },
    observe,
    ...extra,
  };
}

/** The quickstart's observation block (observables, histogram, escape event; finals on by default). */
const QUICKSTART_OBSERVE = {
  grid: { kind: 'log', points: 100 },
  observables: ['x', 'energy', 'well'],
  histograms: [{ of: 'x', bins: 80, range: [-2.0, 2.0] }],
  events: [{ name: 'escape', enter: { x: { ge: 1.0 } } }],
};

function writeScenario(dir: string, file: string, doc: unknown): string {
  const f = join(dir, file);
  writeFileSync(f, JSON.stringify(doc, null, 2) + '\n'); // JSON is YAML
  return f;
}

function readSummary(dir: string): { wallSeconds: number; replicaStepsPerSecond: number; status?: string } | null {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    return { wallSeconds: s.timing.wallSeconds, replicaStepsPerSecond: s.timing.replicaStepsPerSecond, status: s.run?.status };
  } catch {
    return null;
  }
}

function fail(what: string, r: ChildResult): never {
  throw new Error(`${what}: exit ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}\n${r.stderr.slice(-4000)}`);
}

// ---------------------------------------------------------------- (a) 10⁶ replicas

export interface MillionResult {
  case: string;
  replicas: number;
  steps: number;
  workers: number;
  report: boolean;
  wallSeconds: number;
  /** The run itself (summary.json timing), without start-up, output files and report. */
  runSeconds: number;
  replicaStepsPerSecond: number;
  peakRss: number;
  finalsBytes: number;
  underTarget: boolean;
}

export interface MillionOptions {
  replicas?: number;
  steps?: number;
  workers?: number;
  /** Write report.html too (the CLI default). Default true. */
  report?: boolean;
}

/** (a) `stochdyn run` of the quickstart double well with 10⁶ replicas, in a child process. */
export async function millionReplicas(o: MillionOptions = {}): Promise<MillionResult> {
  const replicas = o.replicas ?? 1_000_000;
  const steps = o.steps ?? 1_000;
  const workers = o.workers ?? 2;
  const report = o.report ?? true;
  const tmp = mkdtempSync(join(tmpdir(), 'stochdyn-load-'));
  try {
    const file = writeScenario(
      tmp,
      'million.yaml',
      doubleWell('load-million', replicas, steps, QUICKSTART_OBSERVE, {
        theory: [
          { kind: 'gibbs', of: 'x' },
          { kind: 'mfpt-1d', event: 'escape', from: -1.0, to: 1.0 },
        ],
      }),
    );
    const out = join(tmp, 'out');
    const args = [cliPath(), 'run', file, '--out', out, '--workers', String(workers), '--quiet', ...(report ? [] : ['--no-report'])];
    const r = await runChild(args);
    if (r.code !== 0) fail(`run of ${replicas} replicas`, r);
    const s = readSummary(out);
    let finalsBytes = 0;
    try {
      finalsBytes = readFileSync(join(out, 'finals.csv')).length;
    } catch {
      /* no finals */
    }
    return {
      case: `${replicas.toLocaleString('en-US')} replicas × ${steps} steps, ${workers} worker(s)${report ? '' : ', --no-report'}`,
      replicas,
      steps,
      workers,
      report,
      wallSeconds: r.wallSeconds,
      runSeconds: s?.wallSeconds ?? Number.NaN,
      replicaStepsPerSecond: s?.replicaStepsPerSecond ?? Number.NaN,
      peakRss: r.peakRss,
      finalsBytes,
      underTarget: r.peakRss < GiB,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- (b) trace memory vs steps

export interface TraceMemoryRow {
  steps: number;
  replicas: number;
  gridPoints: number;
  wallSeconds: number;
  peakRss: number;
}

export interface TraceMemoryResult {
  rows: TraceMemoryRow[];
  /** Peak RSS of the longest run over the shortest. */
  ratio: number;
}

/** (b) Same replicas and grid, 10^4 and 10^5 steps (by default): peak RSS must not grow with the steps. */
export async function traceMemory(o: { replicas?: number; steps?: number[]; workers?: number } = {}): Promise<TraceMemoryResult> {
  const replicas = o.replicas ?? 10_000;
  const stepsList = o.steps ?? [10_000, 100_000];
  const workers = o.workers ?? 2;
  const tmp = mkdtempSync(join(tmpdir(), 'stochdyn-load-'));
  const rows: TraceMemoryRow[] = [];
  try {
    for (const steps of stepsList) {
      const observe = {
        ...QUICKSTART_OBSERVE,
        histograms: [...QUICKSTART_OBSERVE.histograms, { of: 'x', bins: 80, range: [-2.0, 2.0], at: 'grid' }],
      };
      const file = writeScenario(tmp, `trace-${steps}.yaml`, doubleWell('load-trace', replicas, steps, observe));
      const out = join(tmp, `out-${steps}`);
      const r = await runChild([cliPath(), 'run', file, '--out', out, '--workers', String(workers), '--quiet', '--no-report']);
      if (r.code !== 0) fail(`trace run with ${steps} steps`, r);
      rows.push({ steps, replicas, gridPoints: QUICKSTART_OBSERVE.grid.points, wallSeconds: r.wallSeconds, peakRss: r.peakRss });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { rows, ratio: rows[rows.length - 1].peakRss / rows[0].peakRss };
}

// ---------------------------------------------------------------- (c) sweep of tiny points

/** What the in-process sweep driver reports (printed as JSON by the child). */
export interface SweepProbe {
  points: number;
  /** loadScenario of the file (parse, validate, expand the sweep). */
  loadSeconds: number;
  /** runSweep: checks every point, runs them, writes sweep.csv. */
  sweepSeconds: number;
  pointsPerSecond: number;
  complete: boolean;
  ran: number;
  before: ResourceSnapshot;
  after: ResourceSnapshot;
  /** After a 1 s pause (timers, worker exits that finish asynchronously). */
  settled: ResourceSnapshot;
  /** Mean seconds per tiny run: runEnsemble in-process vs on one worker thread (a worker start each). */
  perRunInProcess: number;
  perRunOneWorker: number;
  /** The same sweep with `workers: 0` (every point in the driver's thread). */
  sweepSecondsInThread: number;
  afterInThread: ResourceSnapshot;
}

export interface ResourceSnapshot {
  resources: Record<string, number>;
  threads: number;
  fds: number;
  rss: number;
}

function snapshot(): ResourceSnapshot {
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  const count = (d: string) => {
    try {
      return readdirSync(d).length;
    } catch {
      return Number.NaN;
    }
  };
  return { resources, threads: count('/proc/self/task'), fds: count('/proc/self/fd'), rss: process.memoryUsage().rss };
}

function sweepDoc(points: number, list: boolean) {
  const temps = { linear: { from: 0.05, to: 0.5, points } };
  const values = Array.from({ length: points }, (_, i) => +(0.05 + (0.45 * i) / Math.max(1, points - 1)).toPrecision(12));
  return doubleWell(
    'load-sweep',
    4,
    100,
    {
      grid: { kind: 'linear', points: 5 },
      observables: ['x', 'energy'],
      histograms: [{ of: 'x', bins: 20, range: [-2.0, 2.0] }],
      events: [{ name: 'escape', enter: { x: { ge: 1.0 } } }],
    },
    { sweep: { 'dynamics.temperature': list ? values : temps } },
  );
}

/** Child side of (c): run the sweep in this process and print a SweepProbe as JSON. */
async function sweepChild(file: string, out: string, workers: number): Promise<void> {
  const { loadScenario } = await import('../src/scenario/index.js');
  const { runSweep } = await import('../src/runs/sweep.js');
  const { runEnsemble } = await import('../src/parallel/run.js');
  // Per-run cost of a tiny run in-process and on one worker (first call warms up).
  const tiny = await loadScenario(file);
  const { sweep: _sweep, ...noSweep } = tiny;
  const one = { ...noSweep } as typeof tiny;
  const timeRuns = async (w: number, n: number) => {
    await runEnsemble(one, { workers: w });
    const t = performance.now();
    for (let i = 0; i < n; i++) await runEnsemble(one, { workers: w, run: i });
    return (performance.now() - t) / 1000 / n;
  };
  const perRunInProcess = await timeRuns(0, 200);
  const perRunOneWorker = await timeRuns(1, 50);
  await new Promise((r) => setTimeout(r, 500));
  const before = snapshot();
  let t = performance.now();
  const s = await loadScenario(file);
  const loadSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const o = await runSweep(s, { out, workers, quiet: true });
  const sweepSeconds = (performance.now() - t) / 1000;
  const after = snapshot();
  await new Promise((r) => setTimeout(r, 1000));
  const settled = snapshot();
  // The same sweep with every point in this thread (no worker starts): what a worker-free path for tiny points costs.
  t = performance.now();
  await runSweep(s, { out: out + '-w0', workers: 0, quiet: true });
  const sweepSecondsInThread = (performance.now() - t) / 1000;
  const afterInThread = snapshot();
  const probe: SweepProbe = {
    points: o.points.length,
    loadSeconds,
    sweepSeconds,
    pointsPerSecond: o.points.length / sweepSeconds,
    complete: o.complete,
    ran: o.points.filter((p) => p.status === 'ran').length,
    before,
    after,
    settled,
    perRunInProcess,
    perRunOneWorker,
    sweepSecondsInThread,
    afterInThread,
  };
  process.stdout.write(JSON.stringify(probe) + '\n');
}

export interface SweepLoadResult {
  points: number;
  workers: number;
  inProcess: SweepProbe & { peakRss: number; wallSeconds: number };
  cli: { wallSeconds: number; peakRss: number; exitedOnItsOwn: boolean; code: number | null; pointDirs: number } | null;
  /** loadScenario of the same sweep written as an explicit list of values. */
  listLoadSeconds: number;
}

/**
 * (c) A sweep of `points` tiny points: in-process (leak check) and through the
 * CLI (exits on its own within `timeoutMs`).
 */
export async function sweepLoad(
  o: { points?: number; workers?: number; cli?: boolean; timeoutMs?: number } = {},
): Promise<SweepLoadResult> {
  const points = o.points ?? 10_000;
  const workers = o.workers ?? 2;
  const tmp = mkdtempSync(join(tmpdir(), 'stochdyn-load-'));
  try {
    const file = writeScenario(tmp, 'sweep.yaml', sweepDoc(points, false));
    const listFile = writeScenario(tmp, 'sweep-list.yaml', sweepDoc(points, true));
    const r = await runChild([selfPath(), '--child-sweep', file, join(tmp, 'in-process'), String(workers)], o.timeoutMs);
    if (r.code !== 0) fail(`in-process sweep of ${points} points`, r);
    const probe = JSON.parse(r.stdout.trim().split('\n').pop()!) as SweepProbe;
    const lr = await runChild([
      '--input-type=module',
      '-e',
      `import { loadScenario } from ${JSON.stringify(pathToFileURL(join(root(), 'dist', 'src', 'scenario', 'index.js')).href)}; const t = performance.now(); await loadScenario(${JSON.stringify(listFile)}); console.log((performance.now() - t) / 1000);`,
    ]);
    const listLoadSeconds = lr.code === 0 ? Number(lr.stdout.trim()) : Number.NaN;
    let cli: SweepLoadResult['cli'] = null;
    if (o.cli ?? true) {
      const out = join(tmp, 'cli');
      const c = await runChild([cliPath(), 'sweep', file, '--out', out, '--workers', String(workers), '--quiet'], o.timeoutMs);
      let pointDirs = 0;
      try {
        pointDirs = readdirSync(join(out, 'points')).filter((n) => !n.startsWith('.')).length;
      } catch {
        /* none */
      }
      cli = { wallSeconds: c.wallSeconds, peakRss: c.peakRss, exitedOnItsOwn: !c.timedOut, code: c.code, pointDirs };
    }
    return { points, workers, inProcess: { ...probe, peakRss: r.peakRss, wallSeconds: r.wallSeconds }, cli, listLoadSeconds };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- all cases, table

export interface LoadBenchOptions {
  million?: boolean;
  trace?: boolean;
  /** Sweep points (0 = skip the sweep case). */
  sweep?: number;
  replicas?: number;
}

export interface LoadBenchResult {
  million: MillionResult[];
  trace: TraceMemoryResult | null;
  sweep: SweepLoadResult | null;
}

export async function runLoadBench(o: LoadBenchOptions = {}): Promise<LoadBenchResult> {
  const million: MillionResult[] = [];
  if (o.million ?? true) {
    for (const workers of [2, 0]) million.push(await millionReplicas({ replicas: o.replicas, workers }));
    million.push(await millionReplicas({ replicas: o.replicas, workers: 2, report: false }));
  }
  const trace = (o.trace ?? true) ? await traceMemory() : null;
  const sweep = (o.sweep ?? 10_000) > 0 ? await sweepLoad({ points: o.sweep ?? 10_000 }) : null;
  return { million, trace, sweep };
}

const mb = (b: number) => (Number.isFinite(b) ? `${(b / MiB).toFixed(0)} MiB` : '—');
const sec = (s: number) => (Number.isFinite(s) ? `${s.toFixed(1)} s` : '—');
const res = (s: ResourceSnapshot) =>
  `${
    Object.entries(s.resources)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ') || 'none'
  }; threads ${s.threads}; fds ${s.fds}`;

/** Markdown table of the figures (the note's / README's table). */
export function formatLoadTable(r: LoadBenchResult): string {
  const lines = ['| case | wall | run | peak RSS | target < 1 GiB |', '|---|---|---|---|---|'];
  for (const m of r.million)
    lines.push(
      `| ${m.case} | ${sec(m.wallSeconds)} | ${sec(m.runSeconds)} (${m.replicaStepsPerSecond.toExponential(2)} replica-steps/s) | ${mb(m.peakRss)} | ${m.underTarget ? 'yes' : '**no**'} |`,
    );
  if (r.trace) {
    for (const t of r.trace.rows)
      lines.push(
        `| trace memory: ${t.replicas.toLocaleString('en-US')} replicas × ${t.steps.toLocaleString('en-US')} steps, ${t.gridPoints} grid points | ${sec(t.wallSeconds)} | | ${mb(t.peakRss)} | |`,
      );
    lines.push(`| trace memory: peak RSS ratio, 10× the steps | | | ${r.trace.ratio.toFixed(3)} | |`);
  }
  if (r.sweep) {
    const s = r.sweep;
    const p = s.inProcess;
    lines.push(
      `| sweep of ${s.points.toLocaleString('en-US')} tiny points (4 replicas × 100 steps), in-process runSweep, ${s.workers} workers | ${sec(p.wallSeconds)} | ${sec(p.sweepSeconds)} (${p.pointsPerSecond.toFixed(1)} points/s; validation ${sec(p.loadSeconds)}) | ${mb(p.peakRss)} | ${p.peakRss < GiB ? 'yes' : '**no**'} |`,
    );
    lines.push(
      `| same sweep, in-process runSweep, \`workers: 0\` (no worker threads) | | ${sec(p.sweepSecondsInThread)} (${(s.points / p.sweepSecondsInThread).toFixed(1)} points/s) | | |`,
    );
    if (s.cli)
      lines.push(
        `| same sweep through \`stochdyn sweep --workers ${s.workers} --quiet\` | ${sec(s.cli.wallSeconds)} | exit ${s.cli.code}${s.cli.exitedOnItsOwn ? ', exited on its own' : ', **killed after the timeout**'}; ${s.cli.pointDirs} point dirs | ${mb(s.cli.peakRss)} | ${s.cli.peakRss < GiB ? 'yes' : '**no**'} |`,
      );
    lines.push(
      '',
      `Sweep resources before: ${res(p.before)}`,
      `after runSweep returned: ${res(p.after)}`,
      `1 s later: ${res(p.settled)}`,
      `after the workers: 0 sweep: ${res(p.afterInThread)}`,
    );
    lines.push(
      `Validation (loadScenario) of the sweep: ${sec(p.loadSeconds)} as a linear range, ${sec(s.listLoadSeconds)} as a list of ${s.points.toLocaleString('en-US')} values.`,
      `Tiny run (4 × 100): ${(p.perRunInProcess * 1000).toFixed(2)} ms in-process, ${(p.perRunOneWorker * 1000).toFixed(1)} ms on one worker thread (a new worker per run).`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- standalone

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child-sweep') return sweepChild(argv[1], argv[2], Number(argv[3]));
  const has = (f: string) => argv.includes(f);
  const val = (f: string) => (has(f) ? Number(argv[argv.indexOf(f) + 1]) : undefined);
  const any = has('--million') || has('--trace') || has('--sweep');
  const result = await runLoadBench({
    million: !any || has('--million'),
    trace: !any || has('--trace'),
    sweep: !any ? 10_000 : has('--sweep') ? (val('--sweep') ?? 10_000) : 0,
    replicas: val('--replicas'),
  });
  process.stdout.write(has('--json') ? JSON.stringify(result, null, 2) + '\n' : formatLoadTable(result) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
