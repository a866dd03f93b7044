// rapt tokenize --model DIR --texts FILE — one {input_ids, token_type_ids, attention_mask} per item, unpadded.
import { loadCheckpoint, printJson, readTexts, tokenizerFor } from '../runtime';

export async function tokenize(args: { model?: string; texts?: string }): Promise<void> {
  const items = readTexts(args.texts);
  const tok = tokenizerFor(await loadCheckpoint(args.model));
  printJson(items.map((it) => (typeof it === 'string' ? tok.encode(it) : tok.encode(it[0], it[1]))));
}
