/**
 * What the drawing window shows: the canvas at the top-left, and a panel
 * with what the network makes of the drawing. For one digit: the 28x28
 * image the network is given, its answer and the ten probabilities; for a
 * number, each piece's image and answer and the whole number
 * (number_view.ts). The panel is drawn from a small `SketchPanel` record,
 * not from the sketch itself.
 *
 * @module
 */
import type { Canvas, Rect } from "../../image/canvas.ts";
import { CLASSES, PIXELS, SIDE } from "../../data/mnist.ts";
import {
  argb,
  PixelTexture,
  type Rgb,
  type Window,
} from "../../native/sdl2.ts";
import type { DigitReading, NumberReading } from "../../read/read_number.ts";
import { drawDigitGrid } from "../../ui/digit_grid.ts";
import type { Fonts } from "../../ui/fonts.ts";
import { COLOURS } from "../../ui/palette.ts";
import { answerOf, drawLines, fillPanel } from "../../ui/panel.ts";
import { percent } from "../../ui/format.ts";
import { barColours, drawProbBars } from "../../ui/prob_bars.ts";
import { drawText, type TextOptions } from "../../ui/text.ts";
import { drawNumberPanel, NUMBER_COLUMN, sentence } from "./number_view.ts";
import type { Sketch } from "./sketch.ts";

/** Side of one cell of the panel's 28x28 preview, in pixels. */
export const PREVIEW_CELL = 7;

/** The panel's text column: its left edge and width. */
export const SKETCH_COLUMN = NUMBER_COLUMN;

/** Where the panel shows the network's 28x28 input for one digit. */
export const PREVIEW = {
  x: SKETCH_COLUMN.x,
  y: 36,
  w: SIDE * PREVIEW_CELL,
  h: SIDE * PREVIEW_CELL,
} as const;

/** Where the panel shows the answer in large type, or a "?", right of the preview. */
export const ANSWER_BOX = {
  x: PREVIEW.x + PREVIEW.w + 16,
  y: 40,
  w: SKETCH_COLUMN.x + SKETCH_COLUMN.width - (PREVIEW.x + PREVIEW.w + 16),
  h: 90,
} as const;

/** Top of the probability bars; the line above them says why a drawing is refused. */
export const BARS_TOP = 258;
/** Top of the key help at the panel's foot. */
export const SKETCH_KEYS_TOP = 594;

/** A line under the probabilities saying what the last action did. */
export interface Status {
  text: string;
  rgb: Rgb;
}

/** No status line. */
export const NO_STATUS: Status = { text: "", rgb: COLOURS.text };

/** What the panel shows about the drawing. */
export interface SketchPanel {
  /**
   * What the network made of the drawing: its pieces, each with the 28x28
   * the network read and its reading, and the number or why there is none.
   */
  reading: NumberReading;
  /** Whether the left button erases. */
  eraser: boolean;
  status: Status;
}

/** The panel's state for the sketch as of its last `classify()`. */
export function sketchPanel(sketch: Sketch, status: Status): SketchPanel {
  return { reading: sketch.reading, eraser: sketch.eraser, status };
}

/** The key help at the panel's foot. */
export const SKETCH_KEY_LINES = [
  "Left button draw, right button erase",
  "X eraser   C, Backspace clear",
  "SPACE print (twice: clear)   0-9 teach",
  "TAB inside   W save tuned   ESC quit",
] as const;

const NO_PROBS = new Float32Array(CLASSES);
const NO_INPUT = new Uint8Array(PIXELS);

/**
 * Draws the panel right of the canvas: one digit's (or, with nothing drawn,
 * an empty one) or a number's, then the eraser, the status and the keys.
 */
export function drawSketchPanel(
  window: Window,
  fonts: Fonts,
  panel: SketchPanel,
): void {
  const { x } = SKETCH_COLUMN;
  fillPanel(window, true);
  const { digits } = panel.reading;
  if (digits.length > 1) drawNumberPanel(window, fonts, panel.reading);
  else drawDigitPanel(window, fonts, digits[0] ?? null);

  if (panel.eraser) {
    drawText(window, fonts, "Eraser on (X turns it off)", {
      x,
      y: 542,
      font: "bold",
      colour: COLOURS.eraser,
    });
  }
  drawText(window, fonts, panel.status.text, {
    x,
    y: 564,
    font: "body",
    colour: panel.status.rgb,
  });
  drawLines(window, fonts, SKETCH_KEY_LINES, { x, y: SKETCH_KEYS_TOP });
}

/**
 * Draws one digit's part of the panel: the 28x28 the network read, its
 * answer large (or a red "?" and why) and the ten probabilities (the raw
 * outputs of a piece that is no digit); `null`
 * while nothing is drawn.
 */
function drawDigitPanel(
  window: Window,
  fonts: Fonts,
  piece: DigitReading | null,
): void {
  const { x, width } = SKETCH_COLUMN;
  const muted = COLOURS.muted;
  drawText(window, fonts, "The network sees", { x, y: 12, colour: muted });
  window.setColour(COLOURS.frame);
  window.fillRect(PREVIEW.x - 1, PREVIEW.y - 1, PREVIEW.w + 2, PREVIEW.h + 2);
  drawDigitGrid(
    window,
    piece?.input.pixels ?? NO_INPUT,
    PREVIEW.x,
    PREVIEW.y,
    PREVIEW_CELL,
  );

  const refused = piece?.reading.digit === null;
  // A refused piece shows its raw outputs, all under the threshold, as the
  // reason says; made to sum to one, one of them would look sure.
  const answer = piece
    ? answerOf(
      refused ? piece.reading.outputs : piece.reading.probabilities,
      0,
    )
    : null;
  const centre = ANSWER_BOX.x + ANSWER_BOX.w / 2;
  // The big answer, and a line under it.
  const big: TextOptions = {
    x: centre,
    y: ANSWER_BOX.y,
    font: "answer",
    align: "centre",
  };
  const under: TextOptions = {
    x: centre,
    y: 132,
    font: "bold",
    align: "centre",
  };
  if (answer === null) {
    const hint = { x: ANSWER_BOX.x, colour: muted };
    ["Draw a", "digit", "or a", "number"].forEach((line, k) =>
      drawText(window, fonts, line, { ...hint, y: 82 + 18 * k })
    );
  } else if (refused) {
    // Not read: a question mark in the answer's place, the reason under the
    // preview, and the raw outputs greyed, none of them the answer.
    drawText(window, fonts, "?", { ...big, colour: COLOURS.wrong });
    drawText(window, fonts, "no digit", under);
    drawText(
      window,
      fonts,
      sentence(piece!.reading.reason ?? "not a digit"),
      { x, y: PREVIEW.y + PREVIEW.h + 4, colour: COLOURS.wrong },
    );
  } else {
    drawText(window, fonts, String(answer.digit), {
      ...big,
      colour: COLOURS.accent,
    });
    drawText(window, fonts, percent(answer.p, 1), under);
  }

  drawProbBars(
    window,
    fonts,
    answer?.probs ?? NO_PROBS,
    answer?.row ?? 0,
    { x, y: BARS_TOP, width, row: 28 },
    barColours(answer !== null && !refused ? COLOURS.accent : COLOURS.bar),
  );
}

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

/**
 * The canvas on screen: a texture at the window's top-left that gets only
 * the canvas's changed pixels. `using` frees the texture.
 */
export class CanvasView implements Disposable {
  readonly #canvas: Canvas;
  readonly #texture: PixelTexture;
  readonly #pixels: Uint32Array;

  /** A texture of `window` showing `canvas`. */
  constructor(window: Window, canvas: Canvas) {
    const { width, height } = canvas;
    this.#canvas = canvas;
    this.#texture = new PixelTexture(window, width, height);
    this.#pixels = new Uint32Array(width * height);
    canvasToArgb(canvas, { x: 0, y: 0, width, height }, this.#pixels);
    this.#texture.update(null, this.#pixels);
    canvas.takeDirty();
  }

  /** Sends what changed on the canvas to the texture, and draws it. */
  draw(): void {
    const dirty = this.#canvas.takeDirty();
    if (dirty) {
      canvasToArgb(this.#canvas, dirty, this.#pixels);
      this.#texture.update(dirty, this.#pixels);
    }
    this.#texture.draw(0, 0);
  }

  /** Frees the texture; later calls do nothing. */
  close(): void {
    this.#texture.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
