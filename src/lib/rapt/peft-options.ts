// The PEFT method a tuning config asks for (createPeft's options): shared by the tuning run and by
// whatever rebuilds that run's method later (`rapt attack --run DIR`). Browser-safe.

import type { PeftOptions } from '../peft/method';
import type { TuneConfig } from './config';

export function peftOptionsFor(config: Pick<TuneConfig, 'method' | 'promptLength' | 'loraRank' | 'loraAlpha' | 'seed' | 'prefixHidden'>): PeftOptions {
  return {
    name: config.method,
    promptLength: config.promptLength,
    loraRank: config.loraRank,
    loraAlpha: config.loraAlpha,
    seed: config.seed,
    ...(config.prefixHidden !== undefined ? { reparam: true, reparamHidden: config.prefixHidden } : {})
  };
}
