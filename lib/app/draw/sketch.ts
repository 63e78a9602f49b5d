/**
 * The drawing window's state: a drawing in progress and what the network
 * makes of it, one digit or a number of several, changed by mouse and keys;
 * and the lines the window prints. Knows nothing of windows, so tests drive
 * it directly.
 *
 * @module
 */
import { relative } from "node:path";
import { Canvas, type Tool } from "../../image/canvas.ts";
import { CLASSES } from "../../data/mnist.ts";
import type { SavedDrawing } from "../../data/own_data.ts";
import type { Reading } from "../../read/read_digit.ts";
import {
  type DigitReader,
  type NumberReading,
  readDrawing,
} from "../../read/read_number.ts";
import { Key, MouseButton } from "../../native/sdl2.ts";
import { percent } from "../../ui/format.ts";

/** SDL key codes of letters are their lower-case ASCII codes. */
export const KEY_X = 0x78;

/** The reading of an empty canvas: no pieces. */
export const NOTHING_DRAWN: NumberReading = {
  number: null,
  digits: [],
  reason: "nothing drawn",
};

/**
 * What the network made of one piece, in a few words: "4 (97.1%)", the
 * digit and its probability, or "? (not a digit: highest output 0.12)".
 */
export function pieceAnswer(reading: Reading): string {
  return reading.digit === null
    ? `? (${reading.reason ?? "not a digit"})`
    : `${reading.digit} (${
      percent(reading.probabilities[reading.digit], 1, "")
    })`;
}

/**
 * The lines SPACE prints for `reading`. One digit: "0=1.2%" ... "9=0.0%",
 * then "prediction: 7", or "prediction: ?" when the drawing is not read as a
 * digit. A number: one line per piece, left to right, "piece 1: 4 (97.1%)"
 * or "piece 2: ? (not a digit: ...)", then "prediction: 42", or
 * "prediction: ?" when a piece is not a digit. Nothing drawn: "nothing
 * drawn".
 */
export function reportLines(reading: NumberReading): string[] {
  const { digits } = reading;
  if (digits.length === 0) return ["nothing drawn"];
  const lines = [];
  if (digits.length === 1) {
    const probs = digits[0].reading.probabilities;
    for (let d = 0; d < CLASSES; d++) {
      lines.push(`${d}=${percent(probs[d], 1, "")}`);
    }
  } else {
    digits.forEach((piece, k) =>
      lines.push(`piece ${k + 1}: ${pieceAnswer(piece.reading)}`)
    );
  }
  lines.push(`prediction: ${reading.number ?? "?"}`);
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

/** Why a digit key saved nothing: the line it prints, and the panel's words. */
export interface Unsaved {
  line: string;
  status: string;
}

/**
 * What a digit key saves from `reading`: the 28x28 the network read, when
 * the drawing is one piece; otherwise why nothing is saved (nothing drawn,
 * or several pieces: a number is no label's example).
 */
export function toSave(reading: NumberReading): Uint8Array | Unsaved {
  const n = reading.digits.length;
  if (n === 1) return reading.digits[0].input.pixels;
  return n === 0
    ? {
      line: "nothing drawn, nothing saved",
      status: "Nothing drawn, nothing saved",
    }
    : {
      line: `${n} pieces drawn, nothing saved: draw one digit to save it`,
      status: "Draw one digit to save it",
    };
}

/** What a key asks the window to do beyond changing the sketch. */
export type KeyAction =
  | { type: "quit" }
  | { type: "report" }
  /** Save `input`, the drawing's 28x28, with `label`. */
  | { type: "save"; label: number; input: Uint8Array }
  /** A digit key that saves nothing, and why. */
  | { type: "unsaved"; unsaved: Unsaved }
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
 * canvas and the reading. Mouse coordinates are window pixels, which are
 * canvas pixels since the canvas is at the top-left.
 *
 * The canvas shows the strokes as drawn; `readDrawing()` splits the ink into
 * pieces, one per digit, and reads each piece drawn again from its own
 * strokes with a pen sized to it, so that a digit reads the same drawn small
 * or large, alone or in a number.
 */
export class Sketch {
  readonly canvas: Canvas;
  readonly #reader: DigitReader;
  /**
   * What the network made of the drawing at the last `classify()`: its
   * pieces left to right, each with the 28x28 the network read and its
   * reading, and the number, or why there is none. No pieces while nothing
   * is drawn.
   */
  reading: NumberReading = NOTHING_DRAWN;
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

  /** A sketch read by `reader`: a network and the threshold its answers must reach. */
  constructor(reader: DigitReader, canvas: Canvas = new Canvas()) {
    this.#reader = reader;
    this.canvas = canvas;
  }

  /** True while a mouse button draws or erases. */
  get stroking(): boolean {
    return this.#tool !== null;
  }

  /** True when the last `classify()` found ink. */
  get drawn(): boolean {
    return this.reading.digits.length > 0;
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

  /**
   * Reads the drawing: splits it into pieces and has the network read each
   * (`readDrawing()`). An empty canvas is not read.
   */
  classify(): void {
    this.reading = this.canvas.isEmpty()
      ? NOTHING_DRAWN
      : readDrawing(this.#reader, this.canvas);
    this.stale = false;
  }

  /** Applies a key press (SDL key code); see `HELP` for the keys. */
  key(key: number): KeyAction {
    if (key === Key.ESCAPE) return { type: "quit" };
    if (key === Key.SPACE) {
      // As in the original, SPACE on a drawing it has just printed clears it.
      if (this.reported && this.drawn) {
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
      const input = toSave(this.reading);
      return input instanceof Uint8Array
        ? { type: "save", label: digit, input }
        : { type: "unsaved", unsaved: input };
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
      // The interval counts from the reading's end: a drawing that takes
      // long to split (a long bar) still leaves the window time for events.
      this.#last = this.#now();
    }
    return true;
  }
}
