/**
 * The network's maths, one layer at a time: a forward function and its
 * backward, outputs first and dimensions last, as in llm.c. `Network`
 * (lib/nn/network.ts) strings them together; the two-thread trainer
 * (lib/nn/parallel/) calls the same functions on its half of the hidden
 * units. Nothing here allocates.
 *
 * Shapes are written (rows, columns), row-major; n is the number of rows (the
 * images of a batch in use). Weights use PyTorch's nn.Linear layout, (out, in),
 * so a linear layer's forward pass is x W^T + b. Gradients are named after
 * what they are of: dW is d(loss)/d(W).
 *
 * @module
 */
import { sgemm, sgemv } from "../native/blas.ts";

/**
 * out = x W^T + b for n rows: x (n, C_in), W (C_out, C_in), b (C_out),
 * out (n, C_out). With b null, out += x W^T instead: the contribution of
 * some of a layer's inputs, when W is the columns of a wider weight matrix
 * whose rows are `ldW` apart (its leading dimension; C_in when W is whole).
 */
export function linearForward(
  out: Float32Array,
  x: Float32Array,
  W: Float32Array,
  b: Float32Array | null,
  n: number,
  C_in: number,
  C_out: number,
  ldW = C_in,
): void {
  if (b) broadcastRows(out, b, n);
  // (n, C_out) += (n, C_in) (C_in, C_out)
  sgemm(false, true, n, C_out, C_in, 1, x, C_in, W, ldW, 1, out, C_out);
}

/**
 * Backward of `linearForward()` given dout (n, C_out), with the gradients of
 * the parameters, times alpha, added to beta times their old values (beta =
 * 0: the gradient; beta = momentum: the momentum update; dW = W itself,
 * alpha = -rate and beta = 1: a plain SGD step; each folded into the same
 * sgemm):
 *   dx = dout W                       (n, C_in), skipped when dx is null
 *   dW = alpha dout^T x + beta dW     (C_out, C_in), rows `ldW` apart as W's
 *   db = alpha dout^T 1 + beta db     (C_out), skipped when db is null
 * `ones` holds at least n ones. dx is computed first, from W as it was.
 */
export function linearBackward(
  dx: Float32Array | null,
  dW: Float32Array,
  db: Float32Array | null,
  dout: Float32Array,
  x: Float32Array,
  W: Float32Array,
  ones: Float32Array,
  n: number,
  C_in: number,
  C_out: number,
  beta: number,
  ldW = C_in,
  alpha = 1,
): void {
  // (n, C_in) = (n, C_out) (C_out, C_in)
  if (dx) {
    sgemm(false, false, n, C_in, C_out, 1, dout, C_out, W, ldW, 0, dx, C_in);
  }
  // (C_out, C_in) = alpha (C_out, n) (n, C_in) + beta dW
  sgemm(
    true,
    false,
    C_out,
    C_in,
    n,
    alpha,
    dout,
    C_out,
    x,
    C_in,
    beta,
    dW,
    ldW,
  );
  if (db) sgemv(true, n, C_out, alpha, dout, C_out, ones, beta, db); // column sums
}

/** Writes `bias` into each of the first `rows` rows of `out`. */
function broadcastRows(out: Float32Array, bias: Float32Array, rows: number) {
  const w = bias.length;
  for (let r = 0; r < rows; r++) out.set(bias, r * w);
}

/**
 * The hidden layer's sigmoid, from a table with linear interpolation. Math.exp
 * costs about 15 ns in V8, and a 784-200-10 network evaluates 12 million hidden
 * sigmoids per epoch, which made them cost as much as all the matrix products;
 * the table is five times faster. Steps of 1/256 over [-16, 16] keep the error
 * below 3e-7 (interpolation 1.9e-7 plus float32 rounding); beyond the range it is
 * within 1.2e-7 of 0 or 1 and is clamped there.
 */
const SIGMOID_RANGE = 16;
const SIGMOID_STEPS = 256; // table entries per unit of input
const SIGMOID_LAST = 2 * SIGMOID_RANGE * SIGMOID_STEPS;
const SIGMOID_TABLE = Float32Array.from(
  { length: SIGMOID_LAST + 2 },
  (_, i) => 1 / (1 + Math.exp(-(i / SIGMOID_STEPS - SIGMOID_RANGE))),
);

/**
 * a = sigmoid(z) over N elements, in place (a holds z on entry), from the table
 * above. In place because the pre-activations are not needed again: the
 * backward pass needs only a.
 */
export function sigmoidForward(a: Float32Array, N: number): void {
  const table = SIGMOID_TABLE;
  for (let i = 0; i < N; i++) {
    let x = (a[i] + SIGMOID_RANGE) * SIGMOID_STEPS;
    // NaN fails both tests and comes out as NaN, for the loss check to see.
    if (x < 0) x = 0;
    else if (x > SIGMOID_LAST) x = SIGMOID_LAST;
    const k = x | 0;
    const lo = table[k];
    a[i] = lo + (x - k) * (table[k + 1] - lo);
  }
}

/**
 * Backward of `sigmoidForward()` with outputs a: dz = da * a (1 - a) over N
 * elements, in place (dz holds da on entry).
 */
export function sigmoidBackward(
  dz: Float32Array,
  a: Float32Array,
  N: number,
): void {
  for (let i = 0; i < N; i++) {
    const ai = a[i];
    dz[i] *= ai * (1 - ai);
  }
}

/**
 * The output layer's sigmoid, exact: ten per row cost nothing, and the loss
 * and the probabilities want every bit of the saturated ends.
 */
export function sigmoidExactForward(
  out: Float32Array,
  z: Float32Array,
  N: number,
): void {
  for (let i = 0; i < N; i++) out[i] = 1 / (1 + Math.exp(-z[i]));
}

/** log(1 + e^x), without overflow for large x. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * Binary cross-entropy of each sigmoid output a = s(z) (n, C) against its
 * one-hot target (1 for the label's output, 0 for the others; a label of C or
 * more has every target 0: "none of these"), summed over outputs and averaged
 * over the n rows. It stays finite however saturated the outputs are.
 *
 * Why cross-entropy rather than the talk's squared error: with a sigmoid
 * output its gradient with respect to the logit is simply (a - t), without
 * the factor a(1 - a) that makes squared error learn slowly from confidently
 * wrong outputs.
 */
export function crossEntropyForward(
  z: Float32Array,
  a: Float32Array,
  labels: ArrayLike<number>,
  n: number,
  C: number,
): number {
  let sum = 0;
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    // The loss is -log(p), p the probability given to the target: a for the
    // label, 1 - a for the others. The output suffices while p is not tiny,
    // and the row's such p are multiplied, for one log a row (over 0.01 each,
    // ten of them stay far above double's range); below 0.01, float32
    // rounding of a would show, so use the logit: -log(s(z)) = softplus(-z),
    // -log(1 - s(z)) = softplus(z).
    let product = 1;
    for (let j = 0; j < C; j++) {
      const i = r * C + j;
      const p = j === label ? a[i] : 1 - a[i];
      if (p > 0.01) product *= p;
      else sum += softplus(j === label ? -z[i] : z[i]);
    }
    sum -= Math.log(product);
  }
  return sum / n;
}

/**
 * Backward of the sigmoid outputs and their cross-entropy together, with
 * respect to the logits: dz = (a - t) / n (n, C). The sigmoid's a (1 - a)
 * cancels against the loss's 1 / (a (1 - a)), which is why cross-entropy
 * learns fast from confidently wrong outputs where squared error stalls.
 */
export function crossEntropyBackward(
  dz: Float32Array,
  a: Float32Array,
  labels: ArrayLike<number>,
  n: number,
  C: number,
): void {
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    for (let j = 0; j < C; j++) {
      const i = r * C + j;
      dz[i] = (a[i] - (j === label ? 1 : 0)) / n;
    }
  }
}

/**
 * The talk's loss: squared error of each sigmoid output a against its target,
 * 0.99 for the label's output and 0.01 for the others (every one 0.01 for a
 * label of C or more), halved, summed over outputs and averaged over the n
 * rows. Targets short of 0 and 1 keep the sigmoid out of the flat ends where
 * its slope, and so the error's gradient, vanishes.
 */
export function squaredErrorForward(
  _z: Float32Array,
  a: Float32Array,
  labels: ArrayLike<number>,
  n: number,
  C: number,
): number {
  let sum = 0;
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    for (let j = 0; j < C; j++) {
      const e = a[r * C + j] - (j === label ? 0.99 : 0.01);
      sum += e * e;
    }
  }
  return sum / (2 * n);
}

/**
 * Backward of the sigmoid outputs and their squared error together, with
 * respect to the logits: dz = (a - t) a (1 - a) / n (n, C). The factor
 * a (1 - a) is why squared error learns slowly from a confidently wrong
 * output.
 */
export function squaredErrorBackward(
  dz: Float32Array,
  a: Float32Array,
  labels: ArrayLike<number>,
  n: number,
  C: number,
): void {
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    for (let j = 0; j < C; j++) {
      const i = r * C + j, ai = a[i];
      dz[i] = (ai - (j === label ? 0.99 : 0.01)) * ai * (1 - ai) / n;
    }
  }
}

/** A loss of the sigmoid outputs: its forward and its backward (to the logits). */
export interface Loss {
  /** How a model file's metadata names it. */
  readonly name: string;
  /** How the metadata names its targets. */
  readonly targets: string;
  forward(
    z: Float32Array,
    a: Float32Array,
    labels: ArrayLike<number>,
    n: number,
    C: number,
  ): number;
  backward(
    dz: Float32Array,
    a: Float32Array,
    labels: ArrayLike<number>,
    n: number,
    C: number,
  ): void;
}

/**
 * The losses training may use, by the name its options give them.
 *
 * With cross-entropy, targets are one-hot: 1 for the true digit, 0 for the
 * others; each output is a one-vs-rest logistic regression, and its value
 * estimates the probability of its digit. The talk used 0.01/0.99 because its
 * squared error stalls where sigmoids saturate; with cross-entropy such soft
 * targets gave no better accuracy, and 0/1 keeps the outputs probabilities.
 */
export const LOSSES = {
  "cross-entropy": {
    name: "binary cross-entropy per output",
    targets: "one-hot 0/1",
    forward: crossEntropyForward,
    backward: crossEntropyBackward,
  },
  "squared-error": {
    name: "squared error per output",
    targets: "0.01/0.99",
    forward: squaredErrorForward,
    backward: squaredErrorBackward,
  },
} as const satisfies Record<string, Loss>;
