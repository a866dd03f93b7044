// tidy(): every tensor created inside is disposed at the end, except what the
// function returns and what keep() marks. Scopes nest.

import { Tensor, scopeHooks } from './tensor';

const stack: Set<Tensor>[] = [];

scopeHooks.onCreate = (t: Tensor) => {
  const top = stack[stack.length - 1];
  if (top) top.add(t);
};

type Kept = Tensor | Kept[] | { [k: string]: unknown } | null | undefined | number | string | boolean | void;

function collect(value: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 4 || value === null || value === undefined) return;
  if (value instanceof Tensor) out.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, out, depth + 1);
}

export function tidy<T extends Kept>(fn: () => T): T {
  const scope = new Set<Tensor>();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  stack.pop();
  const keepers = new Set<Tensor>();
  collect(result, keepers);
  for (const t of scope) if (!keepers.has(t)) t.dispose();
  // What survives belongs to the enclosing scope.
  const parent = stack[stack.length - 1];
  if (parent) for (const t of keepers) if (scope.has(t)) parent.add(t);
  return result;
}

/** Take a tensor out of every open scope: the caller now owns it. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of stack) s.delete(t);
  return t;
}
