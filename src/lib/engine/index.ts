// The engine's public surface.
export { Tensor, tensorFrom, allocTensor, fmtShape, reshapeMove, withView, type DType } from './tensor';
export { tidy, keep } from './scope';
export { Tape, noGrad, isRecording } from './tape';
export { matmul, matmulRaw, setMatmulVariant, matmulVariant, type MatmulVariant } from './ops/matmul';
export { add, addBias, scale, copy, gelu, tanh, fill, zeros, ones } from './ops/elementwise';
export { sumRows, sum, mean, sumSquares } from './ops/reduce';
export { layerNorm } from './ops/layernorm';
export { maskedSoftmax } from './ops/softmax';
export { swapAxes12 } from './ops/permute';
export { gatherRows, scatterAddRows } from './ops/gather';
export { concatSeq, sliceSeq } from './ops/sequence';
export { crossEntropy } from './ops/cross-entropy';
export { attention, splitHeads, mergeHeads } from './ops/attention';
export { AdamW, type AdamWOptions, type AdamWState } from './optim/adamw';
export { backward } from './backward';
