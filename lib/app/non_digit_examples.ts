/**
 * The examples that are no digit that a run mixes into its epochs: letters
 * from the fonts (./glyphs.ts) and the drawn kinds of lib/image/non_digits.ts,
 * as many as make up their share. `deno task train`, the sweep and the draw
 * window's learning all make them here.
 *
 * @module
 */
import type { Dataset } from "../data/mnist.ts";
import { NON_DIGIT_CHARACTERS, nonDigits } from "../image/non_digits.ts";
import { Random } from "../random.ts";
import { renderGlyphs } from "./glyphs.ts";

/**
 * The examples that are no digit for a run on `trainSet`, drawn from `seed`:
 * as many as make up `share` of an epoch of `perEpoch` digits (by default
 * the training set's) in which other extras make up `otherShare`, so that
 * each is seen once an epoch, distorted anew. `stopHere` may end the making
 * early (see `nonDigits()`).
 */
export function nonDigitExamples(
  trainSet: Dataset,
  seed: number,
  share: number,
  { otherShare = 0, perEpoch = trainSet.count, stopHere }: {
    otherShare?: number;
    perEpoch?: number;
    stopHere?: () => boolean;
  } = {},
): Dataset {
  const epoch = perEpoch / (1 - share - otherShare);
  return nonDigits(
    Math.max(1, Math.round(share * epoch)),
    // Their own stream: the weights and the order are drawn as without them.
    new Random((seed ^ 0x6e6f6e65) >>> 0),
    { glyphs: renderGlyphs(NON_DIGIT_CHARACTERS), digits: trainSet },
    { stopHere },
  );
}
