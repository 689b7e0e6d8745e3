/**
 * report.html of a replica-exchange directory (src/report/exchange.ts): written
 * by `stochdyn run` at the end of an exchange run and by `stochdyn report
 * <exchange-dir>`; it holds the acceptance of every neighbour pair and the
 * round trips from exchange.json, the adaptation rounds, the four exchange
 * plots, links to each rung's report, and nothing external.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

const fmt = (v: number, digits = 4) => Number(v.toPrecision(digits)).toString();

describe('exchange report', () => {
  it('stochdyn run writes report.html with the pair acceptances of exchange.json; stochdyn report rewrites it', () => {
    const dir = tempDir('exchange-report');
    const file = join(dir, 'ladder.yaml');
    writeFileSync(
      file,
      [
        'name: report-ladder',
        'seed: 4',
        'potential: { kind: harmonic, params: { k: [1, 1] } }',
        'dynamics: { integrator: sgld, lr: 0.01, temperature: 0.1, steps: 3000 }',
        'ensemble: { replicas: 40 }',
        'observe: { grid: { kind: linear, points: 4 }, observables: [energy, x0] }',
        'exchange: { key: dynamics.temperature, rungs: [0.1, 0.13, 0.2, 2], interval: 50, adapt: { rounds: 2, steps: 200 } }',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const r = runCli(['run', file, '--out', out, '--workers', '0', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const exchange = JSON.parse(readFileSync(join(out, 'exchange.json'), 'utf8'));
    const check = () => {
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).toContain('report-ladder — replica exchange');
      for (const p of exchange.pairs) {
        expect(html).toContain(`<td>${p.rungs[0]}–${p.rungs[1]}</td>`);
        expect(html).toContain(`<td>${fmt(p.acceptance)}</td>`);
        expect(html).toContain(`<td>${p.accepted}</td><td>${p.attempted}</td>`);
      }
      expect(html).toContain(`<td>${exchange.roundTrips.count}</td>`);
      for (const h of exchange.adaptation.history)
        expect(html).toContain(h.pairs.map((p: { acceptance: number }) => fmt(p.acceptance, 3)).join(', '));
      for (const kind of ['exchange-acceptance', 'exchange-ladder', 'exchange-adaptation', 'exchange-walkers'])
        expect(html).toMatch(new RegExp(`<figure class="plot" data-kind="${kind}"[^>]*><svg`));
      for (let k = 0; k < 4; k++) expect(html).toContain(`<a href="rungs/${k}/report.html">`);
      expect(html.match(/https?:\/\/(?!www\.w3\.org)/g), 'no external references').toBeNull();
      expect(html.match(/<script|<link|<img|<iframe|\bsrc=/gi)).toBeNull();
    };
    for (let k = 0; k < 4; k++) expect(existsSync(join(out, 'rungs', String(k), 'report.html'))).toBe(true);
    check();
    // walkers.csv: the start row plus one row per exchange round (59 rounds of 50 steps before step 3000).
    const walkers = readFileSync(join(out, 'walkers.csv'), 'utf8').trim().split('\n');
    expect(walkers[0]).toBe('round,step,walker_0,walker_1,walker_2,walker_3');
    expect(walkers).toHaveLength(1 + 60);

    rmSync(join(out, 'report.html'));
    rmSync(join(out, 'rungs', '2', 'report.html'));
    const rep = runCli(['report', out]);
    expect(rep.status, rep.stderr).toBe(0);
    expect(rep.stdout.trim()).toBe(join(out, 'report.html'));
    expect(existsSync(join(out, 'rungs', '2', 'report.html'))).toBe(true);
    check();
  });
});
