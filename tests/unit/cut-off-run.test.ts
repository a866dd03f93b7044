// The Train page's records of runs cut off by a reload or a lost device: the localStorage record's
// parser (optional fields checked, malformed ones dropped), the run label, the readback interval
// and the cut-off curve series.
import { describe, expect, it } from 'vitest';
import { parseInterrupted } from '../../src/lib/app/interrupted-run';
import { cutOffSeries, devEveryFor, readEveryFor, runLabel, type CutOffRun } from '../../src/lib/app/cut-off-run';
import { TRAIN_DEFAULTS } from '../../src/lib/app/train-url';

describe('interrupted-run record', () => {
  it('keeps a well-formed record with its step and cause', () => {
    const r = { query: 'steps=12', startedAt: '2024-01-01T00:00:00.000Z', label: 'spam · prompt', step: 3, steps: 12, cause: 'device-lost' };
    expect(parseInterrupted(JSON.stringify(r))).toEqual(r);
  });
  it('accepts the old form (query and start time only)', () => {
    expect(parseInterrupted('{"query":"","startedAt":"x"}')).toEqual({ query: '', startedAt: 'x' });
  });
  it('refuses a record without its query or start time, or not JSON', () => {
    expect(parseInterrupted('{"startedAt":"x"}')).toBeNull();
    expect(parseInterrupted('{"query":1,"startedAt":"x"}')).toBeNull();
    expect(parseInterrupted('null')).toBeNull();
    expect(parseInterrupted('{oops')).toBeNull();
  });
  it('drops malformed optional fields and keeps the rest', () => {
    const base = { query: 'q', startedAt: 't' };
    expect(parseInterrupted(JSON.stringify({ ...base, step: 13, steps: 12 }))).toEqual(base);
    expect(parseInterrupted(JSON.stringify({ ...base, step: 1.5, steps: 12 }))).toEqual(base);
    expect(parseInterrupted(JSON.stringify({ ...base, step: 2 }))).toEqual(base);
    expect(parseInterrupted(JSON.stringify({ ...base, cause: 'gremlins', label: 7 }))).toEqual(base);
  });
});

describe('cut-off run', () => {
  it('labels a run by task, method, RAPT, privatizer and steps', () => {
    expect(runLabel({ ...TRAIN_DEFAULTS, steps: 12 })).toBe('spam · prompt + RAPT · dχ, η = 100 · 12 steps');
    expect(runLabel({ ...TRAIN_DEFAULTS, rapt: false, method: 'lora', mechanism: 'santext', budget: 3 })).toBe(
      `spam · lora · santext, ε = 3 · ${TRAIN_DEFAULTS.steps} steps`
    );
  });
  it('reads losses every 5 steps, and at least four times in a short run', () => {
    expect(readEveryFor(200)).toBe(5);
    expect(readEveryFor(30)).toBe(5);
    expect(readEveryFor(12)).toBe(3);
    expect(readEveryFor(4)).toBe(1);
    expect(readEveryFor(1)).toBe(1);
  });
  it('scores dev about five times a run, and every step in a run of five steps or fewer', () => {
    expect(devEveryFor(200)).toBe(40);
    expect(devEveryFor(30)).toBe(6);
    expect(devEveryFor(6)).toBe(2);
    expect(devEveryFor(5)).toBe(1);
    expect(devEveryFor(1)).toBe(1);
  });
  it('draws a cut-off curve dashed and named by its step, and nothing when it has no losses', () => {
    const run: CutOffRun = { query: '', label: '', step: 3, steps: 12, task: [0.7, 0.5, 0.4], recon: [], message: '' };
    expect(cutOffSeries(run, 'task')).toEqual([{ label: 'cut off at step 3 (device lost)', values: [0.7, 0.5, 0.4], color: 'var(--muted)', dashed: true }]);
    expect(cutOffSeries(run, 'recon')).toEqual([]);
    expect(cutOffSeries(null, 'task')).toEqual([]);
  });
});
