/**
 * Training the network of lib/nn/network.ts: minibatch SGD with momentum,
 * weight decay, and a learning rate that warms up and then decays along a
 * cosine. One loop, `train()`, with hooks that other code uses without
 * touching it: after each step, after each epoch, and a way to stop early.
 *
 * A step runs on this thread (`OneThread` below) or, when `train()` is given
 * a Worker, on two (lib/nn/parallel/two_threads.ts): the same layer functions,
 * each thread on half of the hidden units.
 *
 * @module
 */
import { type Dataset, PIXELS } from "../data/mnist.ts";
import { Random } from "../random.ts";
import { Augmenter, DRAW_SLOTS } from "./augment.ts";
import { type AugmentSource, augmentSource } from "./augment_source.ts";
import { evaluate, type Evaluation } from "./evaluate.ts";
import { Batch, gatherScaled, Network, zeroParameters } from "./network.ts";
import { type Loss, LOSSES } from "./layers.ts";
import { TwoThreads } from "./parallel/two_threads.ts";
import {
  augmentOptions,
  checkConfig,
  type TrainConfig,
} from "./train_options.ts";
import { UserError } from "../errors.ts";

/** What a step did, for the hook after it. */
export interface StepReport {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based step within the epoch, of `steps`. */
  step: number;
  steps: number;
  /** Images seen in this epoch so far, of `total` per epoch. */
  done: number;
  total: number;
  /** This step's loss, and the mean loss of the epoch's steps so far. */
  loss: number;
  meanLoss: number;
  /** Seconds spent training so far, all epochs (hooks excluded). */
  seconds: number;
  /** This step's learning rate. */
  rate: number;
}

/** The result of one epoch. */
export interface EpochReport {
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Test accuracy after the epoch, 0..1 (NaN where there is no test set). */
  accuracy: number;
  /** Seconds of training in this epoch (evaluation and hooks excluded). */
  seconds: number;
  /** The learning rate of the epoch's last step. */
  rate: number;
}

/** What a hook returns: "stop" ends training after the step or epoch. */
export type HookResult = void | "stop";

/**
 * Code that follows training without being part of it: a progress bar, a
 * history, a live window. The network they get is the one being trained:
 * settled after an epoch; after a step, on two threads, the other thread may
 * still be updating its half of the hidden layer.
 */
export interface TrainHooks {
  afterStep?(step: StepReport, network: Network): HookResult;
  afterEpoch?(epoch: EpochReport, network: Network): HookResult;
}

/**
 * What `train()` returns. The epochs' reports are the `afterEpoch` hook's to
 * keep, e.g. as the model's history.
 */
export interface TrainResult {
  network: Network;
  /** Epochs run to their end. */
  epochs: number;
  /** The test set's evaluation after the last epoch (none without a test set). */
  evaluation: Evaluation | undefined;
  /** Whether a hook stopped training before its last epoch ended. */
  stopped: boolean;
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
 * The learning rate of `config` at step `step` (0-based) of `total`, with
 * `perEpoch` steps an epoch: its schedule's.
 */
export function rateAt(
  config: TrainConfig,
  step: number,
  total: number,
  perEpoch: number,
): number {
  return config.schedule === "constant"
    ? config.rate
    : learningRate(config.rate, step, total, perEpoch);
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

/** A data set mixed into every epoch, making up `share` of it. */
export interface Extra {
  data: Dataset;
  share: number;
}

/**
 * How many times each image of each extra data set appears per epoch, so
 * that each makes up its share of an epoch next to `count` training images:
 * at least once. The shares must be at least 0 and add up to below 1.
 */
export function extraRepeats(
  count: number,
  extras: readonly { count: number; share: number }[],
): number[] {
  const total = extras.reduce((s, e) => s + e.share, 0);
  if (!(extras.every((e) => e.share >= 0) && total < 1)) {
    throw new RangeError(
      `extra data sets' shares must be at least 0 and add up to below 1, got ${
        extras.map((e) => e.share).join(", ")
      }`,
    );
  }
  // The epoch: `count` images, which are 1 - total of it.
  const epoch = count / (1 - total);
  return extras.map((e) =>
    e.count === 0 ? 0 : Math.max(1, Math.round(e.share * epoch / e.count))
  );
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

/** What a run trains, and how: what `Steps` are made for. */
export interface Run {
  /** The network to train: taken (one thread) or copied (two). */
  network: Network;
  /** The outputs' loss. */
  loss: Loss;
  /** The images (raw bytes, 784 each) and their labels. */
  images: Uint8Array;
  labels: Uint8Array;
  /** Images per epoch (some may be repeated), and per batch. */
  count: number;
  batch: number;
  momentum: number;
  /** The distortions, and the random stream they are drawn from; none: plain. */
  distorting?: { augmenter: Augmenter; rng: Random };
}

/**
 * How the steps of a run are carried out: `OneThread` here, or `TwoThreads`
 * (lib/nn/parallel/two_threads.ts). `train()` shuffles `order`, then per
 * epoch calls `startEpoch()`, `step()` for each batch, `endEpoch()`.
 */
export interface Steps {
  /** The network being trained. */
  readonly network: Network;
  /** The images of an epoch, by index: shuffled by `train()` each epoch. */
  readonly order: Uint32Array;
  startEpoch(): void;
  /**
   * One step over the images order[first ..] (`rows` of them) at learning
   * rate `rate`; then, with `decay` > 0, the weights shrink by the factor
   * 1 - `decay`. Returns the batch's loss.
   */
  step(first: number, rows: number, rate: number, decay: number): number;
  endEpoch(): void;
  /** Runs `f` between epochs, with the network settled (e.g. to evaluate it). */
  betweenEpochs<T>(f: () => T): T;
  /** Ends the run and returns the network, in ordinary memory. Idempotent. */
  close(): Network;
}

/** Steps on this thread: the network's own forward, backward and step. */
export class OneThread implements Steps {
  readonly network: Network;
  readonly order: Uint32Array;
  readonly #images: Uint8Array;
  readonly #labels: Uint8Array;
  readonly #momentum: number;
  readonly #loss: Loss;
  readonly #batch: Batch;
  readonly #velocity;
  readonly #batchLabels: Uint8Array;
  readonly #distorting: Run["distorting"];
  readonly #source: AugmentSource | undefined;
  readonly #draws: Float64Array;

  constructor(
    { network, loss, images, labels, count, batch, momentum, distorting }: Run,
  ) {
    this.network = network;
    this.#loss = loss;
    this.order = new Uint32Array(count);
    this.#images = images;
    this.#labels = labels;
    this.#momentum = momentum;
    this.#batch = new Batch(batch, network.hidden);
    this.#velocity = zeroParameters(network.hidden);
    this.#batchLabels = new Uint8Array(batch);
    this.#distorting = distorting;
    this.#source = distorting && augmentSource(images);
    this.#draws = new Float64Array(distorting ? batch * DRAW_SLOTS : 0);
  }

  startEpoch(): void {}

  step(first: number, rows: number, rate: number, decay: number): number {
    const { network, order } = this;
    const batch = this.#batch, labels = this.#batchLabels;
    // The batch: (B, 784) scaled inputs and (B) labels.
    const d = this.#distorting;
    if (d) {
      d.augmenter.drawRows(d.rng, rows, this.#draws);
      d.augmenter.distortRows(
        this.#source!,
        order,
        first,
        0,
        rows,
        this.#draws,
        batch.x,
      );
    } else {
      gatherScaled(this.#images, order, first, rows, batch.x);
    }
    for (let r = 0; r < rows; r++) labels[r] = this.#labels[order[first + r]];
    network.forward(batch, rows);
    const loss = network.loss(batch, labels, rows, this.#loss);
    if (this.#momentum === 0) {
      // Plain SGD: the step itself, folded into the gradient's sgemm (no
      // velocity to write and read back).
      network.backward(batch, labels, rows, network.params, {
        alpha: -rate,
        beta: 1,
        loss: this.#loss,
      });
    } else {
      network.backward(batch, labels, rows, this.#velocity, {
        beta: this.#momentum,
        loss: this.#loss,
      });
      network.step(this.#velocity, -rate);
    }
    if (decay > 0) network.decayWeights(decay);
    return loss;
  }

  endEpoch(): void {}

  betweenEpochs<T>(f: () => T): T {
    return f();
  }

  close(): Network {
    return this.network;
  }
}

/**
 * Trains a new network on `trainSet`, evaluating on `testSet` (if given) after
 * each epoch. `extra` data sets (your own drawings, examples that are no
 * digit) are mixed into every epoch, each repeated to make up its share of
 * it, and distorted like the
 * rest. `hooks` follow the run and may stop it.
 *
 * `start` gives the weights to start from (copied; by default random ones,
 * drawn from the seed): to go on training a network, e.g. with corrections.
 *
 * With `worker` (from `startTrainingWorker()`), the steps run on two threads;
 * the worker is taken over: trained with, or terminated where it cannot be
 * (a bad configuration, a single hidden unit). Without, on this thread. For
 * the same seed each gives the same model every time, bit for bit, and the
 * two agree to rounding (they sum in different orders).
 */
export function train(
  config: TrainConfig,
  trainSet: Dataset,
  testSet: Dataset | undefined,
  { hooks = {}, extra = [], worker, start }: {
    hooks?: TrainHooks;
    extra?: Extra[];
    worker?: Worker;
    start?: Network;
  } = {},
): TrainResult {
  let steps: Steps | undefined;
  try {
    checkConfig(config);
    const rng = new Random(config.seed);
    const first = start ? copyOf(start, config.hidden) : Network.random(
      config.hidden,
      rng,
    );
    const options = augmentOptions(config.augment);
    // Made after the weights, so that "none" draws exactly what it always drew.
    const distorting = options &&
      { augmenter: new Augmenter(options, rng), rng };
    const data = extra.length > 0
      ? concatDatasets([trainSet, ...extra.map((e) => e.data)])
      : trainSet;
    const repeats = extraRepeats(
      trainSet.count,
      extra.map((e) => ({ count: e.data.count, share: e.share })),
    );
    // One epoch: every training image once, every image of extra set k
    // repeats[k] times.
    const n = extra.reduce(
      (sum, e, k) => sum + e.data.count * repeats[k],
      trainSet.count,
    );
    const B = Math.min(config.batch, n);
    // Preparing the images (for distortion, or for the threads) counts as
    // training time.
    const prepared = performance.now();
    const run: Run = {
      network: first,
      loss: LOSSES[config.loss ?? "cross-entropy"],
      images: data.images,
      labels: data.labels,
      count: n,
      batch: B,
      momentum: config.momentum,
      distorting,
    };
    steps = worker && config.hidden >= 2
      ? new TwoThreads(worker, run)
      : new OneThread(run);
    const order = steps.order;
    for (let i = 0; i < trainSet.count; i++) order[i] = i;
    let at = trainSet.count, from = trainSet.count;
    extra.forEach((e, k) => {
      for (let r = 0; r < repeats[k]; r++) {
        for (let i = 0; i < e.data.count; i++) order[at++] = from + i;
      }
      from += e.data.count;
    });
    return loop(steps, config, rng, testSet, hooks, n, B, prepared);
  } finally {
    if (!(steps instanceof TwoThreads)) worker?.terminate();
    steps?.close();
  }
}

/** A copy of `network`, which must have `hidden` hidden units. */
function copyOf(network: Network, hidden: number): Network {
  if (network.hidden !== hidden) {
    throw new RangeError(
      `train: the start network has ${network.hidden} hidden units, the configuration ${hidden}`,
    );
  }
  const p = zeroParameters(hidden);
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    p[k].set(network.params[k]);
  }
  return new Network(p);
}

/** The loop of `train()`, over steps made ready. */
function loop(
  steps: Steps,
  config: TrainConfig,
  rng: Random,
  testSet: Dataset | undefined,
  hooks: TrainHooks,
  n: number,
  B: number,
  prepared: number,
): TrainResult {
  const decay = config.weightDecay ?? 0;
  const batches = Math.ceil(n / B);
  const totalSteps = config.epochs * batches;
  let seconds = 0;
  let epochs = 0;
  let firstLoss: number | undefined;
  let evaluation: Evaluation | undefined;
  let keep = 1; // weight decay not applied yet
  let stopped = false;
  let epochStart = prepared;
  for (let epoch = 1; epoch <= config.epochs && !stopped; epoch++) {
    if (epoch > 1) epochStart = performance.now();
    let hookSeconds = 0;
    const hook = (result: HookResult, since: number) => {
      hookSeconds += (performance.now() - since) / 1000;
      if (result === "stop") stopped = true;
    };
    rng.shuffle(steps.order);
    steps.startEpoch();
    let lossSum = 0;
    let rate = 0;
    for (let b = 0; b < batches && !stopped; b++) {
      const first = b * B;
      const rows = Math.min(B, n - first);
      const step = (epoch - 1) * batches + b;
      rate = rateAt(config, step, totalSteps, batches);
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
      const loss = steps.step(first, rows, rate, factor);
      firstLoss ??= loss;
      if (!(loss <= DIVERGENCE_FACTOR * firstLoss)) { // also true for NaN
        throw new DivergedError(epoch, b + 1, config.rate, loss);
      }
      lossSum += loss;
      if (hooks.afterStep) {
        const now = performance.now();
        hook(
          hooks.afterStep({
            epoch,
            step: b + 1,
            steps: batches,
            done: first + rows,
            total: n,
            loss,
            meanLoss: lossSum / (b + 1),
            seconds: seconds + (now - epochStart) / 1000 - hookSeconds,
            rate,
          }, steps.network),
          now,
        );
      }
    }
    steps.endEpoch();
    if (stopped) break;
    const epochSeconds = (performance.now() - epochStart) / 1000 - hookSeconds;
    seconds += epochSeconds;
    if (testSet) {
      evaluation = steps.betweenEpochs(() => evaluate(steps.network, testSet));
    }
    const report: EpochReport = {
      epoch,
      loss: lossSum / batches,
      accuracy: evaluation?.accuracy ?? NaN,
      seconds: epochSeconds,
      rate,
    };
    epochs = epoch;
    if (hooks.afterEpoch) {
      const now = performance.now();
      hook(hooks.afterEpoch(report, steps.network), now);
    }
  }
  return { network: steps.close(), epochs, evaluation, stopped };
}
