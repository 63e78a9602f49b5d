/**
 * Reads a digit, or says why an image is not one.
 *
 * The network says it: trained on examples that are no digit as well as on
 * digits (lib/image/non_digits.ts), its ten one-vs-rest sigmoid outputs all
 * stay low for a letter, a doodle or a scribble. A reading is `?` when no
 * output reaches the model's threshold, which training calibrates on digits
 * it kept apart (`calibrateThreshold()`), so that few real digits are refused.
 *
 * Only the trivial cases are judged by shape, without the network: nothing
 * drawn, and ink too small to be a stroke at all (a dot). A drawing whose
 * 28x28 the network reads clearly is never refused.
 *
 * @module
 */
import { type Dataset, PIXELS } from "../data/mnist.ts";
import { FIT, type Preprocessed } from "../image/preprocess.ts";
import type { AsDrawn } from "../image/redraw.ts";
import { type Network, OUTPUTS } from "../nn/network.ts";

/**
 * A drawing whose strokes are wider than this fraction of its box (both at
 * the output's scale, measured on the drawing as it is) is a dot: a dab of
 * the pen, not a stroke. MNIST's boldest digits measure under 0.45.
 */
export const DOT_WIDTH = 0.7;

/**
 * The threshold of a model whose file has none (trained before models
 * calibrated their own): the largest raw output must reach it.
 */
export const DEFAULT_THRESHOLD = 0.3;

/** The metadata key of a model's calibrated threshold. */
export const THRESHOLD_KEY = "refuse_below";

/**
 * The share of the held-out digits that calibration lets be refused: three
 * quarters of a percent. The test set's share comes out about a tenth of a
 * point above the held-out one, so it stays under 1%; and each tenth of a
 * point more refuses noticeably more of what is no digit (letters shaped
 * like a 4 or a 5, doodles like a 2), so the share is not set lower.
 */
export const REFUSE_SHARE = 0.0075;

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

/** The threshold a model's metadata calibrated, or DEFAULT_THRESHOLD. */
export function modelThreshold(metadata: Record<string, string>): number {
  const v = Number(metadata[THRESHOLD_KEY]);
  return metadata[THRESHOLD_KEY] !== undefined && v > 0 && v < 1
    ? v
    : DEFAULT_THRESHOLD;
}

/** The largest raw output of `network` for each image of `data`. */
export function highestOutputs(network: Network, data: Dataset): Float64Array {
  const outputs = network.outputs(
    data.images.subarray(0, data.count * PIXELS),
    data.count,
  );
  return Float64Array.from(
    { length: data.count },
    (_, i) => Math.max(...outputs.subarray(i * OUTPUTS, (i + 1) * OUTPUTS)),
  );
}

/** The share of `data` that `network` refuses at `threshold`. */
export function refusedShare(
  network: Network,
  data: Dataset,
  threshold: number,
): number {
  return highestOutputs(network, data).filter((v) => v < threshold).length /
    data.count;
}

/**
 * The threshold below which `network` refuses `share` of the `digits` it
 * reads: the `share` quantile of their largest outputs, rounded down to
 * three decimals.
 */
export function calibrateThreshold(
  network: Network,
  digits: Dataset,
  share = REFUSE_SHARE,
): number {
  if (digits.count === 0) {
    throw new RangeError("calibrateThreshold: no digits to calibrate on");
  }
  const highest = highestOutputs(network, digits).sort();
  const at = highest[Math.floor(share * digits.count)];
  return Math.floor(at * 1000) / 1000;
}

/** Whether a drawing's strokes are as wide as the drawing: a dot. */
function isDot(strokeWidth: number, box: Preprocessed["box"]): boolean {
  if (box === null) return false;
  // The stroke width is at the output's scale, where the box's longer side
  // is FIT.
  return strokeWidth > DOT_WIDTH * FIT;
}

/**
 * Reads the digit in `image`: either the result of `preprocess()` or its
 * 784 pixels. `digit` is `null`, with a `reason`, for an empty image
 * ("nothing drawn"), a dot, or when no raw output reaches `threshold` (the
 * model's, see `modelThreshold()`). `drawn` describes the drawing on its
 * canvas when `image` was drawn again from its strokes: a dot is judged as
 * drawn.
 */
export function readDigit(
  network: Network,
  image: Preprocessed | Uint8Array,
  { threshold = DEFAULT_THRESHOLD, drawn }: {
    threshold?: number;
    drawn?: AsDrawn;
  } = {},
): Reading {
  const pre = image instanceof Uint8Array ? undefined : image;
  const pixels = image instanceof Uint8Array ? image : image.pixels;
  if (pixels.length !== PIXELS) {
    throw new RangeError(
      `Image has ${pixels.length} pixels, expected ${PIXELS}`,
    );
  }
  const outputs = network.outputs(pixels, 1);
  const probabilities = new Float32Array(OUTPUTS);
  let sum = 0, best = 0;
  for (let j = 0; j < OUTPUTS; j++) {
    sum += outputs[j];
    if (outputs[j] > outputs[best]) best = j;
  }
  for (let j = 0; j < OUTPUTS; j++) probabilities[j] = outputs[j] / sum;
  const refuse = (reason: string): Reading => ({
    digit: null,
    probabilities,
    outputs,
    reason,
  });
  if (pre?.empty ?? pixels.every((v) => v === 0)) {
    return refuse("nothing drawn");
  }
  const asDrawn = drawn?.box ? drawn : pre;
  if (asDrawn && isDot(asDrawn.strokeWidth, asDrawn.box)) {
    return refuse("too small: a dot, not a digit");
  }
  if (outputs[best] < threshold) {
    return refuse(`not a digit: highest output ${outputs[best].toFixed(2)}`);
  }
  return { digit: best, probabilities, outputs };
}
