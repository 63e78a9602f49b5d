/**
 * The drawing window behind `deno task draw`: draw a digit with the mouse and
 * watch the network read it.
 *
 * The 672x672 canvas sits at the window's top-left, as in the original demo;
 * a panel right of it shows the 28x28 image the network is given (the drawing
 * after `preprocess()`), its answer and the ten probabilities. These update
 * while you draw, at most every `PREDICT_INTERVAL_MS` and once more when the
 * stroke ends. SPACE prints the probabilities to stdout, digit keys save the
 * drawing to your own data set.
 *
 * The logic lives in `Sketch`, which knows nothing of SDL, so that tests can
 * drive it directly; `runDraw()` connects it to a window.
 *
 * @module
 */
import { relative } from "node:path";
import { Canvas, CANVAS_SIDE, type Rect, type Tool } from "../image/canvas.ts";
import { parseFlags, UsageError } from "../cli.ts";
import { CLASSES, PIXELS, SIDE } from "../data/mnist.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../nn/model_file.ts";
import type { Network } from "../nn/network.ts";
import {
  DEFAULT_OWN_DIR,
  type SavedDrawing,
  saveDrawing,
} from "../data/own_data.ts";
import { preprocess } from "../image/preprocess.ts";
import {
  argb,
  Hint,
  Key,
  MouseButton,
  PixelTexture,
  type Rgb,
  setHint,
  Window,
} from "../native/sdl2.ts";
import { drawDigitGrid } from "../ui/digit_grid.ts";
import { drawProbBars } from "../ui/prob_bars.ts";
import { drawText, openFont } from "../ui/text.ts";

/** Width of the panel right of the canvas. */
export const PANEL_WIDTH = 328;
/** The window: the 672x672 canvas at the top-left, the panel right of it. */
export const WINDOW_WIDTH = CANVAS_SIDE + PANEL_WIDTH;
export const WINDOW_HEIGHT = CANVAS_SIDE;
/** Shortest time between two live predictions while a stroke goes on. */
export const PREDICT_INTERVAL_MS = 150;
/** Side of one cell of the panel's 28x28 preview, in pixels. */
export const PREVIEW_CELL = 7;

/** SDL key codes of letters are their lower-case ASCII codes. */
const KEY_X = 0x78;

export const HELP = `Draw a digit with the mouse and watch the network read it.

Usage: deno task draw [options]

Options:
  --model PATH   trained model to use
                 (default models/mnist-784-200-10.safetensors)
  --own DIR      folder that digit keys save drawings to (default data/own;
                 the task may only write there, so with another folder run
                 the script with a matching --allow-write)
  --help         show this help

Mouse:
  left button    draw (erase, while the eraser is on)
  right button   erase

Keys:
  SPACE          print each digit's probability to stdout, one "d=p%" line
                 per digit, then "prediction: d" ("nothing drawn" when the
                 canvas is empty); SPACE again, before drawing more, clears
                 the canvas for the next digit, as in the original demo
  C, BACKSPACE   clear the canvas
  X              turn the eraser on or off for the left button
  0-9            save the drawing, normalised to 28x28, with that digit as
                 its label to the own data set, then clear the canvas
  ESC            quit (closing the window quits too)

The panel shows the 28x28 image the network is given, its answer and the ten
probabilities; they follow the drawing a few times a second. Train on your own
drawings with: deno task train --data data/own`;

/** What the command line asks for. */
export interface DrawOptions {
  modelPath: string;
  ownDir: string;
}

/** Parses the command line; `null` means --help. Throws `UsageError`. */
export function parseDrawArgs(args: string[]): DrawOptions | null {
  const values = parseFlags(args, {
    model: { type: "string" },
    own: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return null;
  if (values.model === "") throw new UsageError("--model needs a path");
  if (values.own === "") throw new UsageError("--own needs a folder");
  return {
    modelPath: values.model ?? DEFAULT_MODEL_PATH,
    ownDir: values.own ?? DEFAULT_OWN_DIR,
  };
}

/** The index of the largest of `probs[0..10]`. */
function best(probs: Float32Array): number {
  let b = 0;
  for (let d = 1; d < CLASSES; d++) if (probs[d] > probs[b]) b = d;
  return b;
}

/**
 * The lines SPACE prints for probabilities `probs` (10 values), or for an
 * empty canvas when `null`: "0=1.2%" ... "9=0.0%", then "prediction: 7".
 */
export function reportLines(probs: Float32Array | null): string[] {
  if (probs === null) return ["nothing drawn"];
  const lines = [];
  for (let d = 0; d < CLASSES; d++) {
    lines.push(`${d}=${(probs[d] * 100).toFixed(1)}%`);
  }
  lines.push(`prediction: ${best(probs)}`);
  return lines;
}

/** The line a save prints: "saved as 7 to data/own (train 12)". */
export function savedLine(
  label: number,
  dir: string,
  saved: SavedDrawing,
): string {
  const rel = relative(Deno.cwd(), dir);
  const shown = rel === "" ? "." : rel.startsWith("..") ? dir : rel;
  return `saved as ${label} to ${shown} (${saved.split} ${saved.index + 1})`;
}

/** What a key asks the window to do beyond changing the sketch. */
export type KeyAction =
  | { type: "quit" }
  | { type: "report" }
  | { type: "save"; label: number }
  | { type: "changed" }
  | { type: "none" };

/** The digit a key stands for (top row or keypad), or -1. */
export function digitOf(key: number): number {
  if (key >= Key.DIGIT_0 && key < Key.DIGIT_0 + 10) return key - Key.DIGIT_0;
  if (key >= Key.KP_1 && key < Key.KP_1 + 9) return key - Key.KP_1 + 1;
  if (key === Key.KP_0) return 0;
  return -1;
}

/**
 * A drawing in progress and what the network makes of it: the pen, the
 * canvas, the network's input and its answer. Mouse coordinates are window
 * pixels, which are canvas pixels since the canvas is at the top-left.
 */
export class Sketch {
  readonly canvas: Canvas;
  readonly #network: Network;
  /** The network's input for the drawing as of the last `classify()`. */
  readonly input = new Uint8Array(PIXELS);
  /** The probabilities of the last `classify()`, or `null` when the canvas was empty. */
  probs: Float32Array | null = null;
  /** The most probable digit of `probs`, or -1. */
  predicted = -1;
  /** True when the drawing changed since the last `classify()`. */
  stale = false;
  /** While on, the left button erases instead of drawing. */
  eraser = false;
  /** True after SPACE printed the drawing, until it changes. */
  reported = false;
  // The stroke going on: its tool and last point; #tool is null between strokes.
  #tool: Tool | null = null;
  #button = 0;
  #x = 0;
  #y = 0;

  constructor(network: Network, canvas: Canvas = new Canvas()) {
    this.#network = network;
    this.canvas = canvas;
  }

  /** True while a mouse button draws or erases. */
  get stroking(): boolean {
    return this.#tool !== null;
  }

  #changed() {
    this.stale = true;
    this.reported = false;
  }

  /**
   * A button went down at (x, y): the left one draws (or erases, with the
   * eraser on), the right one erases. Presses outside the canvas do nothing.
   */
  mouseDown(button: number, x: number, y: number): void {
    if (this.#tool !== null) return;
    if (x < 0 || y < 0 || x >= this.canvas.width || y >= this.canvas.height) {
      return;
    }
    let tool: Tool;
    if (button === MouseButton.LEFT) tool = this.eraser ? "erase" : "ink";
    else if (button === MouseButton.RIGHT) tool = "erase";
    else return;
    this.#tool = tool;
    this.#button = button;
    this.#x = x + 0.5;
    this.#y = y + 0.5;
    this.canvas.dab(this.#x, this.#y, tool);
    this.#changed();
  }

  /**
   * The mouse moved to (x, y) with `buttons` held (bits `1 << (button - 1)`):
   * the stroke goes on along the straight line from the previous point, so
   * far-apart events still make a solid line. A stroke whose button is no
   * longer held ends.
   */
  mouseMove(x: number, y: number, buttons: number): void {
    const tool = this.#tool;
    if (tool === null) return;
    if ((buttons & (1 << (this.#button - 1))) === 0) {
      this.#tool = null;
      return;
    }
    const px = x + 0.5, py = y + 0.5;
    this.canvas.stroke(this.#x, this.#y, px, py, tool);
    this.#x = px;
    this.#y = py;
    this.#changed();
  }

  /** A button went up at (x, y): the stroke ends there. */
  mouseUp(button: number, x: number, y: number): void {
    if (this.#tool === null || button !== this.#button) return;
    this.mouseMove(x, y, 1 << (button - 1));
    this.#tool = null;
  }

  /** Removes the drawing; a stroke going on ends. */
  clear(): void {
    this.#tool = null;
    if (this.canvas.isEmpty()) return;
    this.canvas.clear();
    this.#changed();
  }

  /** Normalises the drawing and runs the network on it. */
  classify(): void {
    const { empty } = preprocess(this.canvas, { out: this.input });
    if (empty) {
      this.probs = null;
      this.predicted = -1;
    } else {
      this.probs = this.#network.predict(this.input, 1);
      this.predicted = best(this.probs);
    }
    this.stale = false;
  }

  /** Applies a key press (SDL key code); see `HELP` for the keys. */
  key(key: number): KeyAction {
    if (key === Key.ESCAPE) return { type: "quit" };
    if (key === Key.SPACE) {
      // As in the original, SPACE on a drawing it has just printed clears it.
      if (this.reported && this.probs !== null) {
        this.clear();
        return { type: "changed" };
      }
      if (this.stale) this.classify();
      this.reported = true;
      return { type: "report" };
    }
    if (key === Key.C || key === Key.BACKSPACE) {
      this.clear();
      return { type: "changed" };
    }
    if (key === KEY_X) {
      this.eraser = !this.eraser;
      return { type: "changed" };
    }
    const digit = digitOf(key);
    if (digit >= 0) {
      if (this.stale) this.classify();
      return { type: "save", label: digit };
    }
    return { type: "none" };
  }
}

/** Colours of the window. */
export const COLOURS = {
  paper: 0xffffff,
  ink: 0x000000,
  panel: 0xf3f1ec,
  frame: 0xbdb8ad,
  text: 0x222222,
  muted: 0x6b6b6b,
  answer: 0x1565c0,
  track: 0xe2dfd8,
  bar: 0xa9b4bb,
  eraser: 0xc62828,
} as const;

/**
 * Writes the canvas pixels of `rect` into `pixels` (a `PixelTexture` image of
 * the canvas's size) as grey: ink 1 is `COLOURS.ink`, 0 is `COLOURS.paper`.
 */
export function canvasToArgb(
  canvas: Canvas,
  rect: Rect,
  pixels: Uint32Array,
): void {
  const { width: w, data } = canvas;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let k = y * w + rect.x, end = k + rect.width; k < end; k++) {
      const g = 255 - Math.round(data[k] * 255);
      pixels[k] = argb(g << 16 | g << 8 | g);
    }
  }
}

type Fonts = ReturnType<typeof openFonts>;

function openFonts() {
  const fonts = {
    small: openFont(14),
    body: openFont(16),
    bold: openFont(16, "bold"),
    answer: openFont(72, "bold"),
    [Symbol.dispose]() {
      for (const f of [this.small, this.body, this.bold, this.answer]) {
        f.close();
      }
    },
  };
  return fonts;
}

const NO_PROBS = new Float32Array(CLASSES);

/** Draws the panel right of the canvas for the sketch's state. */
function drawPanel(
  window: Window,
  fonts: Fonts,
  sketch: Sketch,
  status: { text: string; rgb: Rgb },
): void {
  const left = CANVAS_SIDE;
  const x = left + 24;
  const width = PANEL_WIDTH - 48;
  window.setColour(COLOURS.panel);
  window.fillRect(left, 0, PANEL_WIDTH, WINDOW_HEIGHT);
  // A line between the canvas and the panel.
  window.setColour(COLOURS.frame);
  window.fillRect(left, 0, 1, WINDOW_HEIGHT);

  drawText(window, fonts.small, "The network sees", x, 12, COLOURS.muted);
  const side = SIDE * PREVIEW_CELL;
  window.setColour(COLOURS.frame);
  window.fillRect(x - 1, 35, side + 2, side + 2);
  drawDigitGrid(window, sketch.input, x, 36, PREVIEW_CELL);

  const answerX = x + side + 16;
  const answerWidth = left + PANEL_WIDTH - 24 - answerX;
  const probs = sketch.probs;
  if (probs === null) {
    drawText(window, fonts.small, "Draw a", answerX, 100, COLOURS.muted);
    drawText(window, fonts.small, "digit", answerX, 118, COLOURS.muted);
  } else {
    drawText(
      window,
      fonts.answer,
      String(sketch.predicted),
      answerX + answerWidth / 2,
      40,
      COLOURS.answer,
      "centre",
    );
    drawText(
      window,
      fonts.bold,
      `${Math.round(probs[sketch.predicted] * 100)} %`,
      answerX + answerWidth / 2,
      132,
      COLOURS.text,
      "centre",
    );
  }

  drawProbBars(
    window,
    fonts.small,
    probs ?? NO_PROBS,
    0,
    { x, y: 248, width, row: 28 },
    {
      text: COLOURS.text,
      track: COLOURS.track,
      bar: COLOURS.bar,
      best: probs ? COLOURS.answer : COLOURS.bar,
      mark: COLOURS.answer,
    },
  );

  if (sketch.eraser) {
    drawText(
      window,
      fonts.bold,
      "Eraser on (X turns it off)",
      x,
      538,
      COLOURS.eraser,
    );
  }
  drawText(window, fonts.body, status.text, x, 560, status.rgb);

  const keys = [
    "Left button draw, right button erase",
    "X eraser   C, Backspace clear",
    "SPACE print (twice: clear)   0-9 save",
    "ESC quit",
  ];
  keys.forEach((line, k) =>
    drawText(window, fonts.small, line, x, 594 + k * 18, COLOURS.muted)
  );
}

/**
 * Runs the drawing window until ESC or the window is closed. The model loads
 * and the fonts open before the window does, so their errors come first.
 * `out` gets the lines meant for stdout; `err` the ones for stderr.
 */
export async function runDraw(
  options: DrawOptions,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<void> {
  const { network } = await loadModel(options.modelPath);
  const sketch = new Sketch(network);
  const canvas = sketch.canvas;
  using fonts = openFonts();
  // The first stroke into a window that did not have the focus must draw.
  setHint(Hint.MOUSE_FOCUS_CLICKTHROUGH, "1");
  using win = new Window("Draw a digit", WINDOW_WIDTH, WINDOW_HEIGHT);
  using texture = new PixelTexture(win, canvas.width, canvas.height);
  const pixels = new Uint32Array(canvas.width * canvas.height);
  pixels.fill(argb(COLOURS.paper));
  texture.update(null, pixels);
  canvas.takeDirty();
  sketch.classify();

  let status = { text: "", rgb: COLOURS.text as Rgb };
  let lastPredict = -Infinity;
  let redraw = true;
  const pending: string[] = [];
  const print = (line: string) => pending.push(line);
  for (;;) {
    if (redraw) {
      const dirty = canvas.takeDirty();
      if (dirty) {
        canvasToArgb(canvas, dirty, pixels);
        texture.update(dirty, pixels);
      }
      texture.draw(0, 0);
      drawPanel(win, fonts, sketch, status);
      win.present();
      redraw = false;
    }
    // Printed once the window shows what they say, so that whoever reads
    // stdout sees the same state on screen.
    for (const line of pending) out(line);
    pending.length = 0;

    // Sleep until the next event; while the drawing has changed, only until
    // the next prediction is due: at once after a stroke, else at most
    // every PREDICT_INTERVAL_MS while it goes on.
    let timeout = -1;
    if (sketch.stale) {
      timeout = sketch.stroking
        ? Math.max(
          1,
          Math.ceil(lastPredict + PREDICT_INTERVAL_MS - performance.now()),
        )
        : 0;
    }
    let event = win.waitEvent(timeout);
    // Take every event already queued before drawing once.
    while (event) {
      switch (event.type) {
        case "quit":
          return;
        case "window":
          redraw = true;
          break;
        case "mousedown":
          sketch.mouseDown(event.button, event.x, event.y);
          break;
        case "mousemove":
          sketch.mouseMove(event.x, event.y, event.buttons);
          break;
        case "mouseup":
          sketch.mouseUp(event.button, event.x, event.y);
          break;
        case "keydown": {
          if (event.repeat) break;
          const action = sketch.key(event.key);
          if (action.type === "quit") return;
          if (action.type === "report") {
            for (const line of reportLines(sketch.probs)) print(line);
            redraw = true;
          } else if (action.type === "save") {
            status = await save(
              sketch,
              action.label,
              options.ownDir,
              print,
              err,
            );
            redraw = true;
          } else if (action.type === "changed") {
            redraw = true;
          }
          break;
        }
      }
      event = win.waitEvent(0);
    }

    const now = performance.now();
    if (
      sketch.stale &&
      (!sketch.stroking || now - lastPredict >= PREDICT_INTERVAL_MS)
    ) {
      sketch.classify();
      lastPredict = now;
      redraw = true;
    }
    // Strokes show at once, even between predictions.
    if (sketch.stale) redraw = true;
  }
}

/** Saves the drawing with `label` and clears the canvas; returns the status to show. */
async function save(
  sketch: Sketch,
  label: number,
  dir: string,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<{ text: string; rgb: Rgb }> {
  if (sketch.probs === null) {
    out("nothing drawn, nothing saved");
    return { text: "Nothing drawn, nothing saved", rgb: COLOURS.muted };
  }
  try {
    const saved = await saveDrawing(sketch.input, label, { dir });
    const line = savedLine(label, dir, saved);
    out(line);
    sketch.clear();
    return {
      text: `Saved as ${label} (${saved.split} ${saved.index + 1})`,
      rgb: COLOURS.text,
    };
  } catch (e) {
    // The window stays open: the drawing is still there to try again.
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    err(`draw: cannot save: ${why}`);
    return { text: "Could not save (see the terminal)", rgb: COLOURS.eraser };
  }
}
