// A 2-D principal-component projection of a handful of points, in float64, for the Privatize
// page's embedding-neighbourhood chart. Fit on a small set (a token and its neighbours: n ≤ a
// few dozen rows of dimension C): centre the rows, take the top two eigenvectors of their n × n
// Gram matrix by cyclic Jacobi rotations (exact up to rounding, deterministic), and turn them
// into directions in R^C, v_k = Xᵀu_k / ‖Xᵀu_k‖. Any other point (a noisy draw) is projected
// onto the same plane, p ↦ ((p − mean)·v₁, (p − mean)·v₂).
// Signs are fixed so that each direction's largest-magnitude coordinate is positive (the same
// points always give the same picture). GPU-free and DOM-free.

export interface Projection2D {
  /** mean of the fitted rows, [C] */
  mean: Float64Array;
  /** the two directions, [2, C] row-major (orthonormal; the second is zero when the rows span one dimension) */
  directions: Float64Array;
  /** variance of the fitted rows along each direction */
  variances: [number, number];
  /** fraction of the fitted rows' total variance the plane keeps */
  explained: number;
  C: number;
}

/** Eigen-decomposition of a symmetric n × n matrix (row-major, overwritten) by cyclic Jacobi; returns eigenvalues and eigenvectors as columns of V. */
export function jacobiEigen(A: Float64Array, n: number, sweeps = 64): { values: Float64Array; vectors: Float64Array } {
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let s = 0; s < sweeps; s++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - sn * akq;
          A[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - sn * aqk;
          A[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - sn * vkq;
          V[k * n + q] = sn * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i];
  return { values, vectors: V };
}

/** Fit the plane of the top two principal directions of `rows` ([n, C] row-major, n ≥ 1). */
export function fitProjection2D(rows: ArrayLike<number>, n: number, C: number): Projection2D {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`fitProjection2D: need at least one row, got n = ${n}`);
  if (!(Number.isInteger(C) && C >= 1) || rows.length !== n * C) throw new Error(`fitProjection2D: ${rows.length} values for ${n} rows of dimension ${C}`);
  const mean = new Float64Array(C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) mean[c] += rows[i * C + c] / n;
  const X = new Float64Array(n * C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) X[i * C + c] = rows[i * C + c] - mean[c];
  const G = new Float64Array(n * n);
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += X[i * C + c] * X[j * C + c];
      G[i * n + j] = s;
      G[j * n + i] = s;
      if (i === j) total += s;
    }
  const { values, vectors } = jacobiEigen(G, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  const directions = new Float64Array(2 * C);
  const variances: [number, number] = [0, 0];
  for (let k = 0; k < 2 && k < n; k++) {
    const col = order[k];
    const lambda = values[col];
    if (!(lambda > 1e-12 * Math.max(total, 1e-300))) continue;
    const d = directions.subarray(k * C, k * C + C);
    for (let i = 0; i < n; i++) {
      const u = vectors[i * n + col];
      for (let c = 0; c < C; c++) d[c] += u * X[i * C + c];
    }
    let norm = 0;
    for (let c = 0; c < C; c++) norm += d[c] * d[c];
    norm = Math.sqrt(norm);
    let big = 0;
    for (let c = 0; c < C; c++) if (Math.abs(d[c]) > Math.abs(d[big])) big = c;
    const s = (d[big] < 0 ? -1 : 1) / norm;
    for (let c = 0; c < C; c++) d[c] *= s;
    variances[k] = lambda / n;
  }
  const explained = total > 0 ? (variances[0] + variances[1]) / (total / n) : 1;
  return { mean, directions, variances, explained, C };
}

/** The 2-D coordinates of one point (length C) on the fitted plane. */
export function project2D(p: Projection2D, point: ArrayLike<number>, offset = 0): [number, number] {
  const { C, mean, directions: d } = p;
  let x = 0,
    y = 0;
  for (let c = 0; c < C; c++) {
    const t = point[offset + c] - mean[c];
    x += t * d[c];
    y += t * d[C + c];
  }
  return [x, y];
}
