// Shared by the sweep tests: an XML well-formedness check for the SVG charts, an RFC 4180 CSV
// reader for the summaries, and a runner for the `rapt` CLI.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';

const REPO = resolve(__dirname, '..', '..', '..');

/** Minimal XML well-formedness: balanced, properly nested tags, quoted attributes, escaped text. */
export function checkXml(xml: string): { tags: Map<string, number> } {
  const tags = new Map<string, number>();
  const stack: string[] = [];
  const body = xml.replace(/^\s*<\?xml[^?]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const tokenRe = /<[^>]*>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const checkText = (t: string) => {
    expect(t, 'raw < in text').not.toMatch(/</);
    expect(t.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, ''), 'bare & in text').not.toMatch(/&/);
  };
  while ((m = tokenRe.exec(body))) {
    checkText(body.slice(last, m.index));
    last = m.index + m[0].length;
    const tok = m[0];
    const close = /^<\/([A-Za-z][\w:.-]*)\s*>$/.exec(tok);
    if (close) {
      expect(stack.pop(), `</${close[1]}> closes the wrong element`).toBe(close[1]);
      continue;
    }
    const open = /^<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/?)>$/.exec(tok);
    expect(open, `malformed tag ${tok.slice(0, 80)}`).not.toBeNull();
    const [, name, attrs, selfClose] = open!;
    const names = [...attrs.matchAll(/([A-Za-z_:][\w:.-]*)=/g)].map((a) => a[1]);
    expect(new Set(names).size, `duplicate attribute in ${tok.slice(0, 80)}`).toBe(names.length);
    checkText(attrs.replace(/="([^"]*)"/g, (_s, v: string) => v));
    tags.set(name, (tags.get(name) ?? 0) + 1);
    if (!selfClose) stack.push(name);
  }
  checkText(body.slice(last));
  expect(stack, 'unclosed elements').toEqual([]);
  return { tags };
}


/** RFC 4180 parser (quoted fields, doubled quotes, CRLF) for reading summary.csv back. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') (f += '"'), i++;
      else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(f), (f = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(f), rows.push(row), (row = []), (f = ''), i++;
    } else f += c;
  }
  if (f !== '' || row.length) row.push(f), rows.push(row);
  return rows;
}

/** Run bin/rapt.mjs with args; exit code, stdout and stderr. */
export function rapt(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/rapt.mjs', ...args], { cwd: REPO, timeout: 120_000, env: { ...process.env, RAPT_DEBUG: '', ...env } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) })
    );
  });
}
