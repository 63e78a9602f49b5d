/**
 * The talk's network: 784 inputs, one hidden layer, 10 outputs, logistic sigmoid
 * activations on both layers, with biases. The matrix products run in OpenBLAS
 * (lib/native/blas.ts); the element-wise work is plain TypeScript loops.
 *
 * Shapes are written (rows, columns), row-major; B is the batch size, n the rows
 * of it in use, H the hidden size. Weights use PyTorch's nn.Linear layout,
 * (out, in), so a layer's forward pass is x W^T + b.
 *
 * The maths reads as in llm.c: each layer has a forward and a backward
 * function, outputs first and dimensions last, and `Network` strings them
 * together. Gradients are named after what they are of: dW1 is d(loss)/d(W1).
 * Every buffer is allocated with the batch (`Batch`) or the parameters, so
 * forward and backward passes allocate nothing.
 *
 * @module
 */
import { matmul, saxpy, sgemm, sgemv, sscal } from "../native/blas.ts";
import { CLASSES, PIXELS } from "../data/mnist.ts";
import { Random } from "../random.ts";

/** Inputs of the network: one per pixel. */
export const INPUTS = PIXELS;
/** Outputs of the network: one per digit. */
export const OUTPUTS = CLASSES;

/**
 * Input scaling, as in the talk's reference: x / 255 * 0.99 + 0.01. Keeping every
 * input above zero means no input fully switches off its weights' updates.
 */
export const INPUT_SCALING = "x/255*0.99+0.01";
/** The scaled input of each byte value 0-255. */
export const SCALE = Float32Array.from(
  { length: 256 },
  (_, x) => x / 255 * 0.99 + 0.01,
);

/**
 * Checks the arguments of a function that gathers `rows` images, named by
 * order[first ..], into the rows of `out`; `what` names it in the message.
 * The gatherers check each index against their set as they read it.
 */
export function checkGather(
  what: string,
  order: Uint32Array,
  first: number,
  rows: number,
  out: Float32Array,
): void {
  if (out.length < rows * INPUTS || first + rows > order.length) {
    throw new RangeError(
      `${what}: ${rows} rows from ${first} do not fit ${order.length} indices and ${out.length} outputs`,
    );
  }
}

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
  checkGather("gatherScaled", order, first, rows, out);
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

/**
 * Gathers a minibatch from images already scaled (by `scaleInputs()`): rows
 * `order[first]` .. `order[first + rows - 1]` of `scaled` (784 floats each) into
 * the rows of `out`. A row is one memory copy, half the time of scaling its
 * bytes through the table; for training, where every epoch gathers every
 * image, that pays for scaling the whole set once (4 bytes a pixel).
 */
export function gatherRows(
  scaled: Float32Array,
  order: Uint32Array,
  first: number,
  rows: number,
  out: Float32Array,
): void {
  checkGather("gatherRows", order, first, rows, out);
  const count = scaled.length / INPUTS;
  for (let r = 0; r < rows; r++) {
    const i = order[first + r];
    if (i >= count) {
      throw new RangeError(`gatherRows: image ${i} of ${count}`);
    }
    out.set(scaled.subarray(i * INPUTS, (i + 1) * INPUTS), r * INPUTS);
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

/**
 * Zeroed parameters (or gradients) for `hidden` hidden units, as views of one
 * buffer in the order w1, b1, w2, b2, so that a step over all of them is one
 * saxpy (see `contiguous()`). `shared`: in a SharedArrayBuffer, for workers.
 */
export function zeroParameters(
  hidden: number,
  { shared = false }: { shared?: boolean } = {},
): Parameters {
  checkHidden(hidden);
  const count = parameterCount(hidden);
  const all = shared
    ? new Float32Array(new SharedArrayBuffer(count * 4))
    : new Float32Array(count);
  return parameterViews(all, hidden);
}

/**
 * The parameters of `hidden` hidden units as views of `all`, in the order
 * w1, b1, w2, b2 (the layout of `zeroParameters()`).
 */
export function parameterViews(all: Float32Array, hidden: number): Parameters {
  let at = 0;
  const take = (n: number) => all.subarray(at, at += n);
  return {
    w1: take(hidden * INPUTS),
    b1: take(hidden),
    w2: take(OUTPUTS * hidden),
    b2: take(OUTPUTS),
  };
}

/** The number of parameters of a 784-`hidden`-10 network. */
function parameterCount(hidden: number): number {
  return hidden * INPUTS + hidden + OUTPUTS * hidden + OUTPUTS;
}

/**
 * All of `p` as one array when its tensors lie back to back in one buffer in
 * the order w1, b1, w2, b2 (as `zeroParameters()` makes them), else undefined.
 */
function contiguous(p: Parameters): Float32Array | undefined {
  const { w1, b1, w2, b2 } = p;
  const buffer = w1.buffer;
  if (
    b1.buffer !== buffer || w2.buffer !== buffer || b2.buffer !== buffer ||
    b1.byteOffset !== w1.byteOffset + w1.byteLength ||
    w2.byteOffset !== b1.byteOffset + b1.byteLength ||
    b2.byteOffset !== w2.byteOffset + w2.byteLength
  ) return undefined;
  return new Float32Array(
    buffer,
    w1.byteOffset,
    parameterCount(b1.length),
  );
}

/**
 * Checks that `p` holds parameters of a 784-`hidden`-10 network; `what`
 * starts the message.
 */
function checkShapes(p: Parameters, hidden: number, what: string) {
  for (const key of KEYS) {
    const want = key === "w1"
      ? hidden * INPUTS
      : key === "b1"
      ? hidden
      : key === "w2"
      ? OUTPUTS * hidden
      : OUTPUTS;
    if (p[key].length !== want) {
      throw new RangeError(
        `${what}${key} has ${
          p[key].length
        } elements, a 784-${hidden}-10 network needs ${want}`,
      );
    }
  }
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
  /** (B, H) hidden activations (the pre-activations z1 until the sigmoid). */
  readonly a1: Float32Array;
  /** (B, 10) output pre-activations (logits). */
  readonly z2: Float32Array;
  /** (B, 10) outputs. */
  readonly a2: Float32Array;
  /** (B, 10) loss gradient with respect to z2. */
  readonly dz2: Float32Array;
  /**
   * (B, H) loss gradient with respect to the hidden pre-activations (with
   * respect to the activations a1 until the sigmoid's backward).
   */
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

// ---------------------------------------------------------------------------
// Layers: each forward has its backward, outputs first, dimensions last.

/**
 * out = x W^T + b, for n rows: x (n, C_in), W (C_out, C_in), b (C_out),
 * out (n, C_out).
 */
function linearForward(
  out: Float32Array,
  x: Float32Array,
  W: Float32Array,
  b: Float32Array,
  n: number,
  C_in: number,
  C_out: number,
): void {
  broadcastRows(out, b, n);
  matmul(out, x, W, n, C_out, C_in, "NT", 1); // (n, C_out) += (n, C_in) (C_in, C_out)
}

/**
 * Backward of `linearForward()` given dout (n, C_out), with the gradients of
 * the parameters added to beta times their old values (beta = 0: the gradient;
 * beta = momentum: the momentum update, folded into the same sgemm):
 *   dx = dout W                   (n, C_in), skipped when dx is null
 *   dW = dout^T x + beta dW       (C_out, C_in)
 *   db = dout^T 1 + beta db       (C_out)
 */
function linearBackward(
  dx: Float32Array | null,
  dW: Float32Array,
  db: Float32Array,
  dout: Float32Array,
  x: Float32Array,
  W: Float32Array,
  ones: Float32Array,
  n: number,
  C_in: number,
  C_out: number,
  beta: number,
): void {
  if (dx) matmul(dx, dout, W, n, C_in, C_out); // (n, C_in) = (n, C_out) (C_out, C_in)
  matmul(dW, dout, x, C_out, C_in, n, "TN", beta); // (C_out, C_in) = (C_out, n) (n, C_in)
  sgemv(true, n, C_out, 1, dout, C_out, ones, beta, db); // column sums
}

/**
 * a = sigmoid(z) over N elements, in place (a holds z on entry), from the table
 * above. In place because the pre-activations are not needed again: the
 * backward pass needs only a.
 */
function sigmoidForward(a: Float32Array, N: number): void {
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
function sigmoidBackward(dz: Float32Array, a: Float32Array, N: number): void {
  for (let i = 0; i < N; i++) {
    const ai = a[i];
    dz[i] *= ai * (1 - ai);
  }
}

/** a[i] = sigmoid(a[i]) for the first n elements, as the hidden layer does. */
export function sigmoidInPlace(a: Float32Array, n: number): void {
  sigmoidForward(a, n);
}

/**
 * The output layer's sigmoid, exact: ten per row cost nothing, and the loss
 * and the probabilities want every bit of the saturated ends.
 */
function sigmoidExactForward(out: Float32Array, z: Float32Array, N: number) {
  for (let i = 0; i < N; i++) out[i] = 1 / (1 + Math.exp(-z[i]));
}

/** log(1 + e^x), without overflow for large x. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * Binary cross-entropy of each sigmoid output a = s(z) (n, 10) against its
 * one-hot target, summed over outputs and averaged over the n rows. It stays
 * finite however saturated the outputs are.
 */
function crossEntropyForward(
  z: Float32Array,
  a: Float32Array,
  labels: ArrayLike<number>,
  n: number,
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
    for (let j = 0; j < OUTPUTS; j++) {
      const i = r * OUTPUTS + j;
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
 * respect to the logits: dz = (a - t) / n (n, 10). The sigmoid's a (1 - a)
 * cancels against the loss's 1 / (a (1 - a)), which is why cross-entropy
 * learns fast from confidently wrong outputs where squared error stalls.
 */
function crossEntropyBackward(
  dz: Float32Array,
  a: Float32Array,
  labels: ArrayLike<number>,
  n: number,
): void {
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    for (let j = 0; j < OUTPUTS; j++) {
      const i = r * OUTPUTS + j;
      dz[i] = (a[i] - (j === label ? 1 : 0)) / n;
    }
  }
}

/** Writes `bias` into each of the first `rows` rows of `out`. */
function broadcastRows(out: Float32Array, bias: Float32Array, rows: number) {
  const w = bias.length;
  for (let r = 0; r < rows; r++) out.set(bias, r * w);
}

/**
 * Checks labels for `n` rows: at least n of them, each an integer 0-9. A label
 * out of range would silently train towards no digit at all.
 */
function checkLabels(what: string, labels: ArrayLike<number>, n: number) {
  if (labels.length < n) {
    throw new RangeError(
      `${what}: ${labels.length} labels for ${n} rows`,
    );
  }
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    if (!(Number.isInteger(label) && label >= 0 && label < OUTPUTS)) {
      throw new RangeError(
        `${what}: labels[${r}] is ${label}, expected an integer 0-9`,
      );
    }
  }
}

/** A 784-H-10 sigmoid network. */
export class Network {
  readonly hidden: number;
  readonly params: Parameters;
  /** All parameters as one array, where they lie back to back (see step()). */
  readonly #flat: Float32Array | undefined;
  /** The tensors last given to step() as delta, and their one array, if any. */
  #delta: Float32Array[] = [];
  #deltaFlat: Float32Array | undefined;
  #predictBatch: Batch | undefined;

  /** A network with the given parameters (taken, not copied). */
  constructor(params: Parameters) {
    const hidden = params.b1.length;
    checkHidden(hidden);
    checkShapes(params, hidden, "");
    this.hidden = hidden;
    this.params = params;
    this.#flat = contiguous(params);
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

  #checkBatch(what: string, batch: Batch, n: number, least = 0) {
    if (batch.a1.length !== batch.size * this.hidden) {
      throw new RangeError(
        `${what}: batch buffers are for ${
          batch.a1.length / batch.size
        } hidden units, the network has ${this.hidden}`,
      );
    }
    if (!Number.isInteger(n) || n < least || n > batch.size) {
      throw new RangeError(
        n > batch.size
          ? `${what}: ${n} rows do not fit a batch of ${batch.size}`
          : `${what}: n is ${n}, expected an integer from ${least} to the batch size ${batch.size}`,
      );
    }
  }

  /** Forward pass over the first `n` rows of `batch.x`, filling a1, z2 and a2. */
  forward(batch: Batch, n: number): void {
    this.#checkBatch("forward", batch, n);
    const { w1: W1, b1, w2: W2, b2 } = this.params;
    const H = this.hidden;
    const { x, a1, z2, a2 } = batch;
    linearForward(a1, x, W1, b1, n, INPUTS, H); // z1 (n, H), kept in a1
    sigmoidForward(a1, n * H); // a1 (n, H)
    linearForward(z2, a1, W2, b2, n, H, OUTPUTS); // z2 (n, 10)
    sigmoidExactForward(a2, z2, n * OUTPUTS); // a2 (n, 10)
  }

  /**
   * Loss of the last forward pass over `n` rows with these labels: binary
   * cross-entropy of each sigmoid output against its one-hot target, summed
   * over outputs and averaged over the rows.
   *
   * Why cross-entropy rather than the talk's squared error: with a sigmoid output
   * its gradient with respect to the logit is simply (a - t), without the factor
   * a(1 - a) that makes squared error learn slowly from confidently wrong outputs.
   */
  loss(batch: Batch, labels: ArrayLike<number>, n: number): number {
    this.#checkBatch("loss", batch, n, 1);
    checkLabels("loss", labels, n);
    return crossEntropyForward(batch.z2, batch.a2, labels, n);
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
    this.#checkBatch("backward", batch, n, 1);
    checkLabels("backward", labels, n);
    checkShapes(grads, this.hidden, "backward: gradient ");
    const H = this.hidden;
    const { w1: W1, w2: W2 } = this.params;
    const { w1: dW1, b1: db1, w2: dW2, b2: db2 } = grads;
    const { x, a1, a2, dz2, dz1, ones } = batch;
    crossEntropyBackward(dz2, a2, labels, n); // dz2 (n, 10)
    // dz1 holds da1 (n, H) until the sigmoid's backward makes it dz1.
    linearBackward(dz1, dW2, db2, dz2, a1, W2, ones, n, H, OUTPUTS, beta);
    sigmoidBackward(dz1, a1, n * H); // dz1 (n, H)
    linearBackward(null, dW1, db1, dz1, x, W1, ones, n, INPUTS, H, beta);
  }

  /**
   * params += alpha * delta, e.g. alpha = -rate for a gradient step. When both
   * lie back to back in one buffer each (see `zeroParameters()`), that is one
   * saxpy instead of four.
   */
  step(delta: Parameters, alpha: number): void {
    const seen = this.#delta;
    if (
      delta.w1 !== seen[0] || delta.b1 !== seen[1] || delta.w2 !== seen[2] ||
      delta.b2 !== seen[3]
    ) {
      checkShapes(delta, this.hidden, "step: delta ");
      this.#delta = [delta.w1, delta.b1, delta.w2, delta.b2];
      this.#deltaFlat = contiguous(delta);
    }
    const flat = this.#flat, deltaFlat = this.#deltaFlat;
    if (flat && deltaFlat) {
      saxpy(flat.length, alpha, deltaFlat, flat);
      return;
    }
    for (const key of KEYS) {
      saxpy(this.params[key].length, alpha, delta[key], this.params[key]);
    }
  }

  /**
   * Weight decay: W1 and W2 *= 1 - factor, biases untouched (they set where a
   * unit switches, not how strongly it reacts, and shrinking them regularises
   * nothing). `factor` is in [0, 1), typically rate * lambda.
   */
  decayWeights(factor: number): void {
    if (!(factor >= 0 && factor < 1)) {
      throw new RangeError(
        `decayWeights: factor must be in [0, 1), got ${factor}`,
      );
    }
    const { w1: W1, w2: W2 } = this.params;
    sscal(W1.length, 1 - factor, W1);
    sscal(W2.length, 1 - factor, W2);
  }

  /**
   * The sigmoid outputs for `count` images of raw bytes (0-255, 784 each):
   * (count, 10) values in (0, 1), each output's own estimate that the image is
   * its digit, not normalised: all of them low means "like no digit".
   */
  outputs(images: Uint8Array, count: number): Float32Array {
    if (!Number.isInteger(count) || images.length !== count * INPUTS) {
      throw new RangeError(
        `${images.length} bytes of images, ${count} images need ${
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
      out.set(batch.a2.subarray(0, n * OUTPUTS), start * OUTPUTS);
    }
    return out;
  }

  /**
   * Classifies `count` images of raw bytes (0-255, 784 each). Returns (count, 10)
   * probabilities: the sigmoid outputs normalised to sum to one per image.
   */
  predict(images: Uint8Array, count: number): Float32Array {
    let out: Float32Array;
    try {
      out = this.outputs(images, count);
    } catch (e) {
      if (e instanceof RangeError) {
        throw new RangeError(`predict: ${e.message}`);
      }
      throw e;
    }
    for (let r = 0; r < count; r++) {
      let sum = 0;
      for (let j = 0; j < OUTPUTS; j++) sum += out[r * OUTPUTS + j];
      for (let j = 0; j < OUTPUTS; j++) out[r * OUTPUTS + j] /= sum;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// The network split by hidden units, for two threads (lib/nn/_split_train.ts):
// each thread owns a block of h hidden units, with its rows of W1 and b1 and
// its own (B, h) activations, and the output layer reads both blocks. Splitting
// by units needs no sums of partial gradients: each block's dW1 rows are its own.

/**
 * Forward pass of one block of h hidden units over n rows: a1h = sigmoid(x
 * W1h^T + b1h), with x (n, 784), W1h (h, 784), b1h (h), a1h (n, h).
 */
export function hiddenBlockForward(
  a1h: Float32Array,
  x: Float32Array,
  W1h: Float32Array,
  b1h: Float32Array,
  n: number,
  h: number,
): void {
  linearForward(a1h, x, W1h, b1h, n, INPUTS, h);
  sigmoidForward(a1h, n * h);
}

/**
 * Backward pass of one block given da1h (n, h) in dz1h: dz1h becomes the
 * pre-activation gradient, then dW1h = dz1h^T x + beta dW1h and db1h = dz1h^T 1
 * + beta db1h.
 */
export function hiddenBlockBackward(
  dW1h: Float32Array,
  db1h: Float32Array,
  dz1h: Float32Array,
  a1h: Float32Array,
  x: Float32Array,
  ones: Float32Array,
  n: number,
  h: number,
  beta: number,
): void {
  sigmoidBackward(dz1h, a1h, n * h);
  matmul(dW1h, dz1h, x, h, INPUTS, n, "TN", beta); // (h, 784) = (h, n) (n, 784)
  sgemv(true, n, h, 1, dz1h, h, ones, beta, db1h); // column sums
}

/**
 * The output layer over hidden blocks: blocks[i] (n, h_i) holds units
 * starts[i] .. starts[i] + h_i of H. Computes z2 and a2 (n, 10), returns the
 * loss, then writes dz2, each block's da1 into das[i] (n, h_i), and dW2 = dz2^T
 * a1 + beta dW2, db2 = dz2^T 1 + beta db2. W2 (10, H) is read before anything
 * else changes it.
 */
export function outputLayerOverBlocks(
  blocks: Float32Array[],
  das: Float32Array[],
  starts: number[],
  W2: Float32Array,
  b2: Float32Array,
  dW2: Float32Array,
  db2: Float32Array,
  z2: Float32Array,
  a2: Float32Array,
  dz2: Float32Array,
  ones: Float32Array,
  labels: ArrayLike<number>,
  n: number,
  H: number,
  beta: number,
): number {
  broadcastRows(z2, b2, n);
  for (let i = 0; i < blocks.length; i++) {
    const h = blocks[i].length / ones.length, W2h = W2.subarray(starts[i]);
    // z2 (n, 10) += a1h (n, h) W2h^T, W2h the (10, h) columns of W2
    sgemm(false, true, n, OUTPUTS, h, 1, blocks[i], h, W2h, H, 1, z2, OUTPUTS);
  }
  sigmoidExactForward(a2, z2, n * OUTPUTS);
  const loss = crossEntropyForward(z2, a2, labels, n);
  crossEntropyBackward(dz2, a2, labels, n);
  for (let i = 0; i < blocks.length; i++) {
    const h = blocks[i].length / ones.length, W2h = W2.subarray(starts[i]);
    // da1h (n, h) = dz2 (n, 10) W2h (10, h)
    sgemm(false, false, n, h, OUTPUTS, 1, dz2, OUTPUTS, W2h, H, 0, das[i], h);
    // dW2h (10, h) = dz2^T (10, n) a1h (n, h) + beta dW2h
    const dW2h = dW2.subarray(starts[i]);
    sgemm(
      true,
      false,
      OUTPUTS,
      h,
      n,
      1,
      dz2,
      OUTPUTS,
      blocks[i],
      h,
      beta,
      dW2h,
      H,
    );
  }
  sgemv(true, n, OUTPUTS, 1, dz2, OUTPUTS, ones, beta, db2);
  return loss;
}

/** Index of the largest of the 10 values of row `r` in `probs`. */
export function argmaxRow(probs: Float32Array, r: number): number {
  let best = 0;
  for (let j = 1; j < OUTPUTS; j++) {
    if (probs[r * OUTPUTS + j] > probs[r * OUTPUTS + best]) best = j;
  }
  return best;
}
