// backward(tape, loss): seed with ones and run the tape in reverse.

import type { Tape } from './tape';
import type { Tensor } from './tensor';
import { add, ones } from './ops/elementwise';

export function backward(tape: Tape, loss: Tensor, seed?: Tensor): void {
  const s = seed ?? ones(loss.gpu, loss.shape, 'seed');
  try {
    tape.backward(loss, s, (a, b) => add(a, b, 'grad_acc'));
  } finally {
    if (!seed) s.dispose();
  }
}
