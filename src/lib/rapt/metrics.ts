// Classification metrics: accuracy, macro-averaged F1 (per class F1 = 2TP / (2TP + FP + FN)),
// and the majority-class baseline.
// Browser-safe.

import type { ClassificationMetrics } from './config';

/**
 * Macro F1 averages per-class F1 over the classes that occur in the gold labels or the
 * predictions; a class with no true positives scores 0.
 */
export function classificationMetrics(gold: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): ClassificationMetrics {
  const n = gold.length;
  if (predicted.length !== n) throw new Error(`metrics: ${predicted.length} predictions for ${n} labels`);
  if (n === 0) throw new Error('metrics: no examples');
  const tp = new Float64Array(numClasses);
  const fp = new Float64Array(numClasses);
  const fn = new Float64Array(numClasses);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const g = gold[i];
    const p = predicted[i];
    if (g === p) {
      correct++;
      tp[g]++;
    } else {
      fp[p]++;
      fn[g]++;
    }
  }
  let f1Sum = 0;
  let classes = 0;
  for (let k = 0; k < numClasses; k++) {
    if (tp[k] + fp[k] + fn[k] === 0) continue;
    classes++;
    f1Sum += (2 * tp[k]) / (2 * tp[k] + fp[k] + fn[k]);
  }
  return { accuracy: correct / n, macro_f1: classes ? f1Sum / classes : 0, n };
}

/** The most frequent label of `train` (lowest id on ties) and its rate on `test`. */
export function majorityBaseline(train: ArrayLike<number>, test: ArrayLike<number>, numClasses: number): { label: number; accuracy: number } {
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < train.length; i++) counts[train[i]]++;
  let label = 0;
  for (let k = 1; k < numClasses; k++) if (counts[k] > counts[label]) label = k;
  let hit = 0;
  for (let i = 0; i < test.length; i++) if (test[i] === label) hit++;
  return { label, accuracy: test.length ? hit / test.length : 0 };
}
