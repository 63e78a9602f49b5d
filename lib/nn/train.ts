/**
 * Minibatch SGD with momentum for the network in lib/nn/network.ts.
 *
 * @module
 */
import { type Dataset, PIXELS } from "../data/mnist.ts";
import {
  Batch,
  gatherRows,
  Network,
  scaleInputs,
  zeroParameters,
} from "./network.ts";
import { Random } from "../random.ts";
import { evaluate, type Evaluation } from "./evaluate.ts";
import { SplitTrainer } from "./_split_train.ts";
import { UserError } from "../errors.ts";
import {
  AUGMENT_PRESETS,
  Augmenter,
  type AugmentOptions,
  type AugmentPreset,
  type AugmentSource,
  augmentSource,
  checkAugmentOptions,
} from "./augment.ts";

/** Starts the second training thread early; see `train()`'s `worker`. */
export { startTrainingWorker } from "./_split_train.ts";

/** What to train and how. */
export interface TrainConfig {
  /** Passes over the training set. */
  epochs: number;
  /** Peak learning rate. */
  rate: number;
  /** Images per minibatch. */
  batch: number;
  /** Momentum coefficient (0 = plain SGD). */
  momentum: number;
  /** Hidden units. */
  hidden: number;
  /** Seed for weights, shuffling and augmentation. */
  seed: number;
  /**
   * Random distortions of the training images (lib/nn/augment.ts): a preset's
   * name or options. Absent or "none": the images as they are.
   */
  augment?: AugmentPreset | AugmentOptions;
  /**
   * Weight decay per unit of learning rate: after each step the weights (not
   * the biases) shrink by the factor 1 - rate * weightDecay. Absent: 0.
   */
  weightDecay?: number;
  /**
   * Share of each epoch's samples taken from the extra data sets given to
   * `train()` (their images repeated to make it up, at least once each).
   * Absent: 0.02.
   */
  extraShare?: number;
}

/** The share of an epoch the extra data sets make up when none is configured. */
export const DEFAULT_EXTRA_SHARE = 0.02;

/**
 * The defaults of `deno task train`: distorted images and weight decay, 40
 * epochs; over 98.8% test accuracy in under 30 s on two cores.
 */
export const DEFAULTS: Required<TrainConfig> = {
  epochs: 40,
  rate: 0.2,
  batch: 64,
  momentum: 0.9,
  hidden: 200,
  seed: 1,
  augment: "standard",
  weightDecay: 5e-4,
  extraShare: DEFAULT_EXTRA_SHARE,
};

/** Progress inside an epoch, reported every few batches. */
export interface Progress {
  /** 1-based epoch. */
  epoch: number;
  /** Images seen in this epoch. */
  done: number;
  /** Images per epoch. */
  total: number;
  /** Mean loss over the batches of this epoch so far. */
  loss: number;
  /** Seconds spent training so far, all epochs. */
  seconds: number;
}

/** The result of one epoch. */
export interface EpochReport {
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Test accuracy after the epoch, 0..1 (NaN where there is no test set). */
  accuracy: number;
  /** Seconds of training in this epoch (evaluation excluded). */
  seconds: number;
  /** The learning rate of the epoch's last step. */
  rate: number;
}

/**
 * A batch's loss above this many times the first batch's means training has
 * diverged. At the start the loss is about 10 ln 2 (every output near 0.5); it
 * only grows that much when steps are so large that the sigmoids saturate on the
 * wrong side, from where cross-entropy grows with the logits while its gradients
 * stay bounded, so such a run never recovers.
 */
export const DIVERGENCE_FACTOR = 100;

/** Thrown when the loss becomes NaN, infinite or explodes. */
export class DivergedError extends UserError {
  constructor(epoch: number, batch: number, rate: number, loss: number) {
    super(
      `training diverged (loss ${
        Number.isFinite(loss) ? loss.toExponential(2) : loss
      }) in epoch ${epoch}, batch ${batch}: try a smaller --rate than ${rate}`,
    );
    this.name = "DivergedError";
  }
}

/**
 * Learning rate for step `step` (0-based) of `total`: the peak rate, times a
 * linear warm-up over the first `warmup` steps, times a half cosine over the whole
 * run that falls from 1 to 0 at the end. Large early steps from random weights can
 * push the sigmoids into saturation, where they learn slowly; the warm-up lets a
 * higher peak rate be used safely. Small steps at the end settle into a minimum
 * instead of rattling around it, which is worth several tenths of a percent of
 * test accuracy with few epochs.
 */
export function learningRate(
  peak: number,
  step: number,
  total: number,
  warmup = 0,
): number {
  const ramp = warmup > 0 ? Math.min(1, (step + 1) / warmup) : 1;
  return peak * ramp * 0.5 *
    (1 + Math.cos(Math.PI * Math.min(step / total, 1)));
}

/** Checks a configuration, with a message naming the bad setting. */
export function checkConfig(c: TrainConfig): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${v}`);
    }
  };
  positiveInt("epochs", c.epochs);
  positiveInt("batch", c.batch);
  positiveInt("hidden", c.hidden);
  if (!(c.rate > 0 && Number.isFinite(c.rate))) {
    throw new RangeError(`rate must be a positive number, got ${c.rate}`);
  }
  if (!(c.momentum >= 0 && c.momentum < 1)) {
    throw new RangeError(`momentum must be in [0, 1), got ${c.momentum}`);
  }
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff) {
    throw new RangeError(
      `seed must be an integer in 0..4294967295, got ${c.seed}`,
    );
  }
  augmentOptions(c.augment);
  const decay = c.weightDecay ?? 0;
  if (!(decay >= 0 && decay < 1)) {
    throw new RangeError(`weight decay must be in [0, 1), got ${decay}`);
  }
  const share = c.extraShare ?? DEFAULT_EXTRA_SHARE;
  if (!(share >= 0 && share < 1)) {
    throw new RangeError(`extra share must be in [0, 1), got ${share}`);
  }
}

/** The augmentation options a configuration asks for (undefined: none). */
export function augmentOptions(
  augment: TrainConfig["augment"],
): AugmentOptions | undefined {
  if (augment === undefined) return undefined;
  if (typeof augment === "string") {
    if (!Object.hasOwn(AUGMENT_PRESETS, augment)) {
      throw new RangeError(
        `augment must be one of ${
          Object.keys(AUGMENT_PRESETS).join(", ")
        }, got '${augment}'`,
      );
    }
    return AUGMENT_PRESETS[augment];
  }
  checkAugmentOptions(augment);
  return augment;
}

/**
 * How many times each image of the extra data sets (`extra` images in all)
 * appears per epoch, so that they make up `share` of an epoch next to `count`
 * training images: at least once.
 */
export function extraRepeats(count: number, extra: number, share: number) {
  if (extra === 0) return 0;
  return Math.max(1, Math.round(share * count / ((1 - share) * extra)));
}

/**
 * The training set followed by the extra data sets, as one data set. The
 * images are copied once, so that a batch is gathered from one array.
 */
export function concatDatasets(sets: Dataset[]): Dataset {
  const count = sets.reduce((n, d) => n + d.count, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const d of sets) {
    images.set(d.images.subarray(0, d.count * PIXELS), at * PIXELS);
    labels.set(d.labels.subarray(0, d.count), at);
    at += d.count;
  }
  return { split: sets[0].split, count, images, labels };
}

/**
 * Weight decay is applied every this many steps, with the product of the
 * steps' factors: one pass over the weights per step would cost a tenth of the
 * training time, and the factors are so close to 1 that grouping them changes
 * nothing measurable.
 */
const DECAY_EVERY = 16;

/**
 * Trains a new network on `trainSet`, evaluating on `testSet` (if given) after
 * each epoch. `extra` data sets (e.g. your own drawings) are mixed into every
 * epoch, repeated to make up `config.extraShare` of it, and distorted like the
 * rest. `onProgress` is called every `progressEvery` batches and at each
 * epoch's end.
 */
export function train(
  config: TrainConfig,
  trainSet: Dataset,
  testSet: Dataset | undefined,
  {
    onProgress,
    onEpoch,
    progressEvery = 50,
    extra = [],
    split = true,
    worker,
  }: {
    onProgress?: (p: Progress) => void;
    onEpoch?: (r: EpochReport) => void;
    progressEvery?: number;
    extra?: Dataset[];
    /**
     * Train on two threads (see lib/nn/_split_train.ts); false: on this one.
     * Each gives the same model for the same seed, bit for bit; the two agree
     * to rounding (they sum in different orders).
     */
    split?: boolean;
    /**
     * The second thread, from `startTrainingWorker()`, started early so that
     * it loads while the data does. Taken over: trained with, or terminated.
     */
    worker?: Worker;
  } = {},
): {
  network: Network;
  history: EpochReport[];
  /** The test set's evaluation after the last epoch (none without a test set). */
  evaluation: Evaluation | undefined;
} {
  try {
    checkConfig(config);
  } catch (e) {
    worker?.terminate();
    throw e;
  }
  const rng = new Random(config.seed);
  let network = Network.random(config.hidden, rng);
  const options = augmentOptions(config.augment);
  // Made after the weights, so that "none" draws exactly what it always drew.
  const augmenter = options && new Augmenter(options, rng);
  const decay = config.weightDecay ?? 0;
  const extraCount = extra.reduce((n, d) => n + d.count, 0);
  const data = extraCount > 0 ? concatDatasets([trainSet, ...extra]) : trainSet;
  // Preparing the images for distortion counts as training time.
  const prepareStart = performance.now();
  const repeats = extraRepeats(
    trainSet.count,
    extraCount,
    config.extraShare ?? DEFAULT_EXTRA_SHARE,
  );
  // One epoch: every training image once, every extra image `repeats` times.
  const n = trainSet.count + extraCount * repeats;
  const B = Math.min(config.batch, n);
  // Undistorted, every image is gathered as it is each epoch: scale them all
  // once and gather rows by copying (4 bytes a pixel, 188 MB for 60,000).
  let scaled: Float32Array | undefined;
  let source: AugmentSource | undefined;
  let splitter: SplitTrainer | undefined;
  try {
    if (split && config.hidden >= 2) {
      splitter = new SplitTrainer(
        network,
        data.images,
        data.labels,
        n,
        B,
        config.momentum,
        augmenter && { augmenter, rng },
        worker,
      );
    }
  } finally {
    if (!splitter) worker?.terminate();
  }
  if (splitter) {
    network = splitter.network;
  } else if (augmenter) {
    source = augmentSource(data.images);
  } else {
    scaled = new Float32Array(data.images.length);
    scaleInputs(data.images, scaled);
  }
  let prepareSeconds = (performance.now() - prepareStart) / 1000;
  const order = splitter?.order ?? new Uint32Array(n);
  for (let i = 0; i < trainSet.count; i++) order[i] = i;
  for (let r = 0, at = trainSet.count; r < repeats; r++) {
    for (let i = 0; i < extraCount; i++) order[at++] = trainSet.count + i;
  }
  const batch = new Batch(B, config.hidden);
  const velocity = zeroParameters(config.hidden);
  const labels = new Uint8Array(B);
  const batches = Math.ceil(n / B);
  const totalSteps = config.epochs * batches;
  const history: EpochReport[] = [];
  let seconds = 0;
  let firstLoss: number | undefined;
  let evaluation: Evaluation | undefined;
  let keep = 1; // weight decay not applied yet

  /**
   * One step on this thread over images order[first ..] (`rows` of them):
   * returns the batch's loss. `factor` > 0 then shrinks the weights.
   */
  const oneThreadStep = (
    first: number,
    rows: number,
    rate: number,
    factor: number,
  ): number => {
    // Gather the batch: (B, 784) scaled inputs and (B) labels.
    if (augmenter) {
      augmenter.augmentBatch(source!, order, first, rows, batch.x, rng);
    } else {
      gatherRows(scaled!, order, first, rows, batch.x);
    }
    for (let r = 0; r < rows; r++) labels[r] = data.labels[order[first + r]];
    network.forward(batch, rows);
    const loss = network.loss(batch, labels, rows);
    network.backward(batch, labels, rows, velocity, config.momentum);
    network.step(velocity, -rate);
    if (factor > 0) network.decayWeights(factor);
    return loss;
  };

  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const start = performance.now();
      rng.shuffle(order);
      splitter?.startEpoch();
      let lossSum = 0;
      let rate = 0;
      for (let b = 0; b < batches; b++) {
        const first = b * B;
        const rows = Math.min(B, n - first);
        const step = (epoch - 1) * batches + b;
        rate = learningRate(config.rate, step, totalSteps, batches);
        // Weight decay: the steps' factors, multiplied up and applied every
        // DECAY_EVERY steps.
        let factor = 0;
        if (decay > 0) {
          keep *= 1 - rate * decay;
          if ((step + 1) % DECAY_EVERY === 0 || b === batches - 1) {
            factor = 1 - keep;
            keep = 1;
          }
        }
        const loss = splitter
          ? splitter.step(b, rows, rate, factor)
          : oneThreadStep(first, rows, rate, factor);
        firstLoss ??= loss;
        if (!(loss <= DIVERGENCE_FACTOR * firstLoss)) { // also true for NaN
          throw new DivergedError(epoch, b + 1, config.rate, loss);
        }
        lossSum += loss;
        if (
          onProgress && ((b + 1) % progressEvery === 0 || b === batches - 1)
        ) {
          onProgress({
            epoch,
            done: first + rows,
            total: n,
            loss: lossSum / (b + 1),
            seconds: seconds + (performance.now() - start) / 1000,
          });
        }
      }
      splitter?.endEpoch();
      const epochSeconds = (performance.now() - start) / 1000 + prepareSeconds;
      prepareSeconds = 0;
      seconds += epochSeconds;
      const test = testSet;
      if (test) {
        evaluation = splitter
          ? splitter.betweenEpochs(() => evaluate(network, test))
          : evaluate(network, test);
      }
      const report: EpochReport = {
        epoch,
        loss: lossSum / batches,
        accuracy: evaluation?.accuracy ?? NaN,
        seconds: epochSeconds,
        rate,
      };
      history.push(report);
      onEpoch?.(report);
    }
  } finally {
    splitter?.close();
  }
  if (splitter) {
    // Hand back parameters in ordinary memory, as a network is elsewhere.
    const params = zeroParameters(config.hidden);
    for (const k of ["w1", "b1", "w2", "b2"] as const) {
      params[k].set(network.params[k]);
    }
    network = new Network(params);
  }
  return { network, history, evaluation };
}
