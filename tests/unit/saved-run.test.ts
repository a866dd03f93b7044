// Saved tuning runs end to end through the CLI on the tiny random model: `rapt tune --save DIR`
// writes run.json and peft.safetensors (and refuses to overwrite them); `rapt attack --kind
// attribute --run DIR` reads that run's states, taking model, task and budget from it; a token
// attack with --run attacks the run's setting (model, task, mechanism, budget and text length from
// run.json; its tensors are not read) and names the run; a flag the run contradicts, a missing
// folder and a damaged state file are refused with messages naming them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '../../src/lib/model/checkpoint/safetensors';
import { rapt } from './helpers/sweep-files';

describe('rapt tune --save and rapt attack --run (tiny random model)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rapt-saved-run-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });
  const tuneArgs = (dir: string) => ['tune', '--model', 'static/models/tiny-random', '--task', 'sotu-party', '--mechanism', 'dchi', '--eta', '50', '--steps', '3', '--train-limit', '16', '--eval-limit', '8', '--max-length', '16', '--batch', '4', '--prompt-length', '4', '--save', dir];

  it('saves a run, refuses to overwrite it, and the attribute attack reads its states', async () => {
    const dir = join(tmp, 'run1');
    const t = await rapt(tuneArgs(dir));
    expect(t.code, t.stderr).toBe(0);
    const result = JSON.parse(t.stdout);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))).toEqual(result);
    const state = readSafetensors(readFileSync(join(dir, 'peft.safetensors')));
    expect(state.metadata).toMatchObject({ peft_method: 'prompt', task: 'sotu-party' });
    expect(Object.keys(state.tensors)).toEqual(['soft_prompt']);
    expect(state.tensors.soft_prompt.shape).toEqual([4, 32]);

    const again = await rapt(tuneArgs(dir));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`--save ${dir} already holds a run (run.json); choose a new folder, nothing was overwritten`);

    const a = await rapt(['attack', '--kind', 'attribute', '--run', dir, '--attribute', 'era', '--limit', '8', '--aux-limit', '24', '--steps', '5', '--max-length', '16']);
    expect(a.code, a.stderr).toBe(0);
    const r = JSON.parse(a.stdout);
    // model, task, mechanism and budget come from the run
    expect(r.config).toMatchObject({ attack: 'attribute', run: dir, model: 'static/models/tiny-random', task: 'sotu-party', mechanism: 'dchi', eta: 50 });
    expect(r.details).toMatchObject({ run_method: 'prompt', run_mechanism: 'dchi', run_budget: 50 });
    expect(r.details.representation).toMatch(/tuned run \(prompt\)/);
    expect(a.stderr).toMatch(/reading the states of the tuned run .* \(prompt, 128 trained parameters\)/);
  }, 120_000);

  it("runs a token attack on the run's setting, refuses a contradicting flag, a folder without a run, and a damaged state file", async () => {
    const dir = join(tmp, 'run2');
    expect((await rapt(tuneArgs(dir))).code).toBe(0);
    const conflict = await rapt(['attack', '--kind', 'mask', '--run', dir, '--eta', '80']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain(`--eta 80 conflicts with the run's eta 50 (${join(dir, 'run.json')})`);
    const mech = await rapt(['attack', '--kind', 'inversion-nn', '--run', dir, '--mechanism', 'none']);
    expect(mech.code).toBe(2);
    expect(mech.stderr).toContain(`--mechanism "none" conflicts with the run's mechanism "dchi"`);
    const none = await rapt(['attack', '--kind', 'attribute', '--run', join(tmp, 'nothing')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`--run ${join(tmp, 'nothing')}: no such folder`);
    writeFileSync(join(dir, 'peft.safetensors'), 'not a safetensors file');
    // a token attack does not read the tensors: it runs with the damaged state file, on the run's setting
    const inv = await rapt(['attack', '--kind', 'inversion-nn', '--run', dir, '--limit', '4', '--aux-limit', '16', '--candidates', '40', '--samples', '2']);
    expect(inv.code, inv.stderr).toBe(0);
    const ri = JSON.parse(inv.stdout);
    expect(ri.config).toMatchObject({ attack: 'inversion-nn', run: dir, model: 'static/models/tiny-random', task: 'sotu-party', mechanism: 'dchi', eta: 50, maxLength: 16 });
    expect(ri.details).toMatchObject({ run_method: 'prompt', run_mechanism: 'dchi', run_budget: 50 });
    expect(ri.details.target).toBe(`the privatized text of the tuned run ${dir} (its model, task, mechanism, budget and text length), not its trained tensors`);
    expect(ri.success).toBeGreaterThanOrEqual(0);
    expect(ri.success).toBeLessThanOrEqual(1);
    const bad = await rapt(['attack', '--kind', 'attribute', '--run', dir, '--attribute', 'era', '--limit', '4', '--aux-limit', '8', '--steps', '2', '--max-length', '16']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${join(dir, 'peft.safetensors')}:`);
    expect(existsSync(join(dir, 'run.json'))).toBe(true);
  }, 120_000);
});
