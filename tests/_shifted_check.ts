/**
 * Checks that preprocessing undoes position and size: the MNIST test images,
 * drawn again at random places and sizes on a larger canvas
 * (tests/_shifted.ts), are recognised within `TOLERANCE_POINTS` as well as
 * the originals once `preprocess()` has normalised them. The check also
 * reports, without judging, a harsher case: digits shrunk to 50-100% inside the
 * 28x28 frame itself, where detail is really lost.
 *
 * @module
 */
import { type Dataset, SIDE } from "../lib/data/mnist.ts";
import { redrawAll } from "./_shifted.ts";
import { evaluate } from "../lib/nn/evaluate.ts";
import type { Network } from "../lib/nn/network.ts";

/** The largest accuracy drop, in percentage points, that passes. */
export const TOLERANCE_POINTS = 1;

/** The fraction of `images` that `network` labels as `labels` says. */
export function accuracy(
  network: Network,
  images: Uint8Array,
  labels: Uint8Array,
): number {
  const count = labels.length;
  return evaluate(network, { split: "test", count, images, labels }).accuracy;
}

/** Results of `shiftedCheck()`, as fractions. */
export interface ShiftedCheck {
  count: number;
  /** Accuracy on the test images as they are. */
  original: number;
  /** Accuracy after redrawing on the canvas and preprocessing. */
  redrawn: number;
  /** Accuracy after shrinking inside the 28x28 frame and preprocessing. */
  shrunk: number;
  /** Whether `redrawn` is at most `TOLERANCE_POINTS` below `original`. */
  pass: boolean;
}

/** Runs the check on `data` (see the module comment). */
export function shiftedCheck(
  network: Network,
  data: Dataset,
  { canvas = 112, seed = 1 }: { canvas?: number; seed?: number } = {},
): ShiftedCheck {
  const original = accuracy(network, data.images, data.labels);
  const redrawn = accuracy(
    network,
    redrawAll(data, { side: canvas, min: 0.5, max: 1, seed }),
    data.labels,
  );
  const shrunk = accuracy(
    network,
    redrawAll(data, { side: SIDE, min: 0.5, max: 1, seed }),
    data.labels,
  );
  return {
    count: data.count,
    original,
    redrawn,
    shrunk,
    pass: (original - redrawn) * 100 <= TOLERANCE_POINTS,
  };
}
