/** Plain TypeScript references for the BLAS routines, in float64. */

/** C = alpha op(A) op(B) + beta C, row-major, like cblas_sgemm. */
export function naiveGemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
): Float64Array {
  const out = new Float64Array(c.length);
  out.set(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * lda + i] : a[i * lda + p];
        const bv = transB ? b[j * ldb + p] : b[p * ldb + j];
        s += av * bv;
      }
      out[i * ldc + j] = alpha * s + beta * c[i * ldc + j];
    }
  }
  return out;
}
