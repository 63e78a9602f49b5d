/**
 * `deno task sweep`: the experiments of Rashid's book, which the talk
 * follows: test accuracy against the learning rate, the number of epochs and
 * the number of hidden units, one axis at a time, every other setting held
 * at the recipe's (the talk's by default). Each run trains as `deno task
 * train` would with that recipe; the table is printed as the runs go, then
 * written as `results.csv`, and each axis drawn as a chart.
 *
 * @module
 */
import { join } from "node:path";
import { replaceFile } from "../atomic_file.ts";
import { type Dataset, loadMnist } from "../data/mnist.ts";
import { BackgroundTrainer } from "../nn/parallel/background.ts";
import type { Extra } from "../nn/train.ts";
import { TRAIN_OPTIONS, type TrainConfig } from "../nn/train_options.ts";
import { nonDigitExamples } from "./non_digit_examples.ts";
import { holdOut, parseTrainArgs } from "./train_app.ts";
import { checkOutputDir, writeError } from "./output_dir.ts";
import { ProgressBar } from "./report.ts";
import { percent } from "../ui/format.ts";
import { showCharts, writeCharts } from "./sweep_charts.ts";
import { optionsHelp, type OptionSpec, parseOptions } from "../options.ts";

/** The axes of the book's experiments. */
export const AXES = ["rate", "epochs", "hidden"] as const;
export type Axis = typeof AXES[number];

/** The book's values of each axis. */
export const BOOK_VALUES: Record<Axis, readonly number[]> = {
  rate: [0.01, 0.05, 0.1, 0.2, 0.3, 0.6, 0.9],
  epochs: [1, 2, 3, 5, 7, 10],
  hidden: [5, 10, 25, 50, 100, 200, 500],
};

/** The folder results go to by default, inside the project. */
export const DEFAULT_SWEEP_DIR = "sweeps";

/**
 * The trainer's option `flag` as its table declares it (type, range,
 * choices, help), without its environment variable or its field.
 */
function trainOption(flag: string): OptionSpec {
  const spec = TRAIN_OPTIONS.find((o) => o.flag === flag);
  if (spec === undefined) throw new Error(`train has no option --${flag}`);
  const { env: _env, field: _field, ...rest } = spec;
  return rest;
}

/** `--<flag> V,V,...`: a list of values of the trainer's option `axis`. */
function axisOption(axis: Axis, flag: string, noun: string): OptionSpec {
  const { type, min, aboveMin, max, belowMax } = trainOption(axis);
  return {
    flag,
    type,
    list: true,
    min,
    aboveMin,
    max,
    belowMax,
    arg: type === "integer" ? "N,N,..." : "R,R,...",
    defaultText: `the book's: ${BOOK_VALUES[axis].join(",")}`,
    help: `sweep ${noun} over these values`,
  };
}

/** The sweep's options, in the order `--help` lists them. */
export const SWEEP_OPTIONS: readonly OptionSpec[] = [
  {
    ...trainOption("recipe"),
    default: "talk",
    help: "the recipe whose settings the runs hold: the talk's, or this " +
      "project's (see deno task train --help)",
  },
  axisOption("rate", "rates", "the learning rate"),
  axisOption("epochs", "epochs", "the number of epochs"),
  axisOption("hidden", "hidden", "the number of hidden units"),
  {
    flag: "out",
    type: "path",
    default: DEFAULT_SWEEP_DIR,
    arg: "DIR",
    help: "where to write results.csv and the charts (the task may write " +
      "only inside the project)",
  },
  {
    flag: "png",
    type: "flag",
    help: "write the charts only, without opening a window",
  },
  trainOption("data"),
  trainOption("limit"),
  { flag: "help", short: "h", type: "flag", help: "show this help" },
];

export const HELP =
  `Run the book's experiments: test accuracy against the learning rate, the
number of epochs and the number of hidden units, one axis at a time, the other
settings held at the recipe's. With no axis given, all three, with the book's
values.

Usage: deno task sweep [options]

Options:
${optionsHelp(SWEEP_OPTIONS)}

Writes DIR/results.csv (axis,value,epochs,hidden,rate,accuracy,seconds) and one
chart per axis, DIR/<axis>.png; shows the charts in a window unless --png is
given or there is no display.`;

/** What the sweep was asked to do. */
export interface SweepOptions {
  recipe: string;
  /** The axes to sweep, each with its values. */
  axes: Partial<Record<Axis, readonly number[]>>;
  out: string;
  png: boolean;
  dataDir: string;
  limit?: number;
}

/** Parses the command line; `null` means --help. Throws `UsageError`s. */
export function parseSweepArgs(args: string[]): SweepOptions | null {
  const values = parseOptions(SWEEP_OPTIONS, args, () => undefined);
  if (values.help) return null;
  const given = {
    rate: values.rates,
    epochs: values.epochs,
    hidden: values.hidden,
  } as Record<Axis, readonly number[] | undefined>;
  const any = AXES.some((a) => given[a] !== undefined);
  const axes: SweepOptions["axes"] = {};
  for (const a of AXES) {
    if (given[a] !== undefined) axes[a] = given[a];
    else if (!any) axes[a] = BOOK_VALUES[a];
  }
  return {
    recipe: values.recipe as string,
    axes,
    out: values.out as string,
    png: values.png as boolean,
    dataDir: values.data as string,
    limit: values.limit as number | undefined,
  };
}

/** One run of a sweep: the axis, its value there, and the whole configuration. */
export interface SweepRun {
  axis: Axis;
  value: number;
  config: TrainConfig;
}

/** The runs of `axes` around the recipe's configuration `base`, axis by axis. */
export function sweepRuns(
  base: TrainConfig,
  axes: SweepOptions["axes"],
): SweepRun[] {
  const runs: SweepRun[] = [];
  for (const axis of AXES) {
    for (const value of axes[axis] ?? []) {
      runs.push({ axis, value, config: { ...base, [axis]: value } });
    }
  }
  return runs;
}

/** A run's result: a row of results.csv. */
export interface SweepResult {
  axis: Axis;
  value: number;
  epochs: number;
  hidden: number;
  rate: number;
  /** Test accuracy, 0..1. */
  accuracy: number;
  /** Seconds of training. */
  seconds: number;
}

/** The columns of results.csv, in order. */
export const CSV_COLUMNS = [
  "axis",
  "value",
  "epochs",
  "hidden",
  "rate",
  "accuracy",
  "seconds",
] as const;

/** The results as CSV, a header and one line per run. */
export function resultsCsv(results: readonly SweepResult[]): string {
  const lines = results.map((r) =>
    [
      r.axis,
      r.value,
      r.epochs,
      r.hidden,
      r.rate,
      r.accuracy.toFixed(4),
      r.seconds.toFixed(2),
    ].join(",")
  );
  return [CSV_COLUMNS.join(","), ...lines].join("\n") + "\n";
}

/** A line of the printed table for `r`, or the header with no argument. */
export function tableLine(r?: SweepResult): string {
  const cells = r
    ? [
      r.axis,
      String(r.value),
      String(r.epochs),
      String(r.hidden),
      String(r.rate),
      percent(r.accuracy, 2, ""),
      `${r.seconds.toFixed(1)} s`,
    ]
    : ["axis", "value", "epochs", "hidden", "rate", "accuracy", "training"];
  const widths = [7, 7, 7, 7, 6, 9, 9];
  return cells.map((c, i) => c.padEnd(widths[i])).join(" ").trimEnd();
}

/** The data a sweep trains on, as `deno task train` would with its recipe. */
export interface SweepData {
  trainSet: Dataset;
  testSet: Dataset;
  extra: Extra[];
}

/**
 * Loads the data once for every run: the training images less those the
 * recipe keeps apart, the test set, and the recipe's examples that are no
 * digit, if any.
 */
export async function sweepData(options: SweepOptions): Promise<SweepData> {
  const recipe = parseTrainArgs(["--recipe", options.recipe], () => undefined)!;
  const [loaded, testSet] = await Promise.all([
    loadMnist("train", { dir: options.dataDir, limit: options.limit }),
    loadMnist("test", { dir: options.dataDir }),
  ]);
  const { fit: trainSet } = holdOut(loaded, recipe.holdout);
  const extra: Extra[] = recipe.negatives === "none" ? [] : [{
    data: nonDigitExamples(
      trainSet,
      recipe.config.seed,
      recipe.negativesShare,
    ),
    share: recipe.negativesShare,
  }];
  return { trainSet, testSet, extra };
}

/**
 * How many runs train at once: one per core, each on one thread (the talk's
 * batch of one image cannot be split between threads, and whole runs side
 * by side share no work at all), at most `runs`.
 */
export function runsAtOnce(runs: number): number {
  return Math.max(1, Math.min(runs, navigator.hardwareConcurrency || 1));
}

/**
 * Runs every run of `options`, runsAtOnce() of them side by side, printing
 * the table in their order as they end (through `log`) and a bar over the runs on `bar`;
 * returns the results in the order of the runs.
 */
export async function sweep(
  options: SweepOptions,
  log: (line: string) => void,
  bar: ProgressBar,
): Promise<SweepResult[]> {
  const base = parseTrainArgs(["--recipe", options.recipe], () => undefined)!
    .config;
  const runs = sweepRuns(base, options.axes);
  const data = await sweepData(options);
  const trainers = Array.from(
    { length: runsAtOnce(runs.length) },
    () =>
      new BackgroundTrainer({ trainSet: data.trainSet, testSet: data.testSet }),
  );
  log(
    `Sweeping with the ${options.recipe} recipe (epochs ${base.epochs}, hidden ${base.hidden}, rate ${base.rate}, batch ${base.batch}): ${runs.length} runs on ${data.trainSet.count} images, ${trainers.length} at a time`,
  );
  log(tableLine());
  const results: SweepResult[] = [];
  // A setting two axes share (the recipe's own: rate 0.1 on one axis, one
  // epoch on another) is trained once; training is the same every time.
  const trained = new Map<string, ReturnType<BackgroundTrainer["train"]>>();
  const started = performance.now();
  let next = 0, done = 0, printed = 0;
  const show = () =>
    bar.show(
      `runs ${ProgressBar.bar(done / runs.length)} ${done}/${runs.length}  ${
        ((performance.now() - started) / 1000).toFixed(0)
      } s`,
    );
  const timer = setInterval(show, 1000);
  show();
  try {
    await Promise.all(trainers.map(async (trainer) => {
      while (next < runs.length) {
        const k = next++, run = runs[k];
        const key = JSON.stringify(run.config);
        if (!trained.has(key)) {
          trained.set(
            key,
            trainer.train({ config: run.config, extra: data.extra }),
          );
        }
        const { evaluation, seconds } = await trained.get(key)!;
        results[k] = {
          axis: run.axis,
          value: run.value,
          epochs: run.config.epochs,
          hidden: run.config.hidden,
          rate: run.config.rate,
          accuracy: evaluation!.accuracy,
          seconds,
        };
        done++;
        bar.clear();
        // The table keeps the runs' order; a run that ends early waits.
        for (; printed < runs.length && results[printed]; printed++) {
          log(tableLine(results[printed]));
        }
        show();
      }
    }));
  } finally {
    clearInterval(timer);
    bar.clear();
    for (const t of trainers) t.close();
  }
  return results;
}

/**
 * The whole sweep: checks that the results can be written, runs it, writes
 * results.csv into the output folder, and the charts.
 */
export async function runSweep(options: SweepOptions): Promise<void> {
  checkOutputDir(options.out, {
    name: "sweep",
    args: Deno.args,
    permissions: SWEEP_PERMISSIONS,
    what: "the results",
  });
  try {
    await Deno.mkdir(options.out, { recursive: true });
  } catch (e) {
    throw writeError(options.out, e);
  }
  const bar = new ProgressBar(1, Deno.stderr);
  const results = await sweep(options, console.log, bar);
  const csv = join(options.out, "results.csv");
  await replaceFile(csv, new TextEncoder().encode(resultsCsv(results)));
  const charts = await writeCharts(options.out, results, options.recipe);
  console.log(`\nWrote ${[csv, ...charts].join(", ")}`);
  if (options.png) return;
  if (!await showCharts(results, options.recipe)) {
    console.log("No display to show the charts on: they are the PNG files");
  }
}

/** The sweep task's permissions, less its write access (see deno.json). */
export const SWEEP_PERMISSIONS = [
  "--allow-read",
  "--allow-ffi",
  "--allow-env",
];
