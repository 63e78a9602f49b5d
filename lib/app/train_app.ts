/**
 * The trainer's command line: options, the training run and its report.
 * scripts/mnist_train.ts only calls `parseTrainArgs()` and `runTrain()`.
 *
 * @module
 */
import { counted, percent } from "../ui/format.ts";
import { dirname, join, resolve } from "node:path";
import { loadBlas } from "../native/blas.ts";
import { type Dataset, loadMnist, PIXELS } from "../data/mnist.ts";
import { readOwnData } from "../data/own_data.ts";
import { encodeHistory } from "../nn/history.ts";
import { MODEL_FORMAT, saveModel } from "../nn/model_file.ts";
import { INPUT_SCALING } from "../nn/network.ts";
import { LOSSES } from "../nn/layers.ts";
import {
  calibrateThreshold,
  DEFAULT_THRESHOLD,
  refusedShare,
  THRESHOLD_KEY,
} from "../read/read_digit.ts";
import {
  concatDatasets,
  type EpochReport,
  type Extra,
  train,
  type TrainHooks,
} from "../nn/train.ts";
import { NON_DIGIT_KINDS } from "../image/non_digits.ts";
import { nonDigitExamples } from "./non_digit_examples.ts";
import {
  recipeOptions,
  TRAIN_OPTIONS,
  type TrainConfig,
} from "../nn/train_options.ts";
import { startTrainingWorker } from "../nn/parallel/two_threads.ts";
import { optionsHelp, parseOptions } from "../options.ts";
import { formatConfusion, ProgressBar } from "./report.ts";
import { commandWithWriteAccess } from "../cli.ts";
import { UserError } from "../errors.ts";
import { composeHooks, WatchWindow } from "./watch/main.ts";

export const HELP =
  `Train the 784-200-10 sigmoid network on MNIST with OpenBLAS.

Usage: deno task train [options]

Options:
${optionsHelp(TRAIN_OPTIONS)}

Flags win over the environment variables ${
    TRAIN_OPTIONS.filter((o) => o.env).map((o) => o.env).join(", ")
  }.

To save the model outside models/, run the script with a wider permission:
  deno run --allow-read --allow-write=DIR --allow-ffi --allow-env \\
    scripts/mnist_train.ts --out DIR/model.safetensors [options]`;

/** What the trainer was asked to do. */
export interface TrainOptions {
  config: TrainConfig;
  /** The recipe whose defaults the options took (see RECIPES). */
  recipe: string;
  /** Train on the first `limit` images only. */
  limit?: number;
  threads?: number;
  dataDir: string;
  out: string;
  verbose: boolean;
  /** Folders of own drawings to mix into the training set (--add). */
  add: string[];
  /** The share of each epoch they make up. */
  addShare: number;
  /** Whether to mix in examples that are no digit ("standard") or not ("none"). */
  negatives: "standard" | "none";
  /** The share of each epoch they make up. */
  negativesShare: number;
  /** Training images kept apart to calibrate the threshold (at most a tenth). */
  holdout: number;
  /** Show the run in a window (lib/app/watch/). */
  watch: boolean;
  /** The command line, to repeat it in a message. */
  args: string[];
}

/**
 * Parses the command line and the environment (`env` reads a variable) by
 * the options' table, whose defaults are those of the recipe asked for;
 * `null` means --help. Throws `UsageError`s that name the flag or variable.
 */
export function parseTrainArgs(
  args: string[],
  env: (name: string) => string | undefined,
): TrainOptions | null {
  const recipe = parseOptions(TRAIN_OPTIONS, args, env).recipe as string;
  const values = parseOptions(recipeOptions(recipe), args, env);
  if (values.help) return null;
  const config = Object.fromEntries(
    TRAIN_OPTIONS.filter((o) => o.field).map((o) => [o.field, values[o.flag]]),
  ) as unknown as TrainConfig;
  return {
    config,
    recipe,
    limit: values.limit as number | undefined,
    threads: values.threads as number | undefined,
    dataDir: values.data as string,
    out: values.out as string,
    verbose: values.verbose as boolean,
    add: values.add as string[],
    addShare: values["add-share"] as number,
    negatives: values.negatives as TrainOptions["negatives"],
    negativesShare: values["negatives-share"] as number,
    holdout: values.holdout as number,
    watch: values.watch as boolean,
    args,
  };
}

/**
 * Batches smaller than this train on one thread: the two threads meet three
 * times a step, which costs more than half a small batch's work.
 */
export const MIN_SPLIT_BATCH = 16;

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

/** A share as the printed lines give it: "98.99%". */
const pct = (x: number) => percent(x, 2, "");

/**
 * `data` split into the images to train on and the last `holdout` (at most a
 * tenth of them) kept apart, or none when `holdout` is 0.
 */
export function holdOut(
  data: Dataset,
  holdout: number,
): { fit: Dataset; heldOut: Dataset | undefined } {
  const kept = Math.min(holdout, Math.floor(data.count / 10));
  if (kept === 0) return { fit: data, heldOut: undefined };
  const n = data.count - kept;
  return {
    fit: {
      ...data,
      count: n,
      images: data.images.subarray(0, n * PIXELS),
      labels: data.labels.subarray(0, n),
    },
    heldOut: {
      ...data,
      count: kept,
      images: data.images.subarray(n * PIXELS),
      labels: data.labels.subarray(n),
    },
  };
}

/** Trains as `options` say, prints the progress and the report, saves the model. */
export async function runTrain(options: TrainOptions): Promise<void> {
  const { config } = options;
  checkWritable(options.out, options.args);
  // The window opens first: without a display, that is the one thing said.
  using watch = options.watch ? new WatchWindow(config.epochs) : undefined;
  const blas = loadBlas({ threads: options.threads });
  if (options.verbose) {
    const how = {
      environment: "set by OPENBLAS_CORETYPE",
      detected: "chosen from the CPU's features",
      openblas: "the library's own choice",
    }[blas.coreSource];
    console.log(
      `OpenBLAS: kernel ${blas.core} (${how}), ${blas.threads} threads, ${blas.library}`,
    );
    console.log(`OpenBLAS build: ${blas.config}`);
  }
  const started = performance.now();
  // Training runs on two threads, this one and a worker, which loads its
  // code while the data is read; but for batches so small that the threads
  // would spend more time meeting than working.
  const worker = config.batch >= MIN_SPLIT_BATCH
    ? startTrainingWorker()
    : undefined;
  let loaded: Dataset[];
  try {
    loaded = await Promise.all([
      loadMnist("train", { dir: options.dataDir, limit: options.limit }),
      loadMnist("test", { dir: options.dataDir }),
      ...options.add.map(readAdded),
    ]);
  } catch (e) {
    worker?.terminate();
    throw e;
  }
  const [loadedTrain, testSet, ...added] = loaded;
  const { fit: trainSet, heldOut } = holdOut(loadedTrain, options.holdout);
  console.log(
    `Training 784-${config.hidden}-10 on ${trainSet.count} images (test: ${testSet.count}), ` +
      `recipe ${options.recipe}: ` +
      `${
        counted(config.epochs, "epoch")
      }, batch ${config.batch}, rate ${config.rate} ${config.schedule}, ` +
      `momentum ${config.momentum}, seed ${config.seed}, augment ${config.augment}, ` +
      `weight decay ${config.weightDecay}, loss ${config.loss}`,
  );
  if (heldOut) {
    console.log(
      `Keeping ${heldOut.count} training images apart to calibrate the answer "not a digit"`,
    );
  }
  for (const [i, d] of added.entries()) {
    console.log(`Adding ${d.count} drawings from ${options.add[i]}`);
  }
  const extra: Extra[] = [];
  if (added.length) {
    extra.push({ data: concatDatasets(added), share: options.addShare });
  }
  // Making the examples takes seconds: the window answers meanwhile, and
  // ESC there stops the run before it starts.
  const stopHere = watch ? () => watch.stoppedWhileLoading() : undefined;
  const negatives = options.negatives === "none" ? undefined : nonDigitExamples(
    trainSet,
    config.seed,
    options.negativesShare,
    { otherShare: options.addShare * (added.length ? 1 : 0), stopHere },
  );
  if (stopHere?.()) {
    worker?.terminate();
    console.log("Stopped: the model is not saved");
    return;
  }
  if (negatives) {
    extra.push({ data: negatives, share: options.negativesShare });
    console.log(
      `Adding ${negatives.count} examples that are no digit (${
        NON_DIGIT_KINDS.join(", ")
      })`,
    );
  }
  const bar = new ProgressBar(config.epochs, Deno.stderr);
  const history: EpochReport[] = [];
  // Images in an epoch: the training set's, and the extras mixed in.
  let perEpoch = trainSet.count;
  const hooks: TrainHooks = {
    afterStep: (step) => {
      perEpoch = step.total;
      bar.update(step);
    },
    afterEpoch: (r) => {
      history.push(r);
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
  };
  const { network, evaluation, stopped } = train(config, trainSet, testSet, {
    extra,
    worker,
    hooks: watch ? composeHooks(hooks, watch.hooks(testSet)) : hooks,
  });
  if (stopped) {
    bar.clear();
    console.log("Stopped: the model is not saved");
    return;
  }
  const trainSeconds = history.reduce((s, r) => s + r.seconds, 0);
  // The last epoch already evaluated the test set.
  const { accuracy, confusion } = evaluation!;
  console.log(
    `\nTest accuracy ${pct(accuracy)} after ${
      counted(config.epochs, "epoch")
    }: ` +
      `${trainSeconds.toFixed(2)} s training ` +
      `(${Math.round(perEpoch * config.epochs / trainSeconds)} images/s), ` +
      `${((performance.now() - started) / 1000).toFixed(2)} s in all`,
  );
  console.log(`\nConfusion matrix (rows: true digit, columns: predicted):`);
  console.log(formatConfusion(confusion));
  const threshold = heldOut
    ? calibrateThreshold(network, heldOut)
    : DEFAULT_THRESHOLD;
  console.log(
    `\nNot a digit: no output reaches ${threshold} (${
      heldOut
        ? `${
          pct(refusedShare(network, heldOut, threshold))
        } of the held-out digits, `
        : ""
    }${pct(refusedShare(network, testSet, threshold))} of the test set)`,
  );
  await saveModel(options.out, network, {
    format: MODEL_FORMAT,
    layers: `784-${config.hidden}-10`,
    activation: "sigmoid",
    recipe: options.recipe,
    loss: LOSSES[config.loss ?? "cross-entropy"].name,
    targets: LOSSES[config.loss ?? "cross-entropy"].targets,
    schedule: config.schedule ?? "warmup-cosine",
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
    negatives: negatives ? NON_DIGIT_KINDS.join(",") : "none",
    negatives_share: String(negatives ? options.negativesShare : 0),
    holdout: String(heldOut?.count ?? 0),
    [THRESHOLD_KEY]: String(threshold),
    ...encodeHistory(history),
  });
  console.log(`\nSaved ${options.out}`);
  await watch?.finish(
    network,
    `done: test accuracy ${pct(accuracy)}, saved ${options.out}`,
  );
}
