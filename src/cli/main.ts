// rapt — the headless front door to RAPT Lab's library (Node, WebGPU through Dawn).
import { parseArgs } from 'node:util';
import { UsageError } from './runtime';
import { info } from './commands/info';
import { tokenize } from './commands/tokenize';
import { forward } from './commands/forward';
import { bench } from './commands/bench';
import { pretrain, PRETRAIN_OPTIONS } from './commands/pretrain';
import { evalMlm, EVAL_MLM_OPTIONS } from './commands/eval-mlm';
import { privatize, PRIVATIZE_OPTIONS } from './commands/privatize';
import { sweep, SWEEP_OPTIONS } from './commands/sweep';
import { tune, TUNE_OPTIONS } from './commands/tune';
import { attack, ATTACK_OPTIONS } from './commands/attack';

const USAGE = `rapt <command> [options]

  info                                   adapter and limits as JSON
  tokenize --model DIR|builtin --texts FILE
                                         FILE: JSON array of strings or [text, text_pair]
  forward  --model DIR|builtin --texts FILE
                                         last_hidden_state, pooler_output, mlm_top5 as JSON
  bench [--json] [--only pt-step,fwd,privatize,matmul] [--config tiny|small] [--steps N] [--warmup N] [--profile]
  pretrain --out DIR [--vocab FILE] [--layers 2 --hidden 128 --heads 2 --ffn 512 --seq 64]
           [--batch 32 --steps 2000 --lr 1e-3 --warmup 100 --weight-decay 0.01 --clip 1]
           [--eval-every 200 --eval-seqs 256 --checkpoint-every 50 --log-every 10 --seed 1] [--stop-at N] [--resume]
  eval-mlm --model DIR|builtin [--split test|dev] [--seq 128] [--batch 32] [--limit N]
  privatize --model DIR|builtin --mechanism dchi|laplace|santext|santext+|custext
           (--eta E | --epsilon E) [--clip C] [--no-project] [--p P --w W] [--k K] [--seed S]
           (--text "…" | --ids ID,ID,… [--trials N] [--top K])
                                         privatized tokens, guarantee and read-outs as JSON;
                                         --seed makes the run reproducible and NOT PRIVATE
  tune --model DIR|builtin --task NAME|FILE [--method prompt|prefix|lora|full] [--head mean|cls|verbalizer]
           [--mechanism none|dchi|laplace|santext|santext+|custext (--eta E | --epsilon E)]
           [--rapt --plain-tokens M --lambda L --recon-hidden C] [--prompt-length P] [--lora-rank R --lora-alpha A]
           [--steps N --batch B --lr LR --seed S --max-length T --train-limit N --eval-limit N]
                                         one run's config, metrics, replaced fraction, time as JSON
  sweep --config FILE.json --out DIR [--dry-run]
                                         runs a grid of tuning runs (resumable): DIR/runs.jsonl,
                                         summary.csv, summary.md (mean ± std over seeds), chart.svg
  attack --kind inversion-nn|inversion-learned|mask|attribute --model DIR|builtin --task NAME|FILE
           [--mechanism none|dchi|laplace|santext|santext+|custext (--eta E | --epsilon E)] [--attribute NAME]
           [--limit N --aux-limit N --max-length T --candidates N --samples K --window W --hidden H
            --steps N --batch B --lr LR --positions N] [--seed S] [--json]
                                         the attack's success, its baseline's, privacy = 1 − success as JSON

The JSON outputs are documented in README.md.`;

const commands: Record<string, (args: Record<string, string | boolean | undefined>) => Promise<void>> = {
  info: () => info(),
  tokenize: (a) => tokenize(a as { model?: string; texts?: string }),
  forward: (a) => forward(a as { model?: string; texts?: string }),
  bench: (a) => bench(a as { json?: boolean; only?: string; config?: string; steps?: string; warmup?: string; profile?: boolean }),
  pretrain: (a) => pretrain(a),
  'eval-mlm': (a) => evalMlm(a),
  privatize: (a) => privatize(a),
  tune: (a) => tune(a),
  sweep: (a) => sweep(a),
  attack: (a) => attack(a)
};

const COMMON_OPTIONS = {
  model: { type: 'string' },
  texts: { type: 'string' },
  json: { type: 'boolean' },
  only: { type: 'string' },
  config: { type: 'string' },
  steps: { type: 'string' },
  warmup: { type: 'string' },
  profile: { type: 'boolean' }
} as const;

const OPTIONS: Record<string, Record<string, { type: 'string' | 'boolean' }>> = {
  pretrain: PRETRAIN_OPTIONS,
  'eval-mlm': EVAL_MLM_OPTIONS,
  privatize: PRIVATIZE_OPTIONS,
  tune: TUNE_OPTIONS,
  sweep: SWEEP_OPTIONS,
  attack: ATTACK_OPTIONS
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  const run = commands[cmd];
  if (!run) throw new UsageError(`unknown command "${cmd}"\n\n${USAGE}`);
  const { values } = parseArgs({ args: rest, options: OPTIONS[cmd] ?? COMMON_OPTIONS, strict: true });
  await run(values);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e as Error;
    process.stderr.write(`rapt: ${err.name && err.name !== 'Error' ? err.name + ': ' : ''}${err.message}\n`);
    if (process.env.RAPT_DEBUG) process.stderr.write(String(err.stack) + '\n');
    process.exit(err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1);
  }
);
