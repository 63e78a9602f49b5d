/**
 * Entry point of the worker that fine-tunes the draw window's network
 * (./learning.ts): it reads the MNIST training set to replay and makes the
 * examples that are no digit, off the window's thread, then trains each job.
 *
 * @module
 */
import { loadMnist } from "../../data/mnist.ts";
import { serveJobs } from "../../nn/parallel/background.ts";
import { nonDigitExamples } from "../non_digit_examples.ts";
import { FINE_TUNING, type LearningInit } from "./learning.ts";

declare const self: Worker;

serveJobs(self, async (init) => {
  const { dataDir, negativesShare } = init as LearningInit;
  const trainSet = await loadMnist("train", { dir: dataDir });
  if (negativesShare === 0) return { trainSet };
  // As many as make up their share of a job's epoch, each seen once.
  const examples = nonDigitExamples(trainSet, 0, negativesShare, {
    perEpoch: FINE_TUNING.replay,
    otherShare: FINE_TUNING.ownShare,
  });
  return { trainSet, extra: [{ data: examples, share: negativesShare }] };
});
