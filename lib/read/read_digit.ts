/**
 * Reads a digit, or says why a drawing is not one. The network always names
 * one of ten digits, so a dot, a filled blob, a scribble or a lone line come
 * out as some digit; `readDigit()` refuses those with a short reason.
 *
 * Two kinds of checks, in this order:
 * 1. the shape of the ink, which needs no network: strokes as wide as the
 *    whole drawing (a dot, a filled blob), far more stroke than any digit
 *    has (a scribble), one straight stroke that is not upright enough to be
 *    a "1" (a lone line);
 * 2. the network's raw outputs: each is a one-vs-rest sigmoid, so they can
 *    all be low at once, which says that no digit is likely.
 *
 * The thresholds are named constants, set so that the shipped network
 * refuses under 1% of the MNIST test digits (bench/drawn_check.ts measures
 * it); check them again after retraining.
 *
 * @module
 */
import { PIXELS, SIDE } from "../data/mnist.ts";
import {
  FIT,
  measureStrokeWidth,
  type Preprocessed,
} from "../image/preprocess.ts";
import type { AsDrawn } from "../image/redraw.ts";
import { type Network, OUTPUTS } from "../nn/network.ts";

/**
 * Strokes wider than this fraction of FIT (measured before pen
 * normalisation) make a dot or a filled blob. One MNIST test digit in a
 * thousand passes 0.27 (the widest, 0.46); a dab of the brush measures 0.95.
 */
export const FAT_WIDTH = 0.45;
/**
 * Fat strokes up to this fraction of FIT are strokes drawn so close to each
 * other that they ran together (a digit drawn small with a wide brush;
 * drawn again from its strokes with a thinner pen it may come apart);
 * beyond it, a filled blob.
 */
export const BLOB_WIDTH = 0.75;
/** A fat shape whose ink box is under this fraction of the source's longer side is a dot. */
export const DOT_SIZE = 0.2;
/**
 * A drawing that is a filled blob on its canvas is still one when drawn
 * again from its strokes (see `notDigitReason()`) if that gives more than
 * this length of stroke, in output pixels: the back and forth of filling in.
 * A "0" or an "8" about 85 px tall, filled in by the brush alone, gives 40 to
 * 70; blobs filled with strokes 20 px apart give 110 or more.
 */
export const FILL_LENGTH = 100;
/**
 * Length of stroke, in output pixels (ink mass over stroke width), above
 * which a drawing is a scribble. MNIST test digits: median 51, one in a
 * thousand above 115.
 */
export const SCRIBBLE_LENGTH = 180;
/**
 * A lone line: the ink's second moment along its minor axis is under this
 * fraction of that along its major axis (a bar of the default brush: 0.02,
 * MNIST digits that lean more than LINE_LEAN: 0.1 or more but for 1 in 500)...
 */
export const LINE_ELONGATION = 0.02;
/** ...and the major axis leans more than this many degrees from upright. */
export const LINE_LEAN = 45;
/**
 * The largest raw output must reach this for the network's answer to count.
 * With the shipped network it does for all but 0.5% of the MNIST test digits,
 * while dots, blobs and scribbles stay below it (0.25-0.28): a second,
 * independent reason to refuse them besides their shape.
 */
export const MIN_OUTPUT = 0.3;

/** What `readDigit()` makes of an image. */
export interface Reading {
  /** The digit read, or `null` when the image is not a digit (see `reason`). */
  digit: number | null;
  /** The ten outputs normalised to sum to one. */
  probabilities: Float32Array;
  /** The ten raw sigmoid outputs, each in 0..1. */
  outputs: Float32Array;
  /** Why `digit` is `null`, in a few words. */
  reason?: string;
}

/** Measures of the ink of a 28x28 image, for the shape checks. */
export interface InkShape {
  /** Sum of the pixels over 255: pixels' worth of full ink. */
  mass: number;
  /** Stroke width in output pixels (see `measureStrokeWidth()`). */
  strokeWidth: number;
  /** Length of stroke in output pixels: mass over stroke width. */
  length: number;
  /** Ratio of the smaller to the larger second moment about the centre of mass. */
  elongation: number;
  /** Angle of the major axis from upright, in degrees, 0..90. */
  lean: number;
}

/** Measures the ink of `pixels` (784 bytes, 0 = background). */
export function inkShape(pixels: Uint8Array): InkShape {
  checkPixels(pixels);
  let mass = 0, mx = 0, my = 0;
  for (let k = 0; k < PIXELS; k++) {
    const v = pixels[k];
    mass += v;
    mx += (k % SIDE) * v;
    my += Math.floor(k / SIDE) * v;
  }
  if (mass === 0) {
    return { mass: 0, strokeWidth: 0, length: 0, elongation: 0, lean: 0 };
  }
  mx /= mass;
  my /= mass;
  let sxx = 0, syy = 0, sxy = 0;
  for (let k = 0; k < PIXELS; k++) {
    const v = pixels[k];
    const dx = (k % SIDE) - mx, dy = Math.floor(k / SIDE) - my;
    sxx += v * dx * dx;
    syy += v * dy * dy;
    sxy += v * dx * dy;
  }
  // Eigenvalues of the 2x2 covariance, and the major axis's direction.
  const half = (sxx + syy) / 2;
  const root = Math.sqrt(((sxx - syy) / 2) ** 2 + sxy * sxy);
  const major = half + root, minor = half - root;
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy); // from the x axis
  const lean = 90 - Math.abs(angle) * 180 / Math.PI;
  const strokeWidth = measureStrokeWidth({
    width: SIDE,
    height: SIDE,
    data: pixels,
  });
  mass /= 255;
  return {
    mass,
    strokeWidth,
    length: mass / Math.max(strokeWidth, 0.5),
    elongation: major > 0 ? Math.max(0, minor) / major : 0,
    lean,
  };
}

/**
 * Why the ink of `pixels` is not a digit, or `undefined` when it may be one.
 * `pre`, the result of `preprocess()` that gave the pixels, adds what the
 * pixels no longer show: the width of the strokes as drawn, and how big the
 * drawing is on its canvas. When the pixels come from a drawing drawn again
 * with another pen (`drawingInput()`), `drawn` says what the drawing is like
 * on the canvas, as the person sees it: a dot or a filled blob there is one
 * whatever the new pen makes of it, while strokes that ran together there
 * but come apart when drawn again are not refused. Empty pixels give
 * `undefined`: nothing drawn is for the caller to say.
 */
export function notDigitReason(
  pixels: Uint8Array,
  pre?: Preprocessed,
  drawn?: AsDrawn,
): string | undefined {
  const shape = inkShape(pixels);
  if (shape.mass === 0) return undefined;
  // The strokes the network is given, and those the canvas shows.
  const seen = pre && !pre.empty ? pre.strokeWidth : shape.strokeWidth;
  const asDrawn = drawn?.box ? drawn : pre && !pre.empty ? pre : undefined;
  const width = asDrawn ? asDrawn.strokeWidth : seen;
  if (width > FAT_WIDTH * FIT) {
    if (asDrawn?.box) {
      const side = Math.max(asDrawn.box.width, asDrawn.box.height);
      const canvas = Math.max(asDrawn.source.width, asDrawn.source.height);
      if (side < DOT_SIZE * canvas) return "too small: a dot, not a digit";
    }
    // Drawn again with a thinner pen, a blob filled in stays fat or turns
    // into many strokes back and forth; a digit drawn small, which the
    // brush alone filled in, comes apart into its few strokes.
    const filled = width > BLOB_WIDTH * FIT &&
      (!drawn || seen > FAT_WIDTH * FIT || shape.length > FILL_LENGTH);
    if (filled) return "too much ink: a filled blob";
    if (seen > FAT_WIDTH * FIT) return "too much ink: the strokes run together";
  }
  if (shape.length > SCRIBBLE_LENGTH) return "too many strokes: a scribble";
  if (shape.elongation < LINE_ELONGATION && shape.lean > LINE_LEAN) {
    return "a lone line, not a digit";
  }
  return undefined;
}

/**
 * Reads the digit in `image`: either the result of `preprocess()` or its
 * 784 pixels. `digit` is `null`, with a `reason`, for a shape that is not a
 * digit (see the module comment) or when no raw output reaches MIN_OUTPUT;
 * for an empty image, with the reason "nothing drawn". `drawn` describes
 * the drawing on its canvas when `image` was drawn again from its strokes
 * (see `notDigitReason()`).
 */
export function readDigit(
  network: Network,
  image: Preprocessed | Uint8Array,
  drawn?: AsDrawn,
): Reading {
  const pre = image instanceof Uint8Array ? undefined : image;
  const pixels = image instanceof Uint8Array ? image : image.pixels;
  checkPixels(pixels);
  const outputs = rawOutputs(network, pixels);
  const probabilities = new Float32Array(OUTPUTS);
  let sum = 0, best = 0;
  for (let j = 0; j < OUTPUTS; j++) {
    sum += outputs[j];
    if (outputs[j] > outputs[best]) best = j;
  }
  for (let j = 0; j < OUTPUTS; j++) probabilities[j] = outputs[j] / sum;
  if (pre?.empty ?? pixels.every((v) => v === 0)) {
    return { digit: null, probabilities, outputs, reason: "nothing drawn" };
  }
  const reason = notDigitReason(pixels, pre, drawn) ??
    (outputs[best] < MIN_OUTPUT
      ? `no digit is likely: highest output ${outputs[best].toFixed(2)}`
      : undefined);
  return reason === undefined
    ? { digit: best, probabilities, outputs }
    : { digit: null, probabilities, outputs, reason };
}

/** The network's ten raw sigmoid outputs for one image. */
function rawOutputs(network: Network, pixels: Uint8Array): Float32Array {
  return network.outputs(pixels, 1);
}

function checkPixels(pixels: Uint8Array) {
  if (pixels.length !== PIXELS) {
    throw new RangeError(
      `Image has ${pixels.length} pixels, expected ${PIXELS}`,
    );
  }
}
