/**
 * Backquery, after Tariq Rashid's "Make Your Own Neural Network": run the
 * network backwards to see the input it "imagines" for each digit.
 *
 * For digit d, the targets are t = 0.01 everywhere and 0.99 at d (a sigmoid
 * never reaches 0 or 1, so the inverse needs targets inside (0, 1)). Each layer
 * is undone in turn: the inverse sigmoid (logit) of its output, minus its
 * bias, back through the transposed weights, and rescaled into 0.01..0.99 so
 * that it is again a valid sigmoid output (or a valid scaled input):
 *
 *   h = rescale(W2ᵀ (logit(t) − b2))         (H)
 *   x = rescale(W1ᵀ (logit(h) − b1))         (784)
 *   rescale(v) = (v − min v) / (max v − min v) × 0.98 + 0.01
 *
 * Transposed weights are no true inverse (W1 maps 784 inputs to H units), so x
 * is one input the network would read as d, not the only one. The sums run in
 * float64: this is done once per model, and no two platforms then differ.
 *
 * @module
 */

/** The weights backquery reads: one hidden layer, PyTorch's (out, in) layout. */
export interface Layers {
  /** (H, inputs) hidden layer weights. */
  w1: Float32Array;
  /** (H) hidden layer biases. */
  b1: Float32Array;
  /** (outputs, H) output layer weights. */
  w2: Float32Array;
  /** (outputs) output layer biases. */
  b2: Float32Array;
}

/** The target of the wanted digit, and of the others. */
export const TARGET_ON = 0.99;
export const TARGET_OFF = 0.01;
/** rescale() maps into LOW .. LOW + SPAN: 0.01 .. 0.99. */
export const LOW = 0.01;
export const SPAN = 0.98;

/** ln(y / (1 − y)), the inverse of the logistic sigmoid. */
export function logit(y: number): number {
  return Math.log(y / (1 - y));
}

/**
 * Rescales `v` in place to 0.01..0.99: its minimum to 0.01, its maximum to
 * 0.99. A constant vector, which has no range, becomes all 0.5.
 */
export function rescale(v: Float64Array): Float64Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  const range = hi - lo;
  for (let i = 0; i < v.length; i++) {
    v[i] = range > 0 ? (v[i] - lo) / range * SPAN + LOW : 0.5;
  }
  return v;
}

/** Sizes of `layers`, checked against each other. */
function shape(
  layers: Layers,
): { inputs: number; hidden: number; outputs: number } {
  const hidden = layers.b1.length;
  const outputs = layers.b2.length;
  const inputs = hidden > 0 ? layers.w1.length / hidden : 0;
  if (
    hidden < 1 || outputs < 1 || !Number.isInteger(inputs) || inputs < 1 ||
    layers.w2.length !== outputs * hidden
  ) {
    throw new RangeError(
      `backquery: w1 ${layers.w1.length}, b1 ${hidden}, w2 ${layers.w2.length}, b2 ${outputs} elements do not make an (inputs)-H-(outputs) network`,
    );
  }
  return { inputs, hidden, outputs };
}

/** What backquery gives for one digit. */
export interface Backquery {
  /** (H) the hidden layer's imagined activations, in 0.01..0.99. */
  hidden: Float64Array;
  /** (inputs) the imagined input, in 0.01..0.99 (0.01 blank, 0.99 ink). */
  input: Float64Array;
}

/** The input the network imagines for output `label` (see the module notes). */
export function backquery(layers: Layers, label: number): Backquery {
  const { inputs, hidden: H, outputs } = shape(layers);
  if (!Number.isInteger(label) || label < 0 || label >= outputs) {
    throw new RangeError(
      `backquery: label must be a whole number in 0..${
        outputs - 1
      }, got ${label}`,
    );
  }
  const { w1, b1, w2, b2 } = layers;
  // z2 = logit(t) − b2                       (outputs)
  const z2 = new Float64Array(outputs);
  for (let k = 0; k < outputs; k++) {
    z2[k] = logit(k === label ? TARGET_ON : TARGET_OFF) - b2[k];
  }
  // h = rescale(W2ᵀ z2)                      (H)
  const h = new Float64Array(H);
  for (let k = 0; k < outputs; k++) {
    const row = k * H;
    for (let j = 0; j < H; j++) h[j] += w2[row + j] * z2[k];
  }
  rescale(h);
  // x = rescale(W1ᵀ (logit(h) − b1))         (inputs)
  const x = new Float64Array(inputs);
  for (let j = 0; j < H; j++) {
    const z = logit(h[j]) - b1[j];
    const row = j * inputs;
    for (let i = 0; i < inputs; i++) x[i] += w1[row + i] * z;
  }
  rescale(x);
  return { hidden: h, input: x };
}

/** Backquery of every output, in order: one entry per digit. */
export function backqueryAll(layers: Layers): Backquery[] {
  const { outputs } = shape(layers);
  return Array.from({ length: outputs }, (_, d) => backquery(layers, d));
}

/**
 * A backqueried input as 8-bit grey, 0 blank to 255 ink:
 * round(255 × (x − 0.01) / 0.98), clamped.
 */
export function toGrey(input: Float64Array): Uint8Array {
  const out = new Uint8Array(input.length);
  for (let i = 0; i < input.length; i++) {
    out[i] = Math.round(255 * (input[i] - LOW) / SPAN);
  }
  return out;
}
