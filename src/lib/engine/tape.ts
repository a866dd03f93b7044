// Reverse-mode autograd. Ops record a node only when a tape is recording and one
// of their inputs requires a gradient; each node keeps alive just the storages its
// backward rule reads. backward() walks the nodes in reverse, accumulates
// gradients, frees every saved storage and intermediate gradient as soon as it is
// used, and leaves gradients only on leaf tensors that require them (parameters).

import { Tensor, recordingHook, type TapeNode, type Storage } from './tensor';
import { keep } from './scope';

let current: Tape | null = null;

export class Tape {
  private nodes: TapeNode[] = [];
  private done = false;

  /** Run fn with this tape recording. */
  record<T>(fn: () => T): T {
    if (current) throw new Error('a tape is already recording');
    current = this;
    try {
      return fn();
    } finally {
      current = null;
    }
  }

  get length(): number {
    return this.nodes.length;
  }

  push(node: TapeNode, output: Tensor): void {
    if (this.done) throw new Error('tape already used for backward');
    this.nodes.push(node);
    output.creator = node;
    output.requiresGrad = true;
  }

  /**
   * Backpropagate from `loss` (seed gradient `seed`, default ones). Gradients of leaves
   * are added to their `.grad` (which the caller owns; the optimizer consumes them).
   */
  backward(loss: Tensor, seed: Tensor, add: (a: Tensor, b: Tensor) => Tensor): void {
    if (this.done) throw new Error('tape already used for backward');
    this.done = true;
    const grads = new Map<Tensor, Tensor>();
    grads.set(loss, seed);
    const outputOf = new Map<TapeNode, Tensor>();
    // Find each node's output: the tensor whose creator it is. Walk inputs/loss.
    const stack: Tensor[] = [loss];
    const seen = new Set<Tensor>();
    while (stack.length) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      if (t.creator) {
        outputOf.set(t.creator, t);
        for (const i of t.creator.inputs) stack.push(i);
      }
    }
    const accumulate = (t: Tensor, g: Tensor) => {
      const prev = grads.get(t);
      if (!prev) {
        grads.set(t, g);
      } else {
        grads.set(t, add(prev, g));
        prev.dispose();
        g.dispose();
      }
    };
    for (let n = this.nodes.length - 1; n >= 0; n--) {
      const node = this.nodes[n];
      const out = outputOf.get(node);
      const gy = out ? grads.get(out) : undefined;
      if (out && gy) {
        grads.delete(out);
        const gxs = node.backward(gy);
        if (gy !== seed) gy.dispose();
        node.inputs.forEach((input, i) => {
          const gx = gxs[i];
          if (!gx) return;
          if (!input.requiresGrad) {
            gx.dispose();
            return;
          }
          accumulate(input, gx);
        });
      }
      releaseSaved(node.saved);
      node.saved = [];
    }
    this.nodes = [];
    for (const [t, g] of grads) {
      if (t.creator === null && t.requiresGrad && g !== seed) {
        keep(g);
        if (t.grad) {
          const sum = keep(add(t.grad, g));
          t.grad.dispose();
          g.dispose();
          t.grad = sum;
        } else t.grad = g;
      } else if (g !== seed) g.dispose();
    }
  }

  /** Drop the recording without a backward pass (e.g. evaluation under a tape). */
  dispose(): void {
    for (const node of this.nodes) releaseSaved(node.saved);
    this.nodes = [];
    this.done = true;
  }
}

function releaseSaved(saved: Storage[]): void {
  for (const s of saved) s.unref();
}

/** The recording tape, if the op should record (some input requires grad). */
export function recorder(inputs: Tensor[]): Tape | null {
  if (!current) return null;
  for (const t of inputs) if (t.requiresGrad) return current;
  return null;
}

export function isRecording(): boolean {
  return current !== null;
}

/** Record a node: `save` lists the tensors whose storage the backward rule reads. */
export function recordOp(
  name: string,
  inputs: Tensor[],
  output: Tensor,
  save: Tensor[],
  backward: (gy: Tensor) => (Tensor | null)[]
): void {
  const tape = recorder(inputs);
  if (!tape) return;
  const saved = save.map((t) => {
    t.storage.ref();
    return t.storage;
  });
  tape.push({ name, inputs, backward, saved }, output);
}

/** Run fn with recording paused (backward rules, optimizer updates, evaluation). */
export function noGrad<T>(fn: () => T): T {
  const prev = current;
  current = null;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

recordingHook.active = () => current !== null;
recordingHook.reshape = (from: Tensor, to: Tensor) => {
  const shape = from.shape as number[];
  recordOp('reshape', [from], to, [], (gy) => [gy.reshape(shape)]);
};
