/**
 * The cost of distorted training: plain and augmented epochs of the default
 * recipe, alternated in one process so that both see the same machine, and the
 * ratio of their fastest runs (the target is at most 1.3). The second epoch of
 * each run is timed, so that the one-off preparation of the images
 * (lib/nn/augment_source.ts) is left out. It also times the batch making
 * alone, over one epoch of the training set: `drawRows()` and `distortRows()`
 * against `gatherScaled()`.
 *
 * Usage: deno run --allow-read --allow-ffi --allow-env bench/augment_bench.ts [rounds]
 *
 * @module
 */
import { loadBlas } from "../lib/native/blas.ts";
import { type Dataset, loadMnist, PIXELS } from "../lib/data/mnist.ts";
import { train } from "../lib/nn/train.ts";
import { DEFAULTS } from "../lib/nn/train_options.ts";
import { startTrainingWorker } from "../lib/nn/parallel/two_threads.ts";
import { gatherScaled } from "../lib/nn/network.ts";
import { Random } from "../lib/random.ts";
import { Augmenter, DRAW_SLOTS, STANDARD_AUGMENT } from "../lib/nn/augment.ts";
import { augmentSource } from "../lib/nn/augment_source.ts";

/** The most an augmented epoch may cost, as a multiple of a plain one. */
export const TARGET_RATIO = 1.3;

/**
 * Seconds of the second epoch of a 2-epoch run of the default recipe, on two
 * threads as `deno task train` runs it.
 */
export function epochSeconds(data: Dataset, augmented: boolean): number {
  const config = augmented
    ? { ...DEFAULTS, epochs: 2 }
    : { ...DEFAULTS, epochs: 2, augment: "none" as const, weightDecay: 0 };
  let seconds = NaN;
  train(config, data, undefined, {
    worker: startTrainingWorker(),
    hooks: { afterEpoch: (r) => void (seconds = r.seconds) },
  });
  return seconds;
}

/**
 * Milliseconds to make one epoch of batches of 64 from `data`, plainly and
 * distorted, the fastest of `rounds` alternated runs.
 */
export function batchMilliseconds(
  data: Dataset,
  rounds: number,
): { gather: number; augment: number } {
  const B = 64;
  const order = Uint32Array.from({ length: data.count }, (_, i) => i);
  new Random(2).shuffle(order);
  const out = new Float32Array(B * PIXELS);
  const source = augmentSource(data.images);
  const augmenter = new Augmenter(STANDARD_AUGMENT, new Random(1));
  const draws = new Float64Array(B * DRAW_SLOTS);
  let gather = Infinity, augment = Infinity;
  for (let r = 0; r < rounds; r++) {
    let start = performance.now();
    for (let first = 0; first < data.count; first += B) {
      const rows = Math.min(B, data.count - first);
      gatherScaled(data.images, order, first, rows, out);
    }
    gather = Math.min(gather, performance.now() - start);
    const rng = new Random(3);
    start = performance.now();
    for (let first = 0; first < data.count; first += B) {
      const rows = Math.min(B, data.count - first);
      augmenter.drawRows(rng, rows, draws);
      augmenter.distortRows(source, order, first, 0, rows, draws, out);
    }
    augment = Math.min(augment, performance.now() - start);
  }
  return { gather, augment };
}

if (import.meta.main) {
  const rounds = Number(Deno.args[0] ?? 5);
  loadBlas();
  const data = await loadMnist("train");
  const { gather, augment } = batchMilliseconds(data, rounds);
  console.log(
    `batches of one epoch: plain ${gather.toFixed(0)} ms, distorted ${
      augment.toFixed(0)
    } ms (fastest of ${rounds})`,
  );
  const plain: number[] = [], augmented: number[] = [];
  for (let i = 0; i < rounds; i++) {
    plain.push(epochSeconds(data, false));
    augmented.push(epochSeconds(data, true));
  }
  const best = (x: number[]) => Math.min(...x);
  const list = (x: number[]) => x.map((s) => s.toFixed(2)).join(" ");
  console.log(`plain epoch     ${list(plain)} s`);
  console.log(`augmented epoch ${list(augmented)} s`);
  const ratio = best(augmented) / best(plain);
  console.log(
    `augmented / plain epoch, fastest of ${rounds}: ${ratio.toFixed(2)} ` +
      `(target <= ${TARGET_RATIO}: ${
        ratio <= TARGET_RATIO ? "met" : "NOT met"
      })`,
  );
}
