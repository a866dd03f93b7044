// Input checks shared by the privatization mechanisms: budgets, tables and token ids.
// Every message names the mechanism, the parameter or the position.

import type { EmbeddingTable } from './types';

/** A privacy budget (η, ε) or other scale: required, finite and > 0. */
export function requirePositive(value: number | undefined, name: string, mechanism: string): number {
  if (value === undefined || value === null) throw new Error(`${mechanism}: ${name} is required (a finite number > 0)`);
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${mechanism}: ${name} must be a finite number > 0, got ${value}`);
  if (!Number.isFinite(value)) throw new Error(`${mechanism}: ${name} must be finite (> 0), got ${value}`);
  if (value <= 0) throw new Error(`${mechanism}: ${name} must be > 0, got ${value}`);
  return value;
}

export function validateTable(table: EmbeddingTable, mechanism: string): void {
  const { V, C, embeddings, candidates } = table;
  if (!Number.isInteger(V) || V <= 0 || !Number.isInteger(C) || C <= 0)
    throw new Error(`${mechanism}: embedding table must have V, C ≥ 1, got V = ${V}, C = ${C}`);
  if (embeddings.length !== V * C)
    throw new Error(`${mechanism}: embedding table has ${embeddings.length} values, expected V·C = ${V}·${C} = ${V * C}`);
  if (candidates.length === 0) throw new Error(`${mechanism}: embedding table has no candidate tokens to privatize to`);
  for (let k = 0; k < candidates.length; k++) {
    const id = candidates[k];
    if (id < 0 || id >= V) throw new Error(`${mechanism}: candidate ${id} (entry ${k}) is outside the table (${V} rows)`);
  }
}

/** Non-empty, and every id a row of the table. */
export function validateIds(ids: Int32Array, V: number, mechanism: string): void {
  if (!(ids instanceof Int32Array)) throw new Error(`${mechanism}: token ids must be an Int32Array`);
  if (ids.length === 0) throw new Error(`${mechanism}: empty input — nothing to privatize (give at least one token id)`);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= V)
      throw new Error(`${mechanism}: token id ${id} at position ${i} has no embedding (the table has ${V} rows, ids 0..${V - 1})`);
  }
}
