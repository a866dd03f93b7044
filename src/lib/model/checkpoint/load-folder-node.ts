// Node: load a Hugging Face BERT folder from disk (config.json, model.safetensors or a sharded
// model.safetensors.index.json, vocab.txt and/or tokenizer.json). The vocabulary files are
// returned as raw text for the tokenizer (src/lib/model/tokenizer) to parse.

import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assembleBertCheckpoint,
  CheckpointFolderError,
  CONFIG_FILE,
  FOLDER_LAYOUT_HELP,
  mergeShards,
  parseSafetensorsIndex,
  TOKENIZER_FILE,
  UNSUPPORTED_WEIGHT_FILES,
  VOCAB_FILE,
  WEIGHTS_FILE,
  WEIGHTS_INDEX_FILE,
  type BertCheckpoint
} from './bert-checkpoint';
import { readSafetensors, type LoadedTensor } from './safetensors';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readTextIfExists(path: string): Promise<string | null> {
  return (await isFile(path)) ? readFile(path, 'utf8') : null;
}

/** Loads and validates a Hugging Face BERT folder. Errors name the missing or faulty file. */
export async function loadBertFolder(dir: string): Promise<BertCheckpoint> {
  let entries: string[];
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new CheckpointFolderError(`${dir} is not a folder (${FOLDER_LAYOUT_HELP})`, dir);
    entries = await readdir(dir);
  } catch (e) {
    if (e instanceof CheckpointFolderError) throw e;
    throw new CheckpointFolderError(`model folder ${dir} cannot be read: ${(e as Error).message}`, dir);
  }

  const configPath = join(dir, CONFIG_FILE);
  const configText = await readTextIfExists(configPath);
  if (configText === null) {
    throw new CheckpointFolderError(`${configPath} not found (${FOLDER_LAYOUT_HELP})`, configPath);
  }

  const weightsPath = join(dir, WEIGHTS_FILE);
  const indexPath = join(dir, WEIGHTS_INDEX_FILE);
  let tensors: Record<string, LoadedTensor>;
  let metadata: Record<string, string> | null = null;
  let weightsSource = weightsPath;
  if (await isFile(weightsPath)) {
    const contents = readSafetensors(await readFile(weightsPath), { source: weightsPath });
    tensors = contents.tensors;
    metadata = contents.metadata;
  } else if (await isFile(indexPath)) {
    const shards = parseSafetensorsIndex(await readFile(indexPath, 'utf8'), indexPath);
    const loaded = [];
    for (const [file, expected] of shards) {
      const path = join(dir, file);
      if (!(await isFile(path))) {
        throw new CheckpointFolderError(`${path} not found (listed in ${indexPath})`, path);
      }
      const contents = readSafetensors(await readFile(path), { source: path });
      metadata ??= contents.metadata;
      loaded.push({ file: path, tensors: contents.tensors, expected });
    }
    tensors = mergeShards(loaded, indexPath);
    weightsSource = indexPath;
  } else {
    const other = UNSUPPORTED_WEIGHT_FILES.filter((f) => entries.includes(f));
    throw new CheckpointFolderError(
      `${weightsPath} not found` +
        (other.length > 0
          ? `; the folder has ${other.join(', ')}, which this loader cannot read: convert it to safetensors ` +
            `(in Python: model.save_pretrained(dir, safe_serialization=True))`
          : ` (${FOLDER_LAYOUT_HELP})`),
      weightsPath
    );
  }

  return assembleBertCheckpoint({
    source: dir,
    configText,
    configSource: configPath,
    tensors,
    weightsSource,
    metadata,
    vocabTxt: await readTextIfExists(join(dir, VOCAB_FILE)),
    tokenizerJson: await readTextIfExists(join(dir, TOKENIZER_FILE))
  });
}
