// Hugging Face BERT `config.json` → typed BertConfig, validated.
//
// Missing fields take the defaults of transformers' BertConfig (configuration_bert.py), as
// `BertConfig.from_pretrained` would; present fields must have the right type and range, and each
// error names the field, the file and the value. Fields this project does not use are kept in
// `extra` so that a config can be written back unchanged (bertConfigToJson).

export interface BertConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  /** only the exact (erf) GELU is supported, as HF's "gelu" */
  hidden_act: 'gelu';
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  initializer_range: number;
  layer_norm_eps: number;
  pad_token_id: number;
  /** only absolute position embeddings are supported */
  position_embedding_type: 'absolute';
  /** HF default true: the MLM decoder shares the word-embedding matrix */
  tie_word_embeddings: boolean;
  model_type: 'bert';
  architectures?: string[];
  /** every other field of config.json, kept verbatim for round-tripping */
  extra: Record<string, unknown>;
}

/** transformers' BertConfig defaults (bert-base-uncased). */
export const BERT_CONFIG_DEFAULTS = {
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
  tie_word_embeddings: true,
  model_type: 'bert'
} as const;

export class BertConfigError extends Error {
  override name = 'BertConfigError';
  constructor(
    message: string,
    readonly field: string | null,
    readonly source: string
  ) {
    super(message);
  }
}

const KNOWN_FIELDS = new Set<string>([...Object.keys(BERT_CONFIG_DEFAULTS), 'architectures']);

// Fields whose presence with a non-default value would change the computation we implement.
const UNSUPPORTED_TRUE_FLAGS = ['is_decoder', 'add_cross_attention'] as const;

/**
 * Parses `config.json` text (or an already parsed object) into a BertConfig.
 * @param source used in error messages (e.g. the file path)
 */
export function parseBertConfig(json: string | unknown, source = 'config.json'): BertConfig {
  let raw: unknown = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (e) {
      throw new BertConfigError(`${source}: not valid JSON: ${(e as Error).message}`, null, source);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BertConfigError(`${source}: must be a JSON object`, null, source);
  }
  const obj = raw as Record<string, unknown>;
  const fail = (field: string, what: string): never => {
    throw new BertConfigError(`${source}: "${field}" ${what}, found ${JSON.stringify(obj[field])}`, field, source);
  };
  const has = (field: string): boolean => obj[field] !== undefined && obj[field] !== null;

  const posInt = (field: keyof typeof BERT_CONFIG_DEFAULTS): number => {
    if (!has(field)) return BERT_CONFIG_DEFAULTS[field] as number;
    const v = obj[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) fail(field, 'must be a positive integer');
    return v as number;
  };
  const prob = (field: keyof typeof BERT_CONFIG_DEFAULTS): number => {
    if (!has(field)) return BERT_CONFIG_DEFAULTS[field] as number;
    const v = obj[field];
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(field, 'must be a number in [0, 1)');
    return v as number;
  };
  const positive = (field: keyof typeof BERT_CONFIG_DEFAULTS): number => {
    if (!has(field)) return BERT_CONFIG_DEFAULTS[field] as number;
    const v = obj[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(field, 'must be a positive finite number');
    return v as number;
  };

  if (has('model_type') && obj.model_type !== 'bert') {
    fail('model_type', 'must be "bert" (other architectures name and compute their weights differently)');
  }
  const vocab_size = posInt('vocab_size');
  const hidden_size = posInt('hidden_size');
  const num_hidden_layers = posInt('num_hidden_layers');
  const num_attention_heads = posInt('num_attention_heads');
  const intermediate_size = posInt('intermediate_size');
  const max_position_embeddings = posInt('max_position_embeddings');
  const type_vocab_size = posInt('type_vocab_size');
  if (hidden_size % num_attention_heads !== 0) {
    throw new BertConfigError(
      `${source}: "hidden_size" (${hidden_size}) must be divisible by "num_attention_heads" (${num_attention_heads})`,
      'hidden_size',
      source
    );
  }
  if (has('hidden_act') && obj.hidden_act !== 'gelu') {
    fail('hidden_act', 'must be "gelu" (the exact erf GELU; other activations are not implemented)');
  }
  const layer_norm_eps = positive('layer_norm_eps');
  const initializer_range = positive('initializer_range');
  const hidden_dropout_prob = prob('hidden_dropout_prob');
  const attention_probs_dropout_prob = prob('attention_probs_dropout_prob');

  let pad_token_id: number = BERT_CONFIG_DEFAULTS.pad_token_id;
  if (has('pad_token_id')) {
    const v = obj.pad_token_id;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= vocab_size) {
      fail('pad_token_id', `must be an integer in [0, vocab_size = ${vocab_size})`);
    }
    pad_token_id = v as number;
  }
  if (has('position_embedding_type') && obj.position_embedding_type !== 'absolute') {
    fail('position_embedding_type', 'must be "absolute" (relative position embeddings are not implemented)');
  }
  let tie_word_embeddings: boolean = BERT_CONFIG_DEFAULTS.tie_word_embeddings;
  if (has('tie_word_embeddings')) {
    if (typeof obj.tie_word_embeddings !== 'boolean') fail('tie_word_embeddings', 'must be true or false');
    tie_word_embeddings = obj.tie_word_embeddings as boolean;
  }
  for (const flag of UNSUPPORTED_TRUE_FLAGS) {
    if (obj[flag] === true) fail(flag, 'must be false (only the bidirectional encoder is implemented)');
  }
  let architectures: string[] | undefined;
  if (has('architectures')) {
    if (!Array.isArray(obj.architectures) || !obj.architectures.every((a) => typeof a === 'string')) {
      fail('architectures', 'must be an array of strings');
    }
    architectures = (obj.architectures as string[]).slice();
  }

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!KNOWN_FIELDS.has(k)) extra[k] = v;

  const config: BertConfig = {
    vocab_size,
    hidden_size,
    num_hidden_layers,
    num_attention_heads,
    intermediate_size,
    hidden_act: 'gelu',
    hidden_dropout_prob,
    attention_probs_dropout_prob,
    max_position_embeddings,
    type_vocab_size,
    initializer_range,
    layer_norm_eps,
    pad_token_id,
    position_embedding_type: 'absolute',
    tie_word_embeddings,
    model_type: 'bert',
    extra
  };
  if (architectures) config.architectures = architectures;
  return config;
}

/** Size of one attention head. */
export function headDim(config: Pick<BertConfig, 'hidden_size' | 'num_attention_heads'>): number {
  return config.hidden_size / config.num_attention_heads;
}

/**
 * Serialises a BertConfig as HF `config.json` text (stable key order, 2-space indent, trailing
 * newline). Fields from `extra` come after the typed ones.
 */
export function bertConfigToJson(config: BertConfig): string {
  const out: Record<string, unknown> = {};
  if (config.architectures) out.architectures = config.architectures;
  out.model_type = 'bert';
  out.vocab_size = config.vocab_size;
  out.hidden_size = config.hidden_size;
  out.num_hidden_layers = config.num_hidden_layers;
  out.num_attention_heads = config.num_attention_heads;
  out.intermediate_size = config.intermediate_size;
  out.hidden_act = config.hidden_act;
  out.hidden_dropout_prob = config.hidden_dropout_prob;
  out.attention_probs_dropout_prob = config.attention_probs_dropout_prob;
  out.max_position_embeddings = config.max_position_embeddings;
  out.type_vocab_size = config.type_vocab_size;
  out.initializer_range = config.initializer_range;
  out.layer_norm_eps = config.layer_norm_eps;
  out.pad_token_id = config.pad_token_id;
  out.position_embedding_type = config.position_embedding_type;
  out.tie_word_embeddings = config.tie_word_embeddings;
  for (const [k, v] of Object.entries(config.extra)) if (!(k in out)) out[k] = v;
  return JSON.stringify(out, null, 2) + '\n';
}
