/**
 * The talk's network: 784 inputs, one hidden layer, 10 outputs, logistic sigmoid
 * activations on both layers, with biases. The matrix products run in OpenBLAS
 * (lib/native/blas.ts); the element-wise work is plain TypeScript loops.
 *
 * Shapes are written (rows, columns), row-major; B is the batch size, H the hidden
 * size. Weights use PyTorch's nn.Linear layout, (out, in), so the forward pass is
 * x W^T + b.
 *
 * @module
 */
import { saxpy, sgemm, sgemv } from "../native/blas.ts";
import { CLASSES, PIXELS } from "../data/mnist.ts";
import { Random } from "./random.ts";

/** Inputs of the network: one per pixel. */
export const INPUTS = PIXELS;
/** Outputs of the network: one per digit. */
export const OUTPUTS = CLASSES;

/**
 * Input scaling, as in the talk's reference: x / 255 * 0.99 + 0.01. Keeping every
 * input above zero means no input fully switches off its weights' updates.
 */
export const INPUT_SCALING = "x/255*0.99+0.01";
const SCALE = Float32Array.from(
  { length: 256 },
  (_, x) => x / 255 * 0.99 + 0.01,
);

/**
 * Gathers a minibatch: the images `order[first]` .. `order[first + rows - 1]` of
 * `images` (raw bytes, 784 each), scaled, into the rows of `out`.
 *
 * Scaling here rather than once for the whole set keeps the inputs at one byte a
 * pixel (47 MB instead of 188 MB of floats, whose first touch alone costs more
 * page faults than the scaling), and the batch, small and reused, stays in cache.
 */
export function gatherScaled(
  images: Uint8Array,
  order: Uint32Array,
  first: number,
  rows: number,
  out: Float32Array,
): void {
  if (out.length < rows * INPUTS || first + rows > order.length) {
    throw new RangeError(
      `gatherScaled: ${rows} rows from ${first} do not fit ${order.length} indices and ${out.length} outputs`,
    );
  }
  const count = images.length / INPUTS;
  for (let r = 0; r < rows; r++) {
    const i = order[first + r];
    if (i >= count) {
      throw new RangeError(`gatherScaled: image ${i} of ${count}`);
    }
    const src = i * INPUTS, dst = r * INPUTS;
    for (let k = 0; k < INPUTS; k++) out[dst + k] = SCALE[images[src + k]];
  }
}

/** Writes the scaled pixels of `pixels` into `out`, which must be as long. */
export function scaleInputs(pixels: Uint8Array, out: Float32Array): void {
  if (out.length < pixels.length) {
    throw new RangeError(
      `scaleInputs: output has ${out.length} elements, input ${pixels.length}`,
    );
  }
  for (let i = 0; i < pixels.length; i++) out[i] = SCALE[pixels[i]];
}

/**
 * Training targets are one-hot: 1 for the true digit, 0 for the others. With
 * cross-entropy each output is a one-vs-rest logistic regression, and its value
 * estimates the probability of its digit. The talk used 0.01/0.99 because its
 * squared error stalls where sigmoids saturate; with cross-entropy such soft
 * targets gave no better accuracy here, and 0/1 keeps the outputs probabilities.
 */
export const TARGETS = "one-hot 0/1";

/** The learnable parameters of one network, or gradients of the same shapes. */
export interface Parameters {
  /** (H, 784) hidden layer weights. */
  w1: Float32Array;
  /** (H) hidden layer biases. */
  b1: Float32Array;
  /** (10, H) output layer weights. */
  w2: Float32Array;
  /** (10) output layer biases. */
  b2: Float32Array;
}

/** The names of the parameter tensors. */
const KEYS = ["w1", "b1", "w2", "b2"] as const;

/** Zeroed parameters (or gradients) for `hidden` hidden units. */
export function zeroParameters(hidden: number): Parameters {
  checkHidden(hidden);
  return {
    w1: new Float32Array(hidden * INPUTS),
    b1: new Float32Array(hidden),
    w2: new Float32Array(OUTPUTS * hidden),
    b2: new Float32Array(OUTPUTS),
  };
}

function checkHidden(hidden: number) {
  if (!Number.isInteger(hidden) || hidden < 1 || hidden > 65536) {
    throw new RangeError(
      `hidden size must be an integer in 1..65536, got ${hidden}`,
    );
  }
}

/**
 * Buffers for one batch size: inputs, activations and their gradients. Allocated
 * once, so that forward and backward passes allocate nothing.
 */
export class Batch {
  readonly size: number;
  /** (B, 784) scaled inputs. */
  readonly x: Float32Array;
  /** (B, H) hidden activations. */
  readonly a1: Float32Array;
  /** (B, 10) output pre-activations (logits). */
  readonly z2: Float32Array;
  /** (B, 10) outputs. */
  readonly a2: Float32Array;
  /** (B, 10) loss gradient with respect to z2. */
  readonly dz2: Float32Array;
  /** (B, H) loss gradient with respect to the hidden pre-activations. */
  readonly dz1: Float32Array;
  /** (B) ones, to sum gradient rows into bias gradients. */
  readonly ones: Float32Array;

  constructor(size: number, hidden: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `batch size must be a positive integer, got ${size}`,
      );
    }
    checkHidden(hidden);
    this.size = size;
    this.x = new Float32Array(size * INPUTS);
    this.a1 = new Float32Array(size * hidden);
    this.z2 = new Float32Array(size * OUTPUTS);
    this.a2 = new Float32Array(size * OUTPUTS);
    this.dz2 = new Float32Array(size * OUTPUTS);
    this.dz1 = new Float32Array(size * hidden);
    this.ones = new Float32Array(size).fill(1);
  }
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

/** a[i] = sigmoid(a[i]) for the first n elements, from the table above. */
export function sigmoidInPlace(a: Float32Array, n: number): void {
  const table = SIGMOID_TABLE;
  for (let i = 0; i < n; i++) {
    let x = (a[i] + SIGMOID_RANGE) * SIGMOID_STEPS;
    // NaN fails both tests and comes out as NaN, for the loss check to see.
    if (x < 0) x = 0;
    else if (x > SIGMOID_LAST) x = SIGMOID_LAST;
    const k = x | 0;
    const lo = table[k];
    a[i] = lo + (x - k) * (table[k + 1] - lo);
  }
}

/** log(1 + e^x), without overflow for large x. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Writes `bias` into each of the first `rows` rows of `out`. */
function broadcastRows(out: Float32Array, bias: Float32Array, rows: number) {
  const w = bias.length;
  for (let r = 0; r < rows; r++) out.set(bias, r * w);
}

/** A 784-H-10 sigmoid network. */
export class Network {
  readonly hidden: number;
  readonly params: Parameters;
  #predictBatch: Batch | undefined;

  /** A network with the given parameters (taken, not copied). */
  constructor(params: Parameters) {
    const hidden = params.b1.length;
    const want = zeroParameters(hidden);
    for (const key of KEYS) {
      if (params[key].length !== want[key].length) {
        throw new RangeError(
          `${key} has ${
            params[key].length
          } elements, a 784-${hidden}-10 network needs ${want[key].length}`,
        );
      }
    }
    this.hidden = hidden;
    this.params = params;
  }

  /**
   * A network with random weights, uniform in +-4 sqrt(6 / (fan_in + fan_out)):
   * Glorot and Bengio's range, times four for sigmoid units (whose slope at zero
   * is 1/4), so that signals and gradients keep their scale through both layers.
   * It learns faster at the start than the talk's N(0, 1/fan_in). Biases start
   * at zero.
   */
  static random(hidden: number, rng: Random): Network {
    const p = zeroParameters(hidden);
    const fill = (w: Float32Array, fanIn: number, fanOut: number) => {
      const limit = 4 * Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * limit;
    };
    fill(p.w1, INPUTS, hidden);
    fill(p.w2, hidden, OUTPUTS);
    return new Network(p);
  }

  #checkBatch(batch: Batch, n: number) {
    if (batch.a1.length !== batch.size * this.hidden) {
      throw new RangeError(
        `batch buffers are for ${
          batch.a1.length / batch.size
        } hidden units, the network has ${this.hidden}`,
      );
    }
    if (!Number.isInteger(n) || n < 0 || n > batch.size) {
      throw new RangeError(`${n} rows do not fit a batch of ${batch.size}`);
    }
  }

  /** Forward pass over the first `n` rows of `batch.x`, filling a1, z2 and a2. */
  forward(batch: Batch, n: number): void {
    this.#checkBatch(batch, n);
    const { w1, b1, w2, b2 } = this.params;
    const H = this.hidden;
    // a1 = sigmoid(x W1^T + b1)            (n, H)
    broadcastRows(batch.a1, b1, n);
    sgemm(
      false,
      true,
      n,
      H,
      INPUTS,
      1,
      batch.x,
      INPUTS,
      w1,
      INPUTS,
      1,
      batch.a1,
      H,
    );
    sigmoidInPlace(batch.a1, n * H);
    // a2 = sigmoid(a1 W2^T + b2)           (n, 10)
    broadcastRows(batch.z2, b2, n);
    sgemm(
      false,
      true,
      n,
      OUTPUTS,
      H,
      1,
      batch.a1,
      H,
      w2,
      H,
      1,
      batch.z2,
      OUTPUTS,
    );
    const { z2, a2 } = batch;
    for (let i = 0; i < n * OUTPUTS; i++) a2[i] = 1 / (1 + Math.exp(-z2[i]));
  }

  /**
   * Loss of the last forward pass: binary cross-entropy of each sigmoid output
   * against its one-hot target, summed over outputs and averaged over the `n`
   * rows. It stays finite however saturated the outputs are.
   *
   * Why cross-entropy rather than the talk's squared error: with a sigmoid output
   * its gradient with respect to the logit is simply (a - t), without the factor
   * a(1 - a) that makes squared error learn slowly from confidently wrong outputs.
   */
  loss(batch: Batch, labels: ArrayLike<number>, n: number): number {
    const { z2, a2 } = batch;
    let sum = 0;
    for (let r = 0; r < n; r++) {
      const label = labels[r];
      for (let j = 0; j < OUTPUTS; j++) {
        const i = r * OUTPUTS + j;
        // The loss is -log(p), p the probability given to the target: a for the
        // label, 1 - a for the others. One log of the output suffices while p is
        // not tiny; below 0.01, float32 rounding of a would show, so use the
        // logit: -log(s(z)) = softplus(-z), -log(1 - s(z)) = softplus(z).
        const p = j === label ? a2[i] : 1 - a2[i];
        sum -= p > 0.01 ? Math.log(p) : -softplus(j === label ? -z2[i] : z2[i]);
      }
    }
    return sum / n;
  }

  /**
   * Backward pass for the last forward pass over `n` rows with these labels:
   * grads = d(loss)/d(params) + beta * grads. With beta = 0 that is the gradient;
   * with beta = momentum it is the momentum update, folded into the same sgemm.
   */
  backward(
    batch: Batch,
    labels: ArrayLike<number>,
    n: number,
    grads: Parameters,
    beta = 0,
  ): void {
    this.#checkBatch(batch, n);
    const H = this.hidden;
    const { w2 } = this.params;
    const { x, a1, a2, dz2, dz1, ones } = batch;
    // dz2 = (a2 - t) / n                    (n, 10)
    for (let r = 0; r < n; r++) {
      const label = labels[r];
      for (let j = 0; j < OUTPUTS; j++) {
        const i = r * OUTPUTS + j;
        dz2[i] = (a2[i] - (j === label ? 1 : 0)) / n;
      }
    }
    // dz1 = (dz2 W2) * a1 * (1 - a1)         (n, H)
    sgemm(false, false, n, H, OUTPUTS, 1, dz2, OUTPUTS, w2, H, 0, dz1, H);
    for (let i = 0; i < n * H; i++) {
      const a = a1[i];
      dz1[i] *= a * (1 - a);
    }
    // dW2 = dz2^T a1 (10, H); db2 = dz2^T 1 (10)
    sgemm(
      true,
      false,
      OUTPUTS,
      H,
      n,
      1,
      dz2,
      OUTPUTS,
      a1,
      H,
      beta,
      grads.w2,
      H,
    );
    sgemv(true, n, OUTPUTS, 1, dz2, OUTPUTS, ones, beta, grads.b2);
    // dW1 = dz1^T x (H, 784); db1 = dz1^T 1 (H)
    sgemm(
      true,
      false,
      H,
      INPUTS,
      n,
      1,
      dz1,
      H,
      x,
      INPUTS,
      beta,
      grads.w1,
      INPUTS,
    );
    sgemv(true, n, H, 1, dz1, H, ones, beta, grads.b1);
  }

  /** params += alpha * delta, e.g. alpha = -rate for a gradient step. */
  step(delta: Parameters, alpha: number): void {
    for (const key of KEYS) {
      saxpy(this.params[key].length, alpha, delta[key], this.params[key]);
    }
  }

  /**
   * Classifies `count` images of raw bytes (0-255, 784 each). Returns (count, 10)
   * probabilities: the sigmoid outputs normalised to sum to one per image.
   */
  predict(images: Uint8Array, count: number): Float32Array {
    if (images.length !== count * INPUTS) {
      throw new RangeError(
        `predict: ${images.length} bytes of images, ${count} images need ${
          count * INPUTS
        }`,
      );
    }
    const batch = this.#predictBatch ??= new Batch(1000, this.hidden);
    const out = new Float32Array(count * OUTPUTS);
    for (let start = 0; start < count; start += batch.size) {
      const n = Math.min(batch.size, count - start);
      scaleInputs(
        images.subarray(start * INPUTS, (start + n) * INPUTS),
        batch.x,
      );
      this.forward(batch, n);
      for (let r = 0; r < n; r++) {
        let sum = 0;
        for (let j = 0; j < OUTPUTS; j++) sum += batch.a2[r * OUTPUTS + j];
        for (let j = 0; j < OUTPUTS; j++) {
          out[(start + r) * OUTPUTS + j] = batch.a2[r * OUTPUTS + j] / sum;
        }
      }
    }
    return out;
  }
}

/** Index of the largest of the 10 values of row `r` in `probs`. */
export function argmaxRow(probs: Float32Array, r: number): number {
  let best = 0;
  for (let j = 1; j < OUTPUTS; j++) {
    if (probs[r * OUTPUTS + j] > probs[r * OUTPUTS + best]) best = j;
  }
  return best;
}
