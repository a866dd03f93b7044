// static/models/index.json: the models the site ships. GPU-free.
//
//   { "version": 1, "default": "tiny-random",
//     "models": [ { "name", "path", "description", "card"?, "command"? } ] }
//
// `path` is a folder relative to static/models/ in the Hugging Face layout (config.json,
// model.safetensors, vocab.txt); `card`, when present, is a file relative to that folder.

export interface ModelEntry {
  name: string;
  path: string;
  description: string;
  card?: string;
  /** how the files were made, when a script made them */
  command?: string;
}

export interface ModelsIndex {
  version: number;
  default?: string;
  models: ModelEntry[];
}

export function parseModelsIndex(raw: unknown, source = 'models/index.json'): ModelsIndex {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: expected a JSON object`);
  const obj = raw as Record<string, unknown>;
  if (!Array.isArray(obj.models)) throw new Error(`${source}: "models" must be an array`);
  const models = obj.models.map((m, i): ModelEntry => {
    const e = m as Record<string, unknown>;
    for (const key of ['name', 'path', 'description'] as const) {
      if (typeof e?.[key] !== 'string' || (e[key] as string).length === 0)
        throw new Error(`${source}: models[${i}].${key} must be a non-empty string`);
    }
    for (const key of ['card', 'command'] as const) {
      if (e[key] !== undefined && typeof e[key] !== 'string') throw new Error(`${source}: models[${i}].${key} must be a string`);
    }
    return {
      name: e.name as string,
      path: e.path as string,
      description: e.description as string,
      ...(e.card !== undefined ? { card: e.card as string } : {}),
      ...(e.command !== undefined ? { command: e.command as string } : {})
    };
  });
  const def = typeof obj.default === 'string' ? obj.default : undefined;
  if (def !== undefined && !models.some((m) => m.name === def)) throw new Error(`${source}: default "${def}" is not among the models`);
  return { version: typeof obj.version === 'number' ? obj.version : 1, default: def, models };
}

/** The folder URL of a model (ending in "/"), resolved against the models/ folder URL. */
export function modelFolderUrl(entry: ModelEntry, modelsBase: string): string {
  const path = entry.path.endsWith('/') ? entry.path : entry.path + '/';
  return new URL(path, modelsBase.endsWith('/') ? modelsBase : modelsBase + '/').href;
}
