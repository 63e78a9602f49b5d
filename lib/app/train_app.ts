/**
 * The trainer's command line: options, the training run and its report.
 * scripts/mnist_train.ts only calls `parseTrainArgs()` and `runTrain()`.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { loadBlas } from "../native/blas.ts";
import { type Dataset, loadMnist } from "../data/mnist.ts";
import { readOwnData } from "../data/own_data.ts";
import { encodeHistory } from "../nn/history.ts";
import { MODEL_FORMAT, saveModel } from "../nn/model_file.ts";
import { INPUT_SCALING, TARGETS } from "../nn/network.ts";
import { concatDatasets, type EpochReport, train } from "../nn/train.ts";
import { TRAIN_OPTIONS, type TrainConfig } from "../nn/train_options.ts";
import { startTrainingWorker } from "../nn/parallel/two_threads.ts";
import { optionsHelp, parseOptions } from "../options.ts";
import { formatConfusion, ProgressBar } from "./report.ts";
import { commandWithWriteAccess } from "../cli.ts";
import { UserError } from "../errors.ts";

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
  /** The command line, to repeat it in a message. */
  args: string[];
}

/**
 * Parses the command line and the environment (`env` reads a variable) by
 * the options' table; `null` means --help. Throws `UsageError`s that name the
 * flag or variable.
 */
export function parseTrainArgs(
  args: string[],
  env: (name: string) => string | undefined,
): TrainOptions | null {
  const values = parseOptions(TRAIN_OPTIONS, args, env);
  if (values.help) return null;
  const config = Object.fromEntries(
    TRAIN_OPTIONS.filter((o) => o.field).map((o) => [o.field, values[o.flag]]),
  ) as unknown as TrainConfig;
  return {
    config,
    limit: values.limit as number | undefined,
    threads: values.threads as number | undefined,
    dataDir: values.data as string,
    out: values.out as string,
    verbose: values.verbose as boolean,
    add: values.add as string[],
    addShare: values["add-share"] as number,
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
      openblas: "the library's own choice",
    }[blas.coreSource];
    console.log(
      `OpenBLAS: kernel ${blas.core} (${how}), ${blas.threads} threads, ${blas.library}`,
    );
    console.log(`OpenBLAS build: ${blas.config}`);
  }
  const started = performance.now();
  // Training runs on two threads, this one and a worker, which loads its
  // code while the data is read.
  const worker = startTrainingWorker();
  let loaded: Dataset[];
  try {
    loaded = await Promise.all([
      loadMnist("train", { dir: options.dataDir, limit: options.limit }),
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
  const history: EpochReport[] = [];
  const { network, evaluation } = train(config, trainSet, testSet, {
    extra: added.length
      ? [{ data: concatDatasets(added), share: options.addShare }]
      : [],
    worker,
    hooks: {
      afterStep: (step) => bar.update(step),
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
