// Builds the native kernels (stochdyn.c) with node-gyp against this Node's own
// headers; nothing is downloaded. Never fails the install: without a compiler,
// headers or node-gyp it says why, and stochdyn runs its WebAssembly and
// TypeScript kernels instead (identical numbers). STOCHDYN_NATIVE_BUILD=0 skips it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const say = (msg) => process.stderr.write(`stochdyn native kernels: ${msg}\n`);

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

function headersDir() {
  if (process.env.npm_config_nodedir && existsSync(join(process.env.npm_config_nodedir, 'include', 'node', 'node_api.h'))) {
    return process.env.npm_config_nodedir;
  }
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** The addon exists and is newer than its sources (and than this Node). */
function upToDate() {
  const out = join(here, 'build', 'Release', 'stochdyn.node');
  if (!existsSync(out) || process.env.STOCHDYN_NATIVE_BUILD === 'force') return false;
  const t = statSync(out).mtimeMs;
  const sources = readdirSync(here)
    .filter((f) => /\.(c|h|inc|gyp)$/.test(f))
    .map((f) => join(here, f));
  return [...sources, process.execPath].every((f) => statSync(f).mtimeMs < t);
}

function main() {
  if (upToDate()) return;
  if (process.env.STOCHDYN_NATIVE_BUILD === '0') return say('not built (STOCHDYN_NATIVE_BUILD=0); the WebAssembly and TypeScript kernels run');
  const gyp = nodeGyp();
  if (!gyp) return say("not built: node-gyp not found (it ships with npm); the WebAssembly and TypeScript kernels run");
  const nodedir = headersDir();
  if (!nodedir) return say(`not built: Node's headers (include/node/node_api.h) not found beside ${process.execPath}; the WebAssembly and TypeScript kernels run`);
  const res = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=error'], {
    cwd: here,
    encoding: 'utf8',
    env: { ...process.env, npm_config_nodedir: nodedir },
  });
  if (res.status !== 0) {
    rmSync(join(here, 'build'), { recursive: true, force: true });
    const why = `${res.stderr ?? ''}${res.stdout ?? ''}`.trim().split('\n').slice(-6).join('\n  ');
    return say(`not built (node-gyp exited with ${res.status ?? res.signal}); the WebAssembly and TypeScript kernels run:\n  ${why}`);
  }
  say(`built ${join('assembly', 'native', 'build', 'Release', 'stochdyn.node')}`);
}

main();
