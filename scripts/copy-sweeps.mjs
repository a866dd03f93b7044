// Copies the committed sweeps the site ships (docs/sweeps/<name>/runs.jsonl) to
// static/sweeps/<name>/runs.jsonl and writes static/sweeps/index.json listing them, so the
// Frontier page can fetch them lazily. `npm run build` runs it first (prebuild); rerun it by hand
// after committing a new sweep:  node scripts/copy-sweeps.mjs   (--check: fail if a copy is stale)
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SRC = 'docs/sweeps';
const DST = 'static/sweeps';
const check = process.argv.includes('--check');

const sweeps = readdirSync(SRC, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(SRC, d.name, 'runs.jsonl')))
  .map((d) => d.name)
  .sort();

const index = JSON.stringify(
  { version: 1, source: 'docs/sweeps (copied by scripts/copy-sweeps.mjs)', sweeps: sweeps.map((name) => ({ name, path: `${name}/runs.jsonl` })) },
  null,
  2
) + '\n';

const stale = [];
const write = (path, text) => {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (old === text) return;
  if (check) stale.push(path);
  else {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
};
for (const name of sweeps) write(join(DST, name, 'runs.jsonl'), readFileSync(join(SRC, name, 'runs.jsonl'), 'utf8'));
write(join(DST, 'index.json'), index);
if (stale.length) {
  console.error(`stale copies (run node scripts/copy-sweeps.mjs): ${stale.join(', ')}`);
  process.exit(1);
}
