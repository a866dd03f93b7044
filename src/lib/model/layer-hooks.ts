// How parameter-efficient methods reach inside the frozen encoder. BertModel.forward
// calls these per layer; the PEFT classes in src/lib/peft implement them.
//
//   prefix tuning: K_i = [P_k,i ; X W_k,i],  V_i = [P_v,i ; X W_v,i]   (prefixLength rows)
//   LoRA:          Q_i = X W_q,i + Δ_q,i(X),  V_i = X W_v,i + Δ_v,i(X)

import type { Tensor } from '../engine';

export type HookedProjection = 'query' | 'key' | 'value';

export interface LayerHooks {
  /** number of key/value prefix positions each layer gets (0 when the method adds none) */
  readonly prefixLength: number;
  /** key and value prefixes for layer i, each [P, C] (shared by the batch) or [B, P, C] */
  prefix?(layer: number): { key: Tensor; value: Tensor };
  /** an additive update [B, T, C] to one projection of layer i, or null for none */
  delta?(layer: number, proj: HookedProjection, x: Tensor): Tensor | null;
}
