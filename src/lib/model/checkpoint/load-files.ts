// Browser: load a Hugging Face BERT model from user-picked files (an <input type="file" multiple>
// selection, a webkitdirectory folder pick, or drag and drop). Files are matched by name
// (config.json, model.safetensors or model.safetensors.index.json + shards, vocab.txt and/or
// tokenizer.json); other files are ignored. The weights are read tensor by tensor through
// Blob.slice, so progress can be shown while a large model loads.

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
import { readSafetensorsFromBlob, type LoadedTensor } from './safetensors';

export interface LoadFilesProgress {
  /** the file being read */
  file: string;
  /** bytes read so far, over all the files this load reads */
  loaded: number;
  /** bytes of all the files this load reads */
  total: number;
}

/** A picked file: a browser File (name, and webkitRelativePath for folder picks). */
type PickedFile = File & { webkitRelativePath?: string };

function displayPath(f: PickedFile): string {
  return f.webkitRelativePath && f.webkitRelativePath.length > 0 ? f.webkitRelativePath : f.name;
}

/** Loads and validates a BERT model from a list of files. Errors name the missing or faulty file. */
export async function loadBertFiles(
  fileList: Iterable<File> | ArrayLike<File>,
  onProgress?: (progress: LoadFilesProgress) => void
): Promise<BertCheckpoint> {
  const files = Array.from(fileList as ArrayLike<File>) as PickedFile[];
  const byName = new Map<string, PickedFile>();
  for (const f of files) {
    const prior = byName.get(f.name);
    if (prior) {
      throw new CheckpointFolderError(
        `two files are named ${f.name} (${displayPath(prior)} and ${displayPath(f)}): pick the files of one model folder`,
        f.name
      );
    }
    byName.set(f.name, f);
  }
  const picked = files.length === 0 ? 'no files' : files.map(displayPath).join(', ');
  const folder = (f: PickedFile | undefined): string | null =>
    f?.webkitRelativePath?.includes('/') ? f.webkitRelativePath.slice(0, f.webkitRelativePath.lastIndexOf('/')) : null;

  const config = byName.get(CONFIG_FILE);
  if (!config) {
    throw new CheckpointFolderError(`${CONFIG_FILE} is not among the picked files (${picked}); ${FOLDER_LAYOUT_HELP}`, CONFIG_FILE);
  }
  const source = folder(config) ?? `the ${files.length} picked files`;
  const vocab = byName.get(VOCAB_FILE) ?? null;
  const tokenizer = byName.get(TOKENIZER_FILE) ?? null;
  if (!vocab && !tokenizer) {
    throw new CheckpointFolderError(
      `neither ${VOCAB_FILE} nor ${TOKENIZER_FILE} is among the picked files (${picked}); ${FOLDER_LAYOUT_HELP}`,
      VOCAB_FILE
    );
  }

  // Which weight files to read.
  const single = byName.get(WEIGHTS_FILE);
  const index = byName.get(WEIGHTS_INDEX_FILE);
  let shards: { file: PickedFile; expected?: string[] }[];
  if (single) {
    shards = [{ file: single }];
  } else if (index) {
    const map = parseSafetensorsIndex(await index.text(), displayPath(index));
    shards = [];
    for (const [name, expected] of map) {
      const f = byName.get(name);
      if (!f) {
        throw new CheckpointFolderError(`${name} is listed in ${displayPath(index)} but is not among the picked files`, name);
      }
      shards.push({ file: f, expected });
    }
  } else {
    const other = UNSUPPORTED_WEIGHT_FILES.filter((f) => byName.has(f));
    throw new CheckpointFolderError(
      `${WEIGHTS_FILE} is not among the picked files (${picked})` +
        (other.length > 0
          ? `; ${other.join(', ')} cannot be read here: convert the model to safetensors first`
          : `; ${FOLDER_LAYOUT_HELP}`),
      WEIGHTS_FILE
    );
  }

  const textFiles = [config, vocab, tokenizer].filter((f): f is PickedFile => f !== null);
  const total = [...textFiles, ...shards.map((s) => s.file)].reduce((a, f) => a + f.size, 0);
  let done = 0;
  const readText = async (f: PickedFile): Promise<string> => {
    const text = await f.text();
    done += f.size;
    onProgress?.({ file: displayPath(f), loaded: done, total });
    return text;
  };

  const configText = await readText(config);
  const loaded: { file: string; tensors: Record<string, LoadedTensor>; expected?: string[] }[] = [];
  let metadata: Record<string, string> | null = null;
  for (const s of shards) {
    const path = displayPath(s.file);
    const base = done;
    const contents = await readSafetensorsFromBlob(
      s.file,
      (p) => onProgress?.({ file: path, loaded: base + p.loaded, total }),
      { source: path }
    );
    done = base + s.file.size;
    metadata ??= contents.metadata;
    loaded.push({ file: path, tensors: contents.tensors, expected: s.expected });
  }
  const tensors = single ? loaded[0].tensors : mergeShards(loaded, index ? displayPath(index) : WEIGHTS_INDEX_FILE);
  const vocabTxt = vocab ? await readText(vocab) : null;
  const tokenizerJson = tokenizer ? await readText(tokenizer) : null;

  return assembleBertCheckpoint({
    source,
    configText,
    configSource: displayPath(config),
    tensors,
    weightsSource: single ? displayPath(single) : index ? displayPath(index) : WEIGHTS_FILE,
    metadata,
    vocabTxt,
    tokenizerJson
  });
}
