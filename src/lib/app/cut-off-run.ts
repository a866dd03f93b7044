// A Train-page run that the loss of the GPU device cut off: its setup (the page query), a short
// label, how far it got and the losses read back until then, kept by the page so it can say which
// run stopped where, draw its curve as cut off, and rerun the same setup on a new device. A restart
// starts over at step 0: resuming exactly would need the optimizer's moments, the task and
// reconstruction heads and the batch order as they stood, none of which leaves the service worker,
// so nothing here pretends to resume. Also how often the page asks the service for losses and dev scores.
// DOM-free and GPU-free.

import type { LossSeries } from '../components/LossChart.svelte';
import { describeSpec } from './privacy-settings';
import { privacySpecOf, type TrainForm } from './train-url';

export interface CutOffRun {
  /** the Train page's query string for the run's setup */
  query: string;
  label: string;
  /** the last step whose losses reached the page (0: none yet), and the planned steps */
  step: number;
  steps: number;
  task: number[];
  recon: number[];
  /** the device's own words */
  message: string;
}

/** "spam · prompt + RAPT · dχ, η = 100 · 30 steps": enough to recognise a run in a notice. */
export function runLabel(form: TrainForm): string {
  return `${form.task} · ${form.method}${form.rapt ? ' + RAPT' : ''} · ${describeSpec(privacySpecOf(form))} · ${form.steps} steps`;
}

/** Steps between loss readbacks: every 5, but at least four reports in a short run. */
export function readEveryFor(steps: number): number {
  return Math.min(5, Math.max(1, Math.ceil(steps / 4)));
}

/** Steps between dev scores during a run: about five per run (the last step is always scored). */
export function devEveryFor(steps: number): number {
  return Math.max(1, Math.ceil(steps / 5));
}

/** A cut-off run's curve beside the live one: muted and dashed, named by where it stopped. */
export function cutOffSeries(run: CutOffRun | null, which: 'task' | 'recon'): LossSeries[] {
  if (!run || run[which].length === 0) return [];
  return [{ label: `cut off at step ${run.step} (device lost)`, values: run[which], color: 'var(--muted)', dashed: true }];
}
