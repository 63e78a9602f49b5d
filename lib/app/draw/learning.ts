/**
 * Learning from corrections as you draw: each drawing saved with the digit
 * it should have read fine-tunes the network at once, in the background. A
 * job starts from the model as loaded and trains a few hundred steps on
 * every own drawing so far, each distorted anew each time it comes round,
 * mixed with a replay of MNIST training images, so that the network learns
 * the new style without forgetting MNIST. Corrections made while a job runs
 * wait for it and go into the next one together. The job runs the one
 * `train()` in a worker (`BackgroundTrainer`), so the window never stalls.
 *
 * @module
 */
import { basename } from "node:path";
import { type Dataset, PIXELS } from "../../data/mnist.ts";
import { readOwnData } from "../../data/own_data.ts";
import { LOSSES } from "../../nn/layers.ts";
import { type Model, saveModel } from "../../nn/model_file.ts";
import type { Network } from "../../nn/network.ts";
import { concatDatasets } from "../../nn/train.ts";
import { COLOURS } from "../../ui/palette.ts";
import type { Status } from "./view.ts";
import { BackgroundTrainer } from "../../nn/parallel/background.ts";
import type { TrainConfig } from "../../nn/train_options.ts";

/**
 * How a correction is learnt: `replay` MNIST training images drawn anew for
 * each job, the own drawings repeated to make up `ownShare` of an epoch,
 * `epochs` passes at a constant rate with momentum, the default distortions.
 */
export const FINE_TUNING = {
  replay: 10000,
  ownShare: 0.15,
  epochs: 2,
  batch: 20,
  rate: 0.01,
  momentum: 0.9,
  augment: "standard",
} as const;

/**
 * The loss a model was trained with, by its metadata (the loss's name, as the
 * trainer stores it); cross-entropy, the default recipe's, when it says none
 * that is known.
 */
export function modelLoss(
  metadata: Record<string, string>,
): keyof typeof LOSSES {
  const keys = Object.keys(LOSSES) as (keyof typeof LOSSES)[];
  return keys.find((k) => LOSSES[k].name === metadata.loss) ?? "cross-entropy";
}

/** What the learning worker makes its data from. */
export interface LearningInit {
  dataDir: string;
  negativesShare: number;
}

/**
 * The share of examples that are no digit a model was trained with, by its
 * metadata; 0 for one trained on digits alone.
 */
export function modelNegativesShare(metadata: Record<string, string>): number {
  const share = Number(metadata.negatives_share ?? 0);
  return metadata.negatives === "none" || !(share > 0 && share < 1) ? 0 : share;
}

/** What a finished job brings. */
export interface Tuned {
  /** The tuned network. */
  network: Network;
  /** The digits of the corrections it learnt that no job had learnt before. */
  labels: number[];
}

/** Own drawings, grown one at a time. */
class OwnSet {
  images = new Uint8Array(64 * PIXELS);
  labels = new Uint8Array(64);
  count = 0;

  add(image: Uint8Array, label: number) {
    if (this.count === this.labels.length) {
      const images = new Uint8Array(2 * this.images.length);
      images.set(this.images);
      const labels = new Uint8Array(2 * this.labels.length);
      labels.set(this.labels);
      [this.images, this.labels] = [images, labels];
    }
    this.images.set(image, this.count * PIXELS);
    this.labels[this.count++] = label;
  }

  /** A copy of the set as it is now. */
  snapshot(): Dataset {
    return {
      split: "train",
      count: this.count,
      images: this.images.slice(0, this.count * PIXELS),
      labels: this.labels.slice(0, this.count),
    };
  }
}

/**
 * Fine-tunes `base` on the corrections it is given, one job at a time, and
 * hands each tuned network to `onTuned`.
 */
export class Learner {
  readonly #base: Network;
  readonly #trainer: BackgroundTrainer;
  readonly #own = new OwnSet();
  readonly #loss: keyof typeof LOSSES;
  readonly #onTuned: (tuned: Tuned) => void;
  readonly #onError: (error: Error) => void;
  /** Corrections not yet in a job, by digit. */
  #waiting: number[] = [];
  #running = false;
  #jobs = 0;
  #idle: (() => void)[] = [];

  /**
   * A learner for `base`, which replays the MNIST training set of `dataDir`
   * and, for a model taught to say "not a digit", examples that are no digit
   * (`negativesShare` of the replay, as in its training), so that it forgets
   * neither. It starts from the `earlier` own drawings (none by default).
   * `loss` is the one the model was trained with. `onError` gets a job's
   * failure (the learner goes on with the next).
   */
  constructor(
    base: Network,
    {
      dataDir,
      negativesShare = 0,
      earlier,
      loss = "cross-entropy",
      onTuned,
      onError,
    }: {
      dataDir: string;
      negativesShare?: number;
      earlier?: Dataset;
      loss?: keyof typeof LOSSES;
      onTuned: (tuned: Tuned) => void;
      onError: (error: Error) => void;
    },
  ) {
    this.#base = base;
    const init: LearningInit = { dataDir, negativesShare };
    this.#trainer = new BackgroundTrainer({
      worker: new URL("./learning_worker.ts", import.meta.url),
      init,
    });
    this.#loss = loss;
    this.#onTuned = onTuned;
    this.#onError = onError;
    for (let i = 0; i < (earlier?.count ?? 0); i++) {
      this.#own.add(
        earlier!.images.subarray(i * PIXELS, (i + 1) * PIXELS),
        earlier!.labels[i],
      );
    }
  }

  /** Own drawings learnt from, the earlier ones included. */
  get drawings(): number {
    return this.#own.count;
  }

  /** True while a job runs or corrections wait for one. */
  get busy(): boolean {
    return this.#running || this.#waiting.length > 0;
  }

  /** Learns that the 28x28 `image` is `label`: now, or after the job running. */
  learn(image: Uint8Array, label: number): void {
    this.#own.add(image, label);
    this.#waiting.push(label);
    if (!this.#running) this.#start();
  }

  /** Resolves once no job runs and no correction waits. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops the worker; a job running is dropped. */
  close(): void {
    this.#trainer.close();
  }

  #start() {
    const labels = this.#waiting;
    this.#waiting = [];
    this.#running = true;
    const own = this.#own.snapshot();
    this.#trainer.train({
      config: this.config(this.#jobs++),
      start: this.#base,
      sample: FINE_TUNING.replay,
      extra: [{ data: own, share: FINE_TUNING.ownShare }],
    }).then(
      ({ network }) => this.#onTuned({ network, labels }),
      (e) => this.#onError(e instanceof Error ? e : new Error(String(e))),
    ).finally(() => {
      this.#running = false;
      if (this.#waiting.length > 0) this.#start();
      else for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  /** The configuration of job `k`: its seed draws its replay and distortions. */
  config(k: number): TrainConfig {
    return {
      epochs: FINE_TUNING.epochs,
      rate: FINE_TUNING.rate,
      batch: FINE_TUNING.batch,
      momentum: FINE_TUNING.momentum,
      hidden: this.#base.hidden,
      seed: k + 1,
      augment: FINE_TUNING.augment,
      weightDecay: 0,
      loss: this.#loss,
      schedule: "constant",
    };
  }
}

/** How often the window looks for a tuned network while one is learnt. */
export const LEARNING_POLL_MS = 100;

/** The sooner of two `due()` times (-1: never). */
export function minDue(a: number, b: number): number {
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/** Copies the weights of `tuned` into `network` (same shape), in place. */
export function adopt(network: Network, tuned: Network): void {
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    network.params[k].set(tuned.params[k]);
  }
}

/**
 * Where W writes the network tuned from the model at `modelPath`: its name
 * with "-own" (models/mnist-784-200-10-own.safetensors for the shipped
 * model), or the model itself when that is already such a file. The model
 * loaded is never overwritten otherwise.
 */
export function tunedModelPath(modelPath: string): string {
  if (/-own\.safetensors$/.test(modelPath)) return modelPath;
  return modelPath.replace(/(\.safetensors)?$/, "-own.safetensors");
}

/** What W did: a line for stdout or stderr, and the panel's status. */
export interface Written {
  line: string;
  error: boolean;
  status: Status;
}

/**
 * The draw window's learning: a `Learner` started at the first correction,
 * from the own drawings saved before it, whose results the window takes in
 * its own loop (`update()`).
 */
export class LiveLearning {
  readonly #model: Model;
  readonly #modelPath: string;
  readonly #dataDir: string;
  readonly #on: {
    tuned: (tuned: Tuned) => void;
    failed: (why: string) => void;
  };
  #learner: Learner | undefined;
  #arrived: (Tuned | Error)[] = [];
  #latest: Tuned | undefined;

  constructor(
    model: Model,
    { modelPath, dataDir }: { modelPath: string; dataDir: string },
    on: { tuned: (tuned: Tuned) => void; failed: (why: string) => void },
  ) {
    this.#model = model;
    this.#modelPath = modelPath;
    this.#dataDir = dataDir;
    this.#on = on;
  }

  /** True while a correction is being learnt, or its result not taken in. */
  get busy(): boolean {
    return (this.#learner?.busy ?? false) || this.#arrived.length > 0;
  }

  /**
   * Starts the learner, once, from the drawings saved in `ownDir` so far:
   * called before a correction is saved. Throws where they cannot be read.
   */
  async ready(ownDir: string): Promise<void> {
    if (this.#learner) return;
    const own = await readOwnData(ownDir);
    this.#learner = new Learner(this.#model.network, {
      dataDir: this.#dataDir,
      negativesShare: modelNegativesShare(this.#model.metadata),
      earlier: concatDatasets([own.train, own.test]),
      loss: modelLoss(this.#model.metadata),
      onTuned: (t) => this.#arrived.push(t),
      onError: (e) => this.#arrived.push(e),
    });
  }

  /** Learns that the 28x28 `image` is `label` (after `ready()`). */
  learn(image: Uint8Array, label: number): void {
    this.#learner!.learn(image, label);
  }

  /** Hands what the learner finished to the window; true if anything came. */
  update(): boolean {
    const arrived = this.#arrived.splice(0);
    for (const a of arrived) {
      if (a instanceof Error) {
        this.#on.failed(a.message.split("\n")[0]);
      } else {
        this.#latest = a;
        this.#on.tuned(a);
      }
    }
    return arrived.length > 0;
  }

  /** Writes the tuned network (W). */
  async write(): Promise<Written> {
    if (!this.#latest) {
      return {
        line:
          "nothing learnt yet, nothing written: correct a reading with a digit key first",
        error: false,
        status: { text: "Nothing learnt yet", rgb: COLOURS.muted },
      };
    }
    const path = tunedModelPath(this.#modelPath);
    const metadata = { ...this.#model.metadata };
    delete metadata.test_accuracy; // the model's, not the tuned network's
    metadata.tuned_from = basename(this.#modelPath);
    metadata.tuned_drawings = String(this.#learner!.drawings);
    try {
      await saveModel(path, this.#latest.network, metadata);
    } catch (e) {
      const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
      return {
        line: `draw: cannot write the tuned network to ${path}: ${why}`,
        error: true,
        status: {
          text: "Could not write it (see the terminal)",
          rgb: COLOURS.wrong,
        },
      };
    }
    return {
      line: `wrote the tuned network to ${path}`,
      error: false,
      status: { text: "Wrote the tuned network", rgb: COLOURS.text },
    };
  }

  [Symbol.dispose](): void {
    this.#learner?.close();
  }
}
