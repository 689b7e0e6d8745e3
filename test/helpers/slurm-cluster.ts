/**
 * A private single-node Slurm cluster for the end-to-end test of `stochdyn
 * slurm`: one slurmctld and one slurmd on this machine, every file (config,
 * state, spool, logs, pid files) in one temporary folder, ports chosen free,
 * no authentication, no cgroups, no accounting. Needs the Debian packages
 * slurmctld, slurmd and slurm-client, and root (the daemons run as the
 * current user; jobs run as root).
 *
 * `startSlurmCluster()` returns once the node is idle; `stop()` cancels what is
 * left, shuts the controller down and ends the two daemons it started (by the
 * pids in their pid files), then deletes the folder. The clients (sbatch,
 * scontrol, …) find the cluster through SLURM_CONF in `env`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const BINARIES = ['slurmctld', 'slurmd', 'sbatch', 'scontrol', 'sinfo', 'squeue', 'scancel'];
export const SLURM_INSTALL = 'apt-get install -y --no-install-recommends slurmctld slurmd slurm-client';

export interface SlurmCluster {
  /** The temporary folder (slurm.conf, state, spool, logs). */
  dir: string;
  /** The node's name (hostname -s). */
  node: string;
  /** process.env with SLURM_CONF pointing at this cluster: pass it to every Slurm client and to stochdyn slurm. */
  env: NodeJS.ProcessEnv;
  /** Run a Slurm client command against this cluster; its stdout. Throws with stderr when it fails. */
  client(cmd: string, args: string[]): string;
  /** Wait until every job (or array task) with this id has ended; its states (e.g. ['COMPLETED', 'FAILED']). */
  waitForJob(id: string): Promise<string[]>;
  stop(): void;
}

/** The Slurm binaries missing from PATH. */
export function missingSlurmBinaries(): string[] {
  return BINARIES.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' }).status !== 0);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const n = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

const tail = (file: string, lines = 15) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no log)';

/** Job states that do not change any more. */
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY']);

export async function startSlurmCluster(): Promise<SlurmCluster> {
  const missing = missingSlurmBinaries();
  if (missing.length)
    throw new Error(
      `Slurm is not installed here (missing from PATH: ${missing.join(', ')}); the end-to-end Slurm test needs a private single-node cluster: ${SLURM_INSTALL} (Debian, as root)`,
    );
  const node = execFileSync('hostname', ['-s'], { encoding: 'utf8' }).trim();
  const hw = execFileSync('slurmd', ['-C'], { encoding: 'utf8' })
    .split('\n')[0]
    .replace(/^NodeName=\S+\s*/, '');
  const user = userInfo().username;
  const dir = mkdtempSync(join(tmpdir(), 'stochdyn-slurm-'));
  for (const d of ['state', 'spool', 'log', 'run']) mkdirSync(join(dir, d));
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  const ctldPid = join(dir, 'run', 'slurmctld.pid');
  const dPid = join(dir, 'run', 'slurmd.pid');
  const ctldLog = join(dir, 'log', 'slurmctld.log');
  const dLog = join(dir, 'log', 'slurmd.log');
  writeFileSync(
    conf,
    [
      'ClusterName=local',
      `SlurmctldHost=${node}(127.0.0.1)`,
      `SlurmUser=${user}`,
      `SlurmdUser=${user}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${ctldPid}`,
      `SlurmdPidFile=${dPid}`,
      `SlurmctldLogFile=${ctldLog}`,
      `SlurmdLogFile=${dLog}`,
      'AuthType=auth/none',
      'CredType=cred/none',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'MpiDefault=none',
      'MailProg=/bin/true',
      // A failed array cancels the job that depends on it (afterok) instead of leaving it pending forever.
      'DependencyParameters=kill_invalid_depend',
      // Finished jobs stay visible to scontrol show job for an hour.
      'MinJobAge=3600',
      `NodeName=${node} NodeAddr=127.0.0.1 ${hw}`,
      `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };
  // No scheduler variables of an outer job leak into this cluster's clients.
  for (const k of Object.keys(env)) if (k.startsWith('SLURM_') && k !== 'SLURM_CONF') delete env[k];

  const client = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit code ${r.status}): ${r.stderr.trim()}`);
    return r.stdout;
  };

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    const pids = [readPid(ctldPid), readPid(dPid)];
    try {
      const jobs = spawnSync('squeue', ['-h', '-o', '%i'], { encoding: 'utf8', env }).stdout?.trim();
      if (jobs) spawnSync('scancel', jobs.split(/\s+/), { env });
      spawnSync('scontrol', ['shutdown'], { env });
    } finally {
      // The controller and slurmd end on shutdown; anything still there is sent TERM, then KILL — only these two pids.
      const deadline = Date.now() + 5000;
      while (pids.some(alive) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
      for (const pid of pids) if (alive(pid)) process.kill(pid!, 'SIGTERM');
      const deadline2 = Date.now() + 3000;
      while (pids.some(alive) && Date.now() < deadline2) spawnSync('sleep', ['0.1']);
      for (const pid of pids) if (alive(pid)) process.kill(pid!, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  };

  try {
    const c = spawnSync('slurmctld', ['-f', conf], { encoding: 'utf8', env });
    if (c.status !== 0) throw new Error(`slurmctld did not start (exit code ${c.status}): ${c.stderr.trim()}\n${tail(ctldLog)}`);
    const d = spawnSync('slurmd', ['-f', conf, '-N', node], { encoding: 'utf8', env });
    if (d.status !== 0) throw new Error(`slurmd did not start (exit code ${d.status}): ${d.stderr.trim()}\n${tail(dLog)}`);
    // Until the node is idle; a daemon that dies meanwhile is an error with its log.
    for (;;) {
      const state = spawnSync('sinfo', ['-h', '-n', node, '-o', '%t'], { encoding: 'utf8', env }).stdout?.trim();
      if (state === 'idle') break;
      for (const [name, pidFile, log] of [
        ['slurmctld', ctldPid, ctldLog],
        ['slurmd', dPid, dLog],
      ])
        if (existsSync(pidFile) && !alive(readPid(pidFile))) throw new Error(`${name} stopped while starting:\n${tail(log)}`);
      await sleep(200);
    }
  } catch (e) {
    stop();
    throw e;
  }

  const waitForJob = async (id: string): Promise<string[]> => {
    for (;;) {
      const r = spawnSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8', env });
      if (r.status !== 0) throw new Error(`scontrol show job ${id} failed: ${r.stderr.trim()}`);
      const states = r.stdout
        .trim()
        .split('\n')
        .map((l) => /\bJobState=(\S+)/.exec(l)?.[1] ?? '?');
      if (states.length && states.every((s) => ENDED.has(s))) return states;
      if (!alive(readPid(ctldPid))) throw new Error(`slurmctld stopped while job ${id} ran:\n${tail(ctldLog)}`);
      await sleep(500);
    }
  };

  return { dir, node, env, client, waitForJob, stop };
}
