// The loading stages the home page shows, and how worker progress reports move them along.
// GPU-free.

import { formatBytes } from './forward-format';
import type { LoadProgress } from './service-types';

export type StageState = 'pending' | 'active' | 'done' | 'error';

export interface StageView {
  id: string;
  label: string;
  state: StageState;
  /** e.g. "120.3 KiB of 217.3 KiB" */
  detail?: string;
  /** 0..1 when known */
  fraction?: number;
}

export const STAGE_IDS = ['webgpu', 'device', 'index', 'config', 'weights', 'vocab', 'upload'] as const;
export type StageId = (typeof STAGE_IDS)[number];

const LABELS: Record<StageId, string> = {
  webgpu: 'Checking for WebGPU',
  device: 'Starting the service worker and acquiring a GPU device',
  index: 'Reading the list of models',
  config: 'Model configuration (config.json)',
  weights: 'Weights (model.safetensors)',
  vocab: 'Vocabulary (vocab.txt)',
  upload: 'Uploading the weights to the GPU'
};

export function initialStages(): StageView[] {
  return STAGE_IDS.map((id) => ({ id, label: LABELS[id], state: 'pending' }));
}

/** A copy of `stages` with `id` set to `state` (and optional detail/fraction); earlier stages become done. */
export function setStage(
  stages: StageView[],
  id: StageId,
  state: StageState,
  extra: { detail?: string; fraction?: number } = {}
): StageView[] {
  const at = stages.findIndex((s) => s.id === id);
  return stages.map((s, i) => {
    if (i === at) return { ...s, state, detail: extra.detail ?? (state === 'done' ? s.detail : undefined), fraction: extra.fraction };
    if (i < at && s.state !== 'error') return { ...s, state: 'done', fraction: undefined };
    return s;
  });
}

/** Apply one progress report from the worker's loadModel. */
export function applyProgress(stages: StageView[], p: LoadProgress): StageView[] {
  switch (p.stage) {
    case 'config':
    case 'vocab':
    case 'upload':
      return setStage(stages, p.stage, p.loaded >= p.total && p.total > 0 ? 'done' : 'active', {
        detail: p.file && p.stage !== 'upload' && p.file !== 'config.json' && p.file !== 'vocab.txt' ? p.file : undefined
      });
    case 'weights': {
      const fraction = p.total > 0 ? p.loaded / p.total : undefined;
      const detail = p.total > 0 ? `${formatBytes(p.loaded)} of ${formatBytes(p.total)}` : formatBytes(p.loaded);
      const done = p.total > 0 && p.loaded >= p.total;
      return setStage(stages, 'weights', done ? 'done' : 'active', { detail, fraction: done ? undefined : fraction });
    }
    case 'done':
      return stages.map((s) => (s.state === 'error' ? s : { ...s, state: 'done', fraction: undefined }));
  }
}
