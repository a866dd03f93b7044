// Writes the model card (README.md + card.json) of a pretrained model folder from what the
// pretraining run left there (pretrain-report.json, train-log.jsonl, vocab-report.json), a
// held-out evaluation (the JSON printed by `rapt eval-mlm`), and the embedding table itself
// (nearest neighbours of 20 frequent words by cosine similarity).
//
//   npx tsx scripts/model-card.ts --model static/models/rapt-mini --eval eval-test.json [--name rapt-mini]

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBertFolder } from '../src/lib/model/checkpoint/load-folder-node';
import { BertTokenizer } from '../src/lib/model/tokenizer';
import { buildPretrainCorpus } from '../src/lib/data/pretrain-corpus-node';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = resolve(arg('model') ?? 'static/models/rapt-mini');
const name = arg('name') ?? dir.split('/').pop()!;
const evalFile = arg('eval');
const root = resolve(new URL('..', import.meta.url).pathname);

const ckpt = await loadBertFolder(dir);
const report = JSON.parse(readFileSync(join(dir, 'pretrain-report.json'), 'utf8'));
const vocabReport = existsSync(join(dir, 'vocab-report.json')) ? JSON.parse(readFileSync(join(dir, 'vocab-report.json'), 'utf8')) : null;
const evalTest = evalFile ? JSON.parse(readFileSync(evalFile, 'utf8')) : null;
const log = readFileSync(join(dir, 'train-log.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const evals = log.filter((r) => r.kind === 'eval');
const trains = log.filter((r) => r.kind === 'train');
// Continued pretraining (`--init-from`): the earlier stage's report and log are kept in
// stage1/ next to the model, and the card tells both stages.
const stage1Dir = join(dir, 'stage1');
const stage1 = report.init_from && existsSync(join(stage1Dir, 'pretrain-report.json')) ? JSON.parse(readFileSync(join(stage1Dir, 'pretrain-report.json'), 'utf8')) : null;
const stage1Evals = stage1
  ? readFileSync(join(stage1Dir, 'train-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.kind === 'eval')
  : [];
const stage1Out = 'out/' + name + '-stage1';
const cleanCmd = (c: string) => c.replace(/^rapt pretrain /, '').replace(/--out \S+ ?/, '').replace(/ ?--resume/, '').replace(/ ?--init-from \S+/, '').replace(/\s+/g, ' ').trim();
const tokensSeen = report.tokens_seen + (stage1?.tokens_seen ?? 0);
const wallSeconds = report.wall_seconds + (stage1?.wall_seconds ?? 0);

// 20 frequent words: the most frequent whole-word tokens (alphabetic, 4+ letters) of the corpus.
const tok = BertTokenizer.fromVocabText(ckpt.vocabTxt!);
const counts = new Map<number, number>();
for (const src of buildPretrainCorpus(root))
  for (const t of src.texts.slice(0, 4000))
    for (const id of tok.encode(t, null, { addSpecialTokens: false }).input_ids) counts.set(id, (counts.get(id) ?? 0) + 1);
const words = [...counts.entries()]
  .filter(([id]) => /^[a-z]{4,}$/.test(tok.idToToken(id) ?? ''))
  .sort((a, b) => b[1] - a[1] || a[0] - b[0])
  .slice(0, 20)
  .map(([id]) => id);
const E = ckpt.weights.embeddings.word.data;
const C = ckpt.config.hidden_size;
const V = ckpt.config.vocab_size;
const norms = new Float64Array(V);
for (let v = 0; v < V; v++) {
  let s = 0;
  for (let c = 0; c < C; c++) s += E[v * C + c] ** 2;
  norms[v] = Math.sqrt(s) || 1;
}
const special = new Set(tok.specialTokenIds);
const neighbours = words.map((w) => {
  const sims: [number, number][] = [];
  for (let v = 0; v < V; v++) {
    if (v === w || special.has(v)) continue;
    let s = 0;
    for (let c = 0; c < C; c++) s += E[w * C + c] * E[v * C + c];
    sims.push([v, s / (norms[w] * norms[v])]);
  }
  sims.sort((a, b) => b[1] - a[1]);
  return { word: tok.idToToken(w)!, neighbours: sims.slice(0, 5).map(([v, s]) => ({ token: tok.idToToken(v)!, cosine: Number(s.toFixed(3)) })) };
});

const cfg = ckpt.config;
let count = 0;
const add = (n: number) => (count += n);
add(E.length + ckpt.weights.embeddings.position.data.length + ckpt.weights.embeddings.tokenType.data.length + 2 * C);
for (const l of ckpt.weights.layers)
  for (const p of Object.values(l)) add((p as { weight: { data: Float32Array }; bias: { data: Float32Array } }).weight.data.length + (p as { bias: { data: Float32Array } }).bias.data.length);
if (ckpt.weights.pooler) add(ckpt.weights.pooler.weight.data.length + ckpt.weights.pooler.bias.data.length);
if (ckpt.weights.mlm) add(ckpt.weights.mlm.transform.weight.data.length + C + 2 * C + V);

const card = {
  name,
  architecture: {
    type: 'BertForMaskedLM',
    layers: cfg.num_hidden_layers,
    hidden: cfg.hidden_size,
    heads: cfg.num_attention_heads,
    ffn: cfg.intermediate_size,
    vocab: cfg.vocab_size,
    max_positions: cfg.max_position_embeddings,
    parameters: count
  },
  commands: [
    'npx tsx scripts/prepare-data.ts --seed 13',
    `npx tsx scripts/train-vocab.ts --out static/models/${name}/vocab.txt --size ${cfg.vocab_size}`,
    ...(stage1
      ? [
          `node bin/rapt.mjs pretrain --out ${stage1Out} ${cleanCmd(stage1.command)}`.trim(),
          `node bin/rapt.mjs pretrain --out static/models/${name} --init-from ${stage1Out} ${cleanCmd(report.command)}`.trim()
        ]
      : [`node bin/rapt.mjs pretrain --out static/models/${name} ${cleanCmd(report.command)}`.trim()])
  ],
  stages: stage1
    ? [
        { stage: 1, init: 'random', settings: stage1.settings, stopped_at: stage1.stopped_at, tokens_seen: stage1.tokens_seen, wall_seconds: stage1.wall_seconds, held_out_dev: stage1.held_out_dev },
        { stage: 2, init: 'stage 1', settings: report.settings, stopped_at: report.stopped_at, tokens_seen: report.tokens_seen, wall_seconds: report.wall_seconds, held_out_dev: report.held_out_dev }
      ]
    : undefined,
  corpus: report.corpus,
  train_tokens: report.train_tokens,
  tokens_seen: tokensSeen,
  wall_seconds: wallSeconds,
  machine: report.machine,
  settings: report.settings,
  held_out_dev: report.held_out_dev,
  held_out_test: evalTest,
  loss_curve: trains.filter((_, i) => i % 5 === 0 || i === trains.length - 1).map((r) => ({ step: r.step, loss: Number(r.loss.toFixed(4)) })),
  evals: [...stage1Evals.map((r) => ({ ...r, step: `1:${r.step}` })), ...evals.map((r) => ({ ...r, step: stage1 ? `2:${r.step}` : r.step }))].map((r) => ({ step: r.step, masked_accuracy: Number(r.masked_accuracy.toFixed(4)), unigram_accuracy: Number(r.unigram_accuracy.toFixed(4)), loss: Number(r.loss.toFixed(4)) })),
  vocabulary: vocabReport ? { size: cfg.vocab_size, report: 'vocab-report.json' } : null,
  nearest_neighbours: neighbours
};
writeFileSync(join(dir, 'card.json'), JSON.stringify(card, null, 2) + '\n');

const pct = (x: number) => (100 * x).toFixed(2) + '%';
const md: string[] = [];
md.push(`# ${name}: the built-in language model`, '');
md.push('Generated by `scripts/model-card.ts` from the pretraining run; machine-readable card: `card.json`.', '');
md.push('## Architecture', '');
md.push(`BERT (\`BertForMaskedLM\`, Hugging Face layout: \`config.json\`, \`model.safetensors\`, \`vocab.txt\`): ${cfg.num_hidden_layers} layers, hidden ${cfg.hidden_size}, ${cfg.num_attention_heads} heads, feed-forward ${cfg.intermediate_size}, vocabulary ${cfg.vocab_size} WordPiece tokens (lowercased), ${cfg.max_position_embeddings} positions, ${count.toLocaleString('en-US')} parameters (${(count * 4 / 2 ** 20).toFixed(1)} MiB in float32). The MLM decoder is tied to the word embeddings; the pooler is randomly initialised and untrained (no next-sentence task).`, '');
md.push('Sized so that prompt tuning is interactive in a browser on SwiftShader (a CPU): one prompt-tuning step of the `tiny` benchmark shape is this architecture (see the README\'s benchmark table), and fast on any GPU.', '');
md.push('## How it was made', '');
md.push('```bash', ...card.commands, '```', '');
md.push(`- Corpus: the training splits of the built-in datasets and Moby Dick (${report.corpus.map((c: { name: string; texts: number }) => `${c.name}: ${c.texts} texts`).join('; ')}), ${report.train_tokens.toLocaleString('en-US')} tokens packed into sequences of ${report.settings.seqLen}. Dev and test splits are held out.`);
if (vocabReport) md.push(`- Vocabulary: WordPiece trained on the same training corpus (\`vocab-report.json\`), ${cfg.vocab_size} pieces, chosen from a sweep — ${vocabSentence(vocabReport)}`);
md.push(`- Objective: masked language modelling, 15% of tokens chosen, 80% → [MASK], 10% random, 10% unchanged; no dropout, no next-sentence prediction.`);
const stageLines = (st: { settings: typeof report.settings; stopped_at?: number }, label: string) => {
  const out = [
    `- ${label}AdamW (β = 0.9, 0.999, ε = 1e-6, weight decay ${st.settings.weightDecay} except biases and LayerNorm), peak learning rate ${st.settings.lr}, ${st.settings.warmup} warm-up steps then linear decay to 0, gradient clipping at norm ${st.settings.maxGradNorm}, batch ${st.settings.batchSize} × ${st.settings.seqLen}, ${st.settings.steps} steps, seed ${st.settings.seed}.`
  ];
  if (st.stopped_at !== undefined && st.stopped_at < st.settings.steps)
    out.push(`  Stopped at step ${st.stopped_at} of the ${st.settings.steps}-step schedule (\`--stop-at ${st.stopped_at}\`: cut short to fit the time available on a 2-core machine without a GPU; the learning rate had decayed only to ${((st.settings.lr * (st.settings.steps - st.stopped_at)) / (st.settings.steps - st.settings.warmup)).toExponential(2)}).`);
  return out;
};
if (stage1) {
  md.push(...stageLines(stage1, 'Stage 1 (from random initialisation): '));
  md.push(...stageLines(report, 'Stage 2 (continued from stage 1 with `--init-from`, fresh optimizer state and schedule): '));
} else md.push(...stageLines(report, 'Optimiser: '));
md.push(`- Tokens seen: ${tokensSeen.toLocaleString('en-US')} (${(tokensSeen / report.train_tokens).toFixed(2)} epochs). Wall time: ${(wallSeconds / 60).toFixed(0)} min on ${report.machine.cpus} CPU cores (${report.machine.cpu_model}), WebGPU on ${report.machine.adapter} (no GPU), while other work shared the machine.`, '');
md.push('## Quality on held-out text', '');
md.push('| split | masked-token accuracy | unigram baseline | ratio | masked tokens |', '|---|---|---|---|---|');
md.push(`| dev | ${pct(report.held_out_dev.masked_accuracy)} | ${pct(report.held_out_dev.unigram_accuracy)} | ${(report.held_out_dev.masked_accuracy / report.held_out_dev.unigram_accuracy).toFixed(1)}× | ${report.held_out_dev.tokens} |`);
if (evalTest) md.push(`| test | ${pct(evalTest.masked_accuracy)} | ${pct(evalTest.unigram_accuracy)} | ${(evalTest.masked_accuracy / evalTest.unigram_accuracy).toFixed(1)}× | ${evalTest.tokens} |`);
const ratio = (evalTest ?? report.held_out_dev).masked_accuracy / (evalTest ?? report.held_out_dev).unigram_accuracy;
if (ratio < 3)
  md.push('', `**Below target.** The project asks for a masked-token accuracy of at least three times the unigram baseline's; this model reaches ${ratio.toFixed(1)}×. It has barely left the unigram plateau that masked-LM training goes through before it learns to use context: it needs many more tokens than a CPU session allows. Pretrain it longer on a GPU (the same command with more steps runs on any WebGPU adapter).`);
md.push('', 'The unigram baseline always guesses the most frequent training token; both are measured on the same masked positions (`rapt eval-mlm --model builtin --split test`).', '');
md.push(`During training (dev subset${stage1 ? '; step = stage:step' : ''}):`, '', '| step | masked accuracy | unigram | loss |', '|---|---|---|---|');
for (const e of card.evals) md.push(`| ${e.step} | ${pct(e.masked_accuracy)} | ${pct(e.unigram_accuracy)} | ${e.loss} |`);
md.push('', '## Nearest neighbours in the embedding table', '', 'Cosine similarity of word embeddings, for the 20 most frequent words of four or more letters in the corpus:', '');
md.push('| word | nearest five |', '|---|---|');
for (const n of neighbours) md.push(`| ${n.word} | ${n.neighbours.map((x) => `${x.token} (${x.cosine})`).join(', ')} |`);
md.push('', '## Limitations', '');
md.push('A small model trained briefly on a few megabytes of text (e-mail, political speeches, Moby Dick). Its embeddings still mostly encode how frequent a token is (the neighbours above are other frequent tokens, not synonyms), and its masked-token predictions, about three times as often right as always guessing the most frequent token, are still wrong nine times in ten. Its `[CLS]` state hardly varies between inputs (no next-sentence task, little training), which is why the tuning default reads the mean of the text states (README, "Tuning"). It is for demonstrating and testing privacy-preserving prompt tuning on a CPU, not for real use.', '');
writeFileSync(join(dir, 'README.md'), md.join('\n'));
console.log(`wrote ${join(dir, 'README.md')} and card.json`);

function vocabSentence(r: Record<string, unknown>): string {
  const sweep = (r.sweep ?? []) as { size: number; train?: { singleTokenFraction?: number; piecesPerWord?: number } }[];
  const parts = sweep
    .filter((x) => x.train?.singleTokenFraction !== undefined)
    .map((x) => `${x.size} pieces: ${(100 * x.train!.singleTokenFraction!).toFixed(1)}% of corpus words are one piece, ${x.train!.piecesPerWord!.toFixed(2)} pieces per word`);
  return (
    (parts.length ? parts.join('; ') + '. ' : '') +
    'Doubling to 16384 gains about five points of single-piece words but doubles the embedding table, already the largest part of this small model; halving to 4096 splits eight points more words.'
  );
}
