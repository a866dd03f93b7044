// How the service lays out one batch of privatized examples for the frozen encoder:
//
//   [soft prompt P] [CLS] (plain₁ … plain_m [SEP])? text₁ … text_n [SEP] (template with [MASK] [SEP])? [PAD]…
//
// The soft prompt is prepended by the model (BertInputs.prompt), so position indices into the
// encoder output add P. Plain tokens (RAPT) come only in training batches; the template (the
// verbalizer head) is public text the service adds. Everything here is token ids: no text.
// Browser-safe.

export interface PlainTokens {
  /** the privatized plain tokens that crossed the boundary */
  privatized: Int32Array;
  /** the original plain-token ids (public random draws, sent for the reconstruction target) */
  original: Int32Array;
}

/** One example as the service receives it: token ids of the (privatized) text, no specials. */
export interface TaskExample {
  text: Int32Array;
  label: number;
  plain?: PlainTokens;
}

export interface SpecialIds {
  cls: number;
  sep: number;
  pad: number;
  mask: number;
}

export interface LayoutOptions {
  /** the model's max_position_embeddings */
  maxPositions: number;
  /** positions the PEFT method prepends (soft prompt length, else 0) */
  promptPositions: number;
  /** plain tokens per example in this batch (0 at inference or without RAPT) */
  plainTokens: number;
  /** verbalizer template ids (exactly one [MASK]), or undefined for the [CLS] head */
  template?: Int32Array;
  /** cap on text tokens */
  maxLength: number;
}

export interface LaidOutBatch {
  B: number;
  T: number;
  /** [B·T] row-major */
  inputIds: Int32Array;
  attentionMask: Uint8Array[];
  /** index of [CLS] in the encoder output (= promptPositions) */
  clsPosition: number;
  /** index in the encoder output of the first plain token; plainTokens rows follow */
  plainStart: number;
  /** per row, index in the encoder output of the template's [MASK] (verbalizer head) */
  maskPositions: number[];
  /** per row, [start, end) of the text tokens in the encoder output (mean-pooling head) */
  textSpans: [number, number][];
}

/** Positions a PEFT method prepends to the sequence (the soft prompt; 0 for prefix, LoRA and full fine-tuning). */
export function promptPositionsOf(config: { method: 'prompt' | 'prefix' | 'lora' | 'full'; promptLength: number }): number {
  return config.method === 'prompt' ? config.promptLength : 0;
}

/** Most text tokens an example may keep under these options (the client truncates to this). */
export function textBudget(o: LayoutOptions): number {
  const fixed = o.promptPositions + 2 + (o.plainTokens > 0 ? o.plainTokens + 1 : 0) + (o.template ? o.template.length + 1 : 0);
  const room = o.maxPositions - fixed;
  if (room < 1)
    throw new Error(
      `no room for text: ${o.promptPositions} prompt + ${o.plainTokens} plain tokens + template ${o.template?.length ?? 0} + specials leave ${room} of ${o.maxPositions} positions`
    );
  return Math.min(o.maxLength, room);
}

export function layoutBatch(examples: readonly TaskExample[], o: LayoutOptions, sp: SpecialIds): LaidOutBatch {
  if (examples.length === 0) throw new Error('layoutBatch: empty batch');
  const budget = textBudget(o);
  const m = o.plainTokens;
  const rows: number[][] = [];
  const maskPositions: number[] = [];
  const textSpans: [number, number][] = [];
  for (const [b, ex] of examples.entries()) {
    const row = [sp.cls];
    if (m > 0) {
      if (!ex.plain || ex.plain.privatized.length !== m || ex.plain.original.length !== m)
        throw new Error(`layoutBatch: example ${b} needs ${m} plain tokens (privatized and original), has ${ex.plain?.privatized.length ?? 0}`);
      row.push(...ex.plain.privatized, sp.sep);
    }
    const n = Math.min(budget, ex.text.length);
    if (n === 0) throw new Error(`layoutBatch: example ${b} has no text tokens`);
    textSpans.push([o.promptPositions + row.length, o.promptPositions + row.length + n]);
    for (let i = 0; i < n; i++) row.push(ex.text[i]);
    row.push(sp.sep);
    if (o.template) {
      const at = o.template.indexOf(sp.mask);
      if (at < 0 || o.template.lastIndexOf(sp.mask) !== at) throw new Error('layoutBatch: the template must hold exactly one [MASK]');
      maskPositions.push(o.promptPositions + row.length + at);
      row.push(...o.template, sp.sep);
    }
    rows.push(row);
  }
  const T = Math.max(...rows.map((r) => r.length));
  const B = rows.length;
  const inputIds = new Int32Array(B * T).fill(sp.pad);
  const attentionMask: Uint8Array[] = [];
  rows.forEach((r, b) => {
    inputIds.set(r, b * T);
    const mk = new Uint8Array(T);
    mk.fill(1, 0, r.length);
    attentionMask.push(mk);
  });
  return { B, T, inputIds, attentionMask, clsPosition: o.promptPositions, plainStart: o.promptPositions + 1, maskPositions, textSpans };
}

/** RAPT's plain tokens as their own sequences (plainSequence 'separate'): [soft prompt P] [CLS] plain₁ … plain_m [SEP]. */
export interface LaidOutPlainBatch {
  B: number;
  T: number;
  inputIds: Int32Array;
  attentionMask: Uint8Array[];
  /** index in the encoder output of the first plain token; m rows follow */
  plainStart: number;
}

export function layoutPlainBatch(examples: readonly TaskExample[], m: number, promptPositions: number, maxPositions: number, sp: SpecialIds): LaidOutPlainBatch {
  if (examples.length === 0) throw new Error('layoutPlainBatch: empty batch');
  if (!(m >= 1)) throw new Error(`layoutPlainBatch: need at least one plain token, got ${m}`);
  const T = m + 2;
  if (promptPositions + T > maxPositions)
    throw new Error(`no room for the plain tokens: ${promptPositions} prompt + ${m} plain tokens + 2 specials exceed ${maxPositions} positions`);
  const B = examples.length;
  const inputIds = new Int32Array(B * T);
  for (const [b, ex] of examples.entries()) {
    if (!ex.plain || ex.plain.privatized.length !== m || ex.plain.original.length !== m)
      throw new Error(`layoutPlainBatch: example ${b} needs ${m} plain tokens (privatized and original), has ${ex.plain?.privatized.length ?? 0}`);
    inputIds[b * T] = sp.cls;
    inputIds.set(ex.plain.privatized, b * T + 1);
    inputIds[b * T + m + 1] = sp.sep;
  }
  const attentionMask = examples.map(() => new Uint8Array(T).fill(1));
  return { B, T, inputIds, attentionMask, plainStart: promptPositions + 1 };
}
