// A TuneResult (the public JSON of `rapt tune`, config.ts) from the two halves of a run: the
// client's summary of the set it built and the service's training output. GPU-free, so the
// Train page assembles its result with the same function as the CLI.

import type { TuneConfig, TuneResult } from './config';
import type { ClientSetSummary } from './client-set';
import type { ServiceTuneOutput } from './service-tune';

/** The TuneResult of a run from its two halves (the client's summary and the service's output). */
export function assembleTuneResult(
  config: TuneConfig,
  client: ClientSetSummary,
  service: ServiceTuneOutput,
  extra: { adapter: string; wallSeconds: number; seeded: boolean }
): TuneResult {
  const result: TuneResult = {
    kind: 'tune',
    config: { ...config },
    metrics: service.metrics,
    replaced_fraction: client.replacedFraction,
    majority_accuracy: service.majority_accuracy,
    final_task_loss: service.final_task_loss,
    final_recon_loss: service.final_recon_loss,
    trainable_parameters: service.trainable_parameters,
    wall_seconds: extra.wallSeconds,
    tokens_per_s: service.tokens_per_s,
    adapter: extra.adapter,
    seeded_not_private: extra.seeded
  };
  if (service.steps_done < config.steps) (result as TuneResult & { stopped_at: number }).stopped_at = service.steps_done;
  return result;
}

