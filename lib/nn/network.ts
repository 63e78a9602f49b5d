/**
 * The talk's network: 784 inputs, one hidden layer, 10 outputs, logistic sigmoid
 * activations on both layers, with biases. The matrix products run in OpenBLAS
 * (lib/native/blas.ts); the element-wise work is plain TypeScript loops.
 *
 * Shapes are written (rows, columns), row-major; B is the batch size, n the rows
 * of it in use, H the hidden size. Weights use PyTorch's nn.Linear layout,
 * (out, in), so a layer's forward pass is x W^T + b.
 *
 * The layers' maths is in lib/nn/layers.ts, each layer a forward and a
 * backward function; `Network` strings them together. Gradients are named
 * after what they are of: dW1 is d(loss)/d(W1). Every buffer is allocated
 * with the batch (`Batch`) or the parameters, so forward and backward passes
 * allocate nothing.
 *
 * @module
 */
import { saxpy, sscal } from "../native/blas.ts";
import { CLASSES, NOT_A_DIGIT, PIXELS } from "../data/mnist.ts";
import type { Random } from "../random.ts";
import {
  linearBackward,
  linearForward,
  type Loss,
  LOSSES,
  sigmoidBackward,
  sigmoidExactForward,
  sigmoidForward,
} from "./layers.ts";

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
 * saxpy (see `contiguous()`).
 */
export function zeroParameters(hidden: number): Parameters {
  checkHidden(hidden);
  return parameterViews(new Float32Array(parameterCount(hidden)), hidden);
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
export function parameterCount(hidden: number): number {
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

/**
 * The most hidden units a network may have: W1 then holds 51 million weights
 * (205 MB), far past any use, and its size stays well within BLAS's int32
 * dimensions.
 */
export const MAX_HIDDEN = 65536;

function checkHidden(hidden: number) {
  if (!Number.isInteger(hidden) || hidden < 1 || hidden > MAX_HIDDEN) {
    throw new RangeError(
      `hidden size must be an integer in 1..${MAX_HIDDEN}, got ${hidden}`,
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
 * Checks labels for `n` rows: at least n of them, each a digit 0-9 or
 * NOT_A_DIGIT, whose targets are all 0. Any other value would silently train
 * towards no digit at all.
 */
function checkLabels(what: string, labels: ArrayLike<number>, n: number) {
  if (labels.length < n) {
    throw new RangeError(
      `${what}: ${labels.length} labels for ${n} rows`,
    );
  }
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    if (!(Number.isInteger(label) && label >= 0 && label <= NOT_A_DIGIT)) {
      throw new RangeError(
        `${what}: labels[${r}] is ${label}, expected a digit 0-9 or ${NOT_A_DIGIT} for none`,
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
   * Loss of the last forward pass over `n` rows with these labels: by
   * default binary cross-entropy of each sigmoid output against its one-hot
   * target, summed over outputs and averaged over the rows (see
   * lib/nn/layers.ts's losses).
   */
  loss(
    batch: Batch,
    labels: ArrayLike<number>,
    n: number,
    loss: Loss = LOSSES["cross-entropy"],
  ): number {
    this.#checkBatch("loss", batch, n, 1);
    checkLabels("loss", labels, n);
    return loss.forward(batch.z2, batch.a2, labels, n, OUTPUTS);
  }

  /**
   * Backward pass for the last forward pass over `n` rows with these labels:
   * grads = alpha * d(loss)/d(params) + beta * grads. With the defaults
   * (alpha 1, beta 0) that is the gradient; with beta = momentum it is the
   * momentum update; with grads = the network's own parameters, alpha =
   * -rate and beta = 1 it is a plain SGD step, each folded into the same
   * sgemm. `loss` is the outputs' loss (by default cross-entropy).
   */
  backward(
    batch: Batch,
    labels: ArrayLike<number>,
    n: number,
    grads: Parameters,
    { beta = 0, alpha = 1, loss = LOSSES["cross-entropy"] }: {
      beta?: number;
      alpha?: number;
      loss?: Loss;
    } = {},
  ): void {
    this.#checkBatch("backward", batch, n, 1);
    checkLabels("backward", labels, n);
    checkShapes(grads, this.hidden, "backward: gradient ");
    const H = this.hidden;
    const { w1: W1, w2: W2 } = this.params;
    const { w1: dW1, b1: db1, w2: dW2, b2: db2 } = grads;
    const { x, a1, a2, dz2, dz1, ones } = batch;
    loss.backward(dz2, a2, labels, n, OUTPUTS); // dz2 (n, 10)
    // dz1 holds da1 (n, H) until the sigmoid's backward makes it dz1.
    linearBackward(
      dz1,
      dW2,
      db2,
      dz2,
      a1,
      W2,
      ones,
      n,
      H,
      OUTPUTS,
      beta,
      H,
      alpha,
    );
    sigmoidBackward(dz1, a1, n * H); // dz1 (n, H)
    linearBackward(
      null,
      dW1,
      db1,
      dz1,
      x,
      W1,
      ones,
      n,
      INPUTS,
      H,
      beta,
      INPUTS,
      alpha,
    );
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
    normaliseRows(out, count);
    return out;
  }
}

/** Makes each of the `count` rows of 10 outputs in `out` sum to one, in place. */
export function normaliseRows(out: Float32Array, count: number): void {
  for (let r = 0; r < count; r++) {
    let sum = 0;
    for (let j = 0; j < OUTPUTS; j++) sum += out[r * OUTPUTS + j];
    for (let j = 0; j < OUTPUTS; j++) out[r * OUTPUTS + j] /= sum;
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
