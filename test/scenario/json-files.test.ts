/**
 * A `.json` scenario is read as strict JSON (a YAML parser would accept a
 * trailing comma, a comment or an unquoted key in it); the error names the
 * line and column. The same text in a `.yaml` file is YAML.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError } from '../../src/scenario/index.js';
import { tempDir } from '../helpers.js';

const VALID = `{
  "name": "json-file",
  "potential": { "kind": "double-well", "params": { "h": 1 } },
  "dynamics": { "integrator": "sgld", "lr": 0.001, "temperature": 0.25, "steps": 10 },
  "ensemble": { "replicas": 4 }
}
`;
// The same document with a trailing comma after "steps": 10 (line 4).
const TRAILING = VALID.replace('"steps": 10 }', '"steps": 10, }');

function write(name: string, text: string): string {
  const file = join(tempDir('json-files'), name);
  writeFileSync(file, text);
  return file;
}

describe('.json scenario files', () => {
  it('a valid JSON file loads', async () => {
    const s = await loadScenario(write('ok.json', VALID));
    expect(s.name).toBe('json-file');
    expect(s.dynamics.steps).toBe(10);
  });

  it('a trailing comma is an error with the line and column, not accepted as YAML', async () => {
    const error = await loadScenario(write('comma.json', TRAILING)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    const [issue] = (error as ScenarioError).issues;
    expect(issue.expected).toContain('valid JSON');
    expect(issue.line).toBe(4);
    const column = TRAILING.split('\n')[3].indexOf('}') + 1;
    expect(issue.found).toContain(`(line 4, column ${column})`);
  });

  it('the same text in a .yaml file is YAML, which allows the trailing comma (negative control)', async () => {
    const s = await loadScenario(write('comma.yaml', TRAILING));
    expect(s.dynamics.steps).toBe(10);
  });
});
