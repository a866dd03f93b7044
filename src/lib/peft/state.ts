// A PEFT method's trained tensors as a safetensors file, and back: what `rapt tune --save DIR`
// writes (peft.safetensors) and what `rapt attack --run DIR` loads to compute the tuned model's
// hidden states. Tensors are keyed by their names (soft_prompt; prefix.key.ℓ / prefix.value.ℓ or
// prefix.embedding / prefix.mlp.*; lora.ℓ.query.A …; Hugging Face parameter names for full
// fine-tuning), which are unique within a method. Loading checks that the file holds exactly the
// method's tensors with the same shapes, then overwrites them on the GPU. Browser-safe.

import { readSafetensors, writeSafetensors } from '../model/checkpoint/safetensors';
import { fmtShape } from '../engine/tensor';
import type { PeftMethod } from './method';

export class PeftStateError extends Error {
  override name = 'PeftStateError';
}

/** The method's trainable tensors, read back from the GPU, as safetensors bytes (metadata: method name). */
export async function savePeftState(method: PeftMethod, metadata: Record<string, string> = {}): Promise<Uint8Array<ArrayBuffer>> {
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const t of method.trainable) {
    if (t.name in tensors) throw new PeftStateError(`${method.name}: two trainable tensors are named "${t.name}"`);
    tensors[t.name] = { dtype: 'F32', shape: [...t.shape], data: await t.readF32() };
  }
  return writeSafetensors(tensors, { ...metadata, peft_method: method.name });
}

/**
 * Overwrite the method's trainable tensors with those in `bytes` (a file savePeftState wrote for
 * the same method and configuration). `source` names the file in errors.
 */
export function loadPeftState(method: PeftMethod, bytes: Uint8Array, source = 'peft.safetensors'): void {
  let contents;
  try {
    contents = readSafetensors(bytes, { source });
  } catch (e) {
    throw new PeftStateError(`${source}: ${(e as Error).message}`);
  }
  const saved = contents.metadata?.peft_method;
  if (saved !== undefined && saved !== method.name) throw new PeftStateError(`${source} holds a ${saved} state, not ${method.name}`);
  const want = new Map(method.trainable.map((t) => [t.name, t]));
  const extra = Object.keys(contents.tensors).filter((n) => !want.has(n));
  const missing = [...want.keys()].filter((n) => !(n in contents.tensors));
  if (extra.length || missing.length)
    throw new PeftStateError(
      `${source} does not match this ${method.name} configuration:` +
        (missing.length ? ` missing ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ` (+${missing.length - 4})` : ''};` : '') +
        (extra.length ? ` unexpected ${extra.slice(0, 4).join(', ')}${extra.length > 4 ? ` (+${extra.length - 4})` : ''};` : '') +
        ' was it saved with another method, prompt length, rank or model?'
    );
  for (const [name, t] of want) {
    const s = contents.tensors[name];
    if (s.shape.length !== t.shape.length || s.shape.some((d, i) => d !== t.shape[i]))
      throw new PeftStateError(`${source}: ${name} is ${fmtShape(s.shape)}, the method's is ${fmtShape(t.shape)}`);
    if (!(s.data instanceof Float32Array)) throw new PeftStateError(`${source}: ${name} is not float32`);
  }
  for (const [name, t] of want) t.gpu.write(t.buffer, contents.tensors[name].data as Float32Array);
}
