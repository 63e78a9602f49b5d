/**
 * Entry point of the worker that fine-tunes the draw window's network
 * (./learning.ts): it reads the MNIST training set to replay and makes the
 * examples that are no digit, off the window's thread, then trains each job.
 *
 * @module
 */
import { loadMnist } from "../../data/mnist.ts";
import { NON_DIGIT_CHARACTERS, nonDigits } from "../../image/non_digits.ts";
import { serveJobs } from "../../nn/parallel/background.ts";
import { Random } from "../../random.ts";
import { renderGlyphs } from "../glyphs.ts";
import { FINE_TUNING, type LearningInit } from "./learning.ts";

declare const self: Worker;

serveJobs(self, async (init) => {
  const { dataDir, negativesShare } = init as LearningInit;
  const trainSet = await loadMnist("train", { dir: dataDir });
  if (negativesShare === 0) return { trainSet };
  // As many as make up their share of a job's epoch, each seen once.
  const epoch = FINE_TUNING.replay /
    (1 - FINE_TUNING.ownShare - negativesShare);
  const examples = nonDigits(
    Math.round(negativesShare * epoch),
    new Random(0x6e6f6e65),
    { glyphs: renderGlyphs(NON_DIGIT_CHARACTERS), digits: trainSet },
  );
  return { trainSet, extra: [{ data: examples, share: negativesShare }] };
});
