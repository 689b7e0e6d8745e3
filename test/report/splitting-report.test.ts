/**
 * report.html of a run with a `splitting:` section (src/report/splitting.ts,
 * src/report/plots/splitting.ts): a real tiny run — the double well at
 * θ = 0.25 with a brute-force ensemble, the `escape` event, the `mfpt-1d`
 * overlay and AMS — written to a directory; the page must show p(B before A)
 * with its interval, MFPT and rate with theirs, the relative variance and the
 * replica-steps, the MFPT beside brute-force first passage and the exact
 * integral with the z-scores computed from summary.json, and the two figures
 * (p̂ per repetition, the MFPT estimates). Without brute force or theory,
 * those rows are absent. Seeds fixed; no statistical claim is tested here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/html.js';
import { fmt } from '../../src/report/plots/common.js';
import { runScenario } from '../../src/runs/run.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import type { Summary } from '../../src/analysis/summary.js';
import { tempDir } from '../helpers.js';

function scenario(withBruteForce: boolean) {
  return validateScenarioObject(
    {
      name: 'report-splitting',
      seed: 4,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.25, steps: withBruteForce ? 20000 : 10 },
      ensemble: { replicas: withBruteForce ? 300 : 2, init: { kind: 'point', x: [-1] } },
      observe: { grid: { kind: 'linear', points: 10 }, events: [{ name: 'escape', enter: { x: { ge: 1 } } }], finals: false },
      theory: withBruteForce ? [{ kind: 'mfpt-1d', event: 'escape', from: -1, to: 1 }] : [],
      splitting: {
        from: { x: { le: -0.9 } },
        to: 'escape',
        coordinate: { expression: '2*x + 1' },
        walkers: 40,
        repetitions: 5,
        initial: { level: -0.6 },
      },
    },
    'inline',
  );
}

/** The page's text with tags removed and entities decoded. */
const text = (html: string) =>
  html
    .replace(/<svg[\s\S]*?<\/svg>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');

describe('report.html of a splitting run', () => {
  it('shows p, MFPT and rate with CIs, the relative variance and the cost, beside brute force and the exact integral, with two figures', async () => {
    const dir = join(tempDir('report-split-'), 'run');
    await runScenario(scenario(true), { out: dir, workers: 0 });
    const html = readFileSync(await writeReport(dir), 'utf8');
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
    const sp = s.splitting!;
    const page = text(html);
    const ci = (c: [number, number]) => `${fmt(c[0])} – ${fmt(c[1])}`;
    expect(page).toContain('Rare-event splitting (AMS)');
    expect(page).toContain('reaction coordinate ξ = 2*x + 1');
    expect(page).toContain(
      `p = P(B before A | first crossing of z₀) ${fmt(sp.probability.mean)} ${fmt(sp.probability.se, 2)} ${ci(sp.probability.ci95)}`,
    );
    expect(page).toContain(`MFPT A → B (time) ${fmt(sp.mfpt.mean)} ${fmt(sp.mfpt.se, 2)} ${ci(sp.mfpt.ci95)}`);
    expect(page).toContain(`rate 1/MFPT (per time) ${fmt(sp.rate.mean)} ${fmt(sp.rate.se, 2)} ${ci(sp.rate.ci95)}`);
    expect(page).toContain(`Var(p̂)/p̄² of one repetition ${fmt(sp.relativeVariance, 3)}`);
    expect(page).toContain(`replica-steps (AMS) ${fmt(sp.replicaSteps, 3)}`);
    expect(page).toContain(`same relative error ${fmt(sp.bruteForceSteps, 3)}`);
    // Beside brute force (z with the combined SE) and the exact integral (z with AMS's SE).
    const bf = s.events.escape;
    expect(bf.entered).toBeGreaterThan(0);
    const bfSe = (bf.mfpt.ci95Time![1] - bf.mfpt.ci95Time![0]) / 3.92;
    const zBf = (sp.mfpt.mean - bf.mfpt.time!) / Math.hypot(sp.mfpt.se, bfSe);
    expect(page).toContain(`brute force (first passage) ${fmt(bf.mfpt.time)} ${fmt(bfSe, 2)} ${ci(bf.mfpt.ci95Time!)}`);
    expect(page).toContain(`${fmt(zBf, 2)} event 'escape': ${bf.entered} of ${bf.replicas} replicas entered`);
    const exact = (s.theory as Array<{ kind: string; exactTime: number; kramersTime: number }>).find((t) => t.kind === 'mfpt-1d')!;
    expect(page).toContain(
      `exact MFPT integral (mfpt-1d) ${fmt(exact.exactTime)} — — ${fmt(sp.mfpt.mean / exact.exactTime, 3)} ${fmt((sp.mfpt.mean - exact.exactTime) / sp.mfpt.se, 2)}`,
    );
    expect(page).toContain(`Kramers ${fmt(exact.kramersTime)}`);
    // The figures: p̂ per repetition and the MFPT estimates, rendered.
    const figures = html.match(/<figure class="plot" data-kind="splitting"[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(2);
    expect(figures.every((f) => f.includes('<svg'))).toBe(true);
    expect(figures[0]).toContain('AMS estimate per repetition');
    expect(figures[1]).toContain('MFPT A → B');
    expect(html).not.toContain('class="error"');
  });

  it('without brute-force passages or theory, only the splitting estimates are shown', async () => {
    const dir = join(tempDir('report-split-'), 'run');
    await runScenario(scenario(false), { out: dir, workers: 0 });
    const page = text(readFileSync(await writeReport(dir), 'utf8'));
    expect(page).toContain('MFPT A → B (time)');
    expect(page).not.toContain('brute force (first passage)');
    expect(page).not.toContain('exact MFPT integral');
  });
});
