/**
 * The drawing window's state: a drawing in progress and what the network
 * makes of it, changed by mouse and keys; and the lines the window prints.
 * Knows nothing of windows, so tests drive it directly.
 *
 * @module
 */
import { relative } from "node:path";
import { Canvas, type Tool } from "../../image/canvas.ts";
import { CLASSES, PIXELS } from "../../data/mnist.ts";
import { argmaxRow, type Network } from "../../nn/network.ts";
import type { SavedDrawing } from "../../data/own_data.ts";
import { drawingInput } from "../../image/redraw.ts";
import { readDigit, type Reading } from "../../read/read_digit.ts";
import { Key, MouseButton } from "../../native/sdl2.ts";
import { percent } from "../../ui/format.ts";

/** SDL key codes of letters are their lower-case ASCII codes. */
export const KEY_X = 0x78;

/**
 * The lines SPACE prints for `reading`, or for an empty canvas when `null`:
 * "0=1.2%" ... "9=0.0%", then "prediction: 7", or "prediction: ?" when the
 * drawing is not read as a digit.
 */
export function reportLines(reading: Reading | null): string[] {
  if (reading === null) return ["nothing drawn"];
  const probs = reading.probabilities;
  const lines = [];
  for (let d = 0; d < CLASSES; d++) {
    lines.push(`${d}=${percent(probs[d], 1, "")}`);
  }
  lines.push(`prediction: ${reading.digit ?? "?"}`);
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
 *
 * The canvas shows the strokes as drawn; the network's input is the drawing
 * drawn again from its strokes with a pen sized to it (`drawingInput()`), so
 * that a digit reads the same drawn small or large.
 */
export class Sketch {
  readonly canvas: Canvas;
  readonly #network: Network;
  /** The network's input for the drawing as of the last `classify()`. */
  readonly input = new Uint8Array(PIXELS);
  /**
   * What `readDigit()` made of the drawing at the last `classify()`: the
   * digit, or `null` with the reason; `null` itself when the canvas was empty.
   */
  reading: Reading | null = null;
  /** The probabilities of the last `classify()`, or `null` when the canvas was empty. */
  probs: Float32Array | null = null;
  /**
   * The most probable digit of `probs` (even when `reading` refuses it as no
   * digit), or -1.
   */
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

  /** Makes the network's input from the drawing and reads it. */
  classify(): void {
    const { input, drawn } = drawingInput(this.canvas, { out: this.input });
    if (input.empty) {
      this.reading = null;
      this.probs = null;
      this.predicted = -1;
    } else {
      this.reading = readDigit(this.#network, input, { drawn });
      this.probs = this.reading.probabilities;
      this.predicted = argmaxRow(this.probs, 0);
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

/** Shortest time between two live predictions while a stroke goes on. */
export const PREDICT_INTERVAL_MS = 150;

/**
 * When the network reads the drawing again, so that the panel follows the
 * pen without reading every mouse event: at once after a stroke ends (or a
 * key changed the drawing), and at most every `interval` milliseconds while
 * a stroke goes on. `now` is the clock, in milliseconds.
 */
export class LivePrediction {
  readonly #sketch: Sketch;
  readonly #interval: number;
  readonly #now: () => number;
  #last = -Infinity;

  constructor(
    sketch: Sketch,
    interval = PREDICT_INTERVAL_MS,
    now: () => number = () => performance.now(),
  ) {
    this.#sketch = sketch;
    this.#interval = interval;
    this.#now = now;
  }

  /**
   * Milliseconds until the next reading is due: -1 while the drawing is as
   * last read, 0 at once, else the rest of the interval (at least 1).
   */
  due(): number {
    const sketch = this.#sketch;
    if (!sketch.stale) return -1;
    if (!sketch.stroking) return 0;
    return Math.max(1, Math.ceil(this.#last + this.#interval - this.#now()));
  }

  /**
   * Reads the drawing if a reading is due. True when the drawing changed
   * since it was last read: the window must show it, strokes at once, even
   * between readings.
   */
  update(): boolean {
    const sketch = this.#sketch;
    if (!sketch.stale) return false;
    const now = this.#now();
    if (!sketch.stroking || now - this.#last >= this.#interval) {
      sketch.classify();
      this.#last = now;
    }
    return true;
  }
}
