/**
 * The drawing window's other panel (TAB): the network seen from inside while
 * it reads the drawing. The hidden units as a grid lit by their activation h,
 * the ten sigmoid outputs, and the hidden units that push the answer most,
 * each as a picture of its incoming weights with its contribution w2·h.
 *
 * Nothing here runs the network: the panel reads the pass over one piece of
 * the drawing that the `InsideNetwork` the sketch reads with kept
 * (inside.ts), so idle windows compute nothing. A drawing of several pieces
 * (a number) shows one of them, and says which.
 *
 * @module
 */
import { CLASSES, PIXELS, SIDE } from "../../data/mnist.ts";
import {
  divergingColour,
  litColour,
  symmetricScale,
  WEIGHT_QUANTILE,
} from "../../image/colour_map.ts";
import {
  argb,
  PixelTexture,
  type Rgb,
  type Window,
} from "../../native/sdl2.ts";
import type { Fonts } from "../../ui/fonts.ts";
import { COLOURS } from "../../ui/palette.ts";
import {
  drawLines,
  fillPanel,
  PANEL_LEFT,
  PANEL_WIDTH,
} from "../../ui/panel.ts";
import { signed } from "../../ui/format.ts";
import { tileAt, type UnitGrid, unitGrid } from "../../ui/unit_grid.ts";
import { drawText, type TextOptions } from "../../ui/text.ts";
import {
  type Inside,
  InsideNetwork,
  insideOf,
  type InsidePiece,
  TOP_UNITS,
} from "./inside.ts";

/**
 * Writes unit `unit`'s incoming weights (row `unit` of `w1`, (H, 784)) into
 * `out` (784 `PixelTexture` pixels) on the diverging map saturating at
 * ±`scale`: red pixels push the unit on, blue ones off.
 */
export function weightImage(
  w1: Float32Array,
  unit: number,
  scale: number,
  out: Uint32Array,
): void {
  const off = unit * PIXELS;
  if (out.length !== PIXELS || off < 0 || off + PIXELS > w1.length) {
    throw new RangeError(
      `weightImage: unit ${unit} of ${
        w1.length / PIXELS
      }, into ${out.length} pixels (a ${SIDE}x${SIDE} image has ${PIXELS})`,
    );
  }
  for (let i = 0; i < PIXELS; i++) {
    out[i] = argb(divergingColour(w1[off + i], scale));
  }
}

/** Something that draws itself stretched to a rectangle, e.g. a `PixelTexture`. */
export interface Picture {
  draw(x: number, y: number, w: number, h: number): void;
}

/** The grid's box in the panel. */
const GRID_BOX = { x: PANEL_LEFT + 24, y: 60, w: PANEL_WIDTH - 48, h: 140 };

/**
 * The grid of `hidden` cells lit by activation: the number of columns that
 * gives the largest cells (20 x 10 of 13 pixels, a pixel apart, for 200
 * units), centred in its box.
 */
export function litGrid(hidden: number): UnitGrid {
  return unitGrid({ count: hidden, box: GRID_BOX, gap: 1, align: "centre" });
}

/** Where the panel puts things (y coordinates, x where not the text column). */
export const INSIDE_LAYOUT = {
  /** The left of the text column, and its width. */
  x: PANEL_LEFT + 24,
  width: PANEL_WIDTH - 48,
  grid: GRID_BOX,
  /** The activation colour scale under the grid. */
  litScale: 212,
  outputs: 254,
  outputRow: 18,
  /** The weight pictures: their top, size, the left of the first and their pitch. */
  pictures: { y: 380, side: 2 * SIDE, x: PANEL_LEFT + 16, pitch: 60 },
  /** The weight colour scale under the pictures. */
  weightScale: 504,
  logit: 544,
  keys: 612,
} as const;

/** The key help at the panel's foot. */
export const INSIDE_KEY_LINES = [
  "Left button draw, right button erase",
  "C clear   TAB usual panel   ESC quit",
] as const;

/** Draws a horizontal colour scale of `colour(t)`, t 0 to 1, left to right. */
function drawScale(
  window: Window,
  x: number,
  y: number,
  w: number,
  h: number,
  colour: (t: number) => Rgb,
) {
  const steps = Math.max(1, Math.floor(w / 4));
  for (let s = 0; s < steps; s++) {
    const x0 = x + Math.round(s * w / steps);
    const x1 = x + Math.round((s + 1) * w / steps);
    window.setColour(colour(s / (steps - 1 || 1)));
    window.fillRect(x0, y, x1 - x0, h);
  }
}

/**
 * Draws the inside panel right of the canvas. `pictures[k]` shows the
 * incoming weights of `inside.top[k]` (see `weightImage()`).
 */
export function drawInsidePanel(
  window: Window,
  fonts: Fonts,
  inside: Inside,
  pictures: readonly Picture[],
): void {
  const L = INSIDE_LAYOUT;
  const { x, width } = L;
  const drawn = inside.h !== null && inside.y !== null;
  const muted = COLOURS.muted;
  fillPanel(window, true);

  drawText(window, fonts, "Inside the network", { x, y: 12, font: "bold" });
  if (inside.pieces > 1) {
    // A number: which of its pieces this is.
    drawText(window, fonts, `piece ${inside.piece + 1} of ${inside.pieces}`, {
      x: x + width,
      y: 14,
      colour: COLOURS.select,
      align: "right",
    });
  }
  drawText(window, fonts, `${inside.hidden} hidden units, activation h`, {
    x,
    y: 36,
    colour: muted,
  });

  // The grid: one cell per hidden unit, row by row, lit by h.
  const g = litGrid(inside.hidden);
  const cell = g.tile;
  window.setColour(COLOURS.board);
  window.fillRect(
    g.x - 1,
    g.y - 1,
    g.columns * g.pitch + 1,
    g.rows * g.pitch + 1,
  );
  if (!drawn) window.setColour(litColour(0));
  for (let j = 0; j < inside.hidden; j++) {
    const { x: cx, y: cy } = tileAt(g, j);
    if (drawn) window.setColour(litColour(inside.h![j]));
    window.fillRect(cx, cy, cell, cell);
  }
  if (cell >= 6) {
    window.setColour(COLOURS.mark);
    for (const { unit } of inside.top) {
      const { x: cx, y: cy } = tileAt(g, unit);
      window.fillRect(cx, cy, cell, 2);
      window.fillRect(cx, cy + cell - 2, cell, 2);
      window.fillRect(cx, cy, 2, cell);
      window.fillRect(cx + cell - 2, cy, 2, cell);
    }
  }

  // The scale of the grid's colours.
  const s = L.litScale;
  const scaleText = { y: s - 3, colour: muted };
  drawText(window, fonts, "h 0", { ...scaleText, x });
  drawScale(window, x + 36, s, width - 60, 10, litColour);
  drawText(window, fonts, "1", { ...scaleText, x: x + width, align: "right" });

  // The outputs: two columns of five, the answer in the accent colour.
  drawText(window, fonts, "Outputs y = σ(z), not normalised", {
    x,
    y: L.outputs - 22,
    colour: muted,
  });
  if (!drawn) {
    drawText(window, fonts, "Nothing drawn: the units", {
      x,
      y: L.outputs + 18,
      font: "body",
    });
    drawText(window, fonts, "light up as you draw.", {
      x,
      y: L.outputs + 40,
      font: "body",
    });
  } else {
    const colWidth = (width - 16) / 2;
    for (let d = 0; d < CLASSES; d++) {
      const cx = x + (d < 5 ? 0 : colWidth + 16);
      const cy = L.outputs + (d % 5) * L.outputRow;
      const best = d === inside.answer;
      const text: TextOptions = {
        x: cx,
        y: cy,
        font: best ? "bold" : "small",
        colour: best ? COLOURS.accent : COLOURS.text,
      };
      drawText(window, fonts, String(d), text);
      const barX = cx + 16, barW = colWidth - 16 - 46;
      window.setColour(COLOURS.track);
      window.fillRect(barX, cy + 4, barW, 10);
      const filled = Math.round(barW * inside.y![d]);
      if (filled > 0) {
        window.setColour(best ? COLOURS.accent : COLOURS.bar);
        window.fillRect(barX, cy + 4, filled, 10);
      }
      drawText(window, fonts, inside.y![d].toFixed(2), {
        ...text,
        x: cx + colWidth,
        align: "right",
      });
    }
  }

  // The units that push the answer most: their weights and contributions.
  const p = L.pictures;
  drawText(
    window,
    fonts,
    drawn
      ? `Units that push ${inside.answer} most: w2·h`
      : "Units that push the answer most",
    { x, y: p.y - 24, colour: muted },
  );
  if (!drawn) {
    // Empty places keep the layout still while nothing is drawn.
    window.setColour(COLOURS.track);
    for (let k = 0; k < TOP_UNITS; k++) {
      window.fillRect(p.x + k * p.pitch, p.y, p.side, p.side);
    }
  }
  inside.top.forEach((t, k) => {
    const px = p.x + k * p.pitch;
    window.setColour(COLOURS.mark);
    window.fillRect(px - 1, p.y - 1, p.side + 2, p.side + 2);
    pictures[k]?.draw(px, p.y, p.side, p.side);
    const mid = px + p.side / 2;
    drawText(window, fonts, `#${t.unit}`, {
      x: mid,
      y: p.y + p.side + 4,
      colour: muted,
      align: "centre",
    });
    drawText(window, fonts, signed(t.contribution), {
      x: mid,
      y: p.y + p.side + 22,
      align: "centre",
    });
  });

  // The scale of the weight pictures' colours.
  const ws = L.weightScale;
  const sc = inside.weightScale;
  drawText(window, fonts, "incoming weights", {
    x,
    y: ws - 22,
    colour: muted,
  });
  drawText(window, fonts, signed(-sc), { x, y: ws - 3, colour: muted });
  drawScale(
    window,
    x + 52,
    ws,
    width - 104,
    10,
    (t) => divergingColour((2 * t - 1) * sc, sc),
  );
  drawText(window, fonts, signed(sc), {
    x: x + width,
    y: ws - 3,
    colour: muted,
    align: "right",
  });

  // How the answer's logit adds up, and the output it gives.
  if (drawn) {
    const units = inside.logit - inside.bias;
    drawText(
      window,
      fonts,
      `z${inside.answer} = ${signed(units)} units ${signed(inside.bias)} bias`,
      { x, y: L.logit },
    );
    drawText(
      window,
      fonts,
      `   = ${signed(inside.logit)}, y = σ(z) = ${
        inside.y![inside.answer].toFixed(3)
      }`,
      { x, y: L.logit + 18 },
    );
  }
  drawLines(window, fonts, INSIDE_KEY_LINES, { x, y: L.keys });
}

/**
 * The inside panel of one window: the network it reads, the textures of the
 * weight pictures, and the state of the last pass it showed. It looks again
 * only after a new pass, so redrawing an unchanged panel computes nothing.
 * `using` frees the textures.
 */
export class InsideView implements Disposable {
  readonly #window: Window;
  readonly #network: InsideNetwork;
  // Found on the first look, so that a window never switched costs nothing.
  #weightScale = -1;
  readonly #textures: PixelTexture[] = [];
  // The unit each texture shows, -1 for none yet.
  readonly #shown: number[] = [];
  readonly #pixels = new Uint32Array(PIXELS);
  #inside: Inside | null = null;
  #passes = -1;
  #piece: InsidePiece | null = null;

  /** A panel of `window` showing `network`'s passes. */
  constructor(window: Window, network: InsideNetwork) {
    this.#window = window;
    this.#network = network;
    try {
      for (let k = 0; k < TOP_UNITS; k++) {
        this.#textures.push(new PixelTexture(window, SIDE, SIDE));
        this.#shown.push(-1);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * The state shown: that of the network's pass over `piece`, or an empty
   * one when `piece` is `null` (an empty canvas, which the network does not
   * read).
   */
  inside(piece: InsidePiece | null): Inside {
    const network = this.#network;
    if (
      this.#inside === null || this.#passes !== network.passes ||
      this.#piece?.pixels !== piece?.pixels
    ) {
      if (this.#weightScale < 0) {
        this.#weightScale = symmetricScale(network.params.w1, WEIGHT_QUANTILE);
      }
      this.#inside = insideOf(network, piece, this.#weightScale);
      this.#passes = network.passes;
      this.#piece = piece;
      this.#inside.top.forEach(({ unit }, k) => {
        if (this.#shown[k] === unit) return;
        weightImage(network.params.w1, unit, this.#weightScale, this.#pixels);
        this.#textures[k].update(null, this.#pixels);
        this.#shown[k] = unit;
      });
    }
    return this.#inside;
  }

  /** Draws the panel; `piece` as for `inside()`. */
  draw(fonts: Fonts, piece: InsidePiece | null): void {
    drawInsidePanel(this.#window, fonts, this.inside(piece), this.#textures);
  }

  /** Frees the textures; later calls do nothing. */
  close(): void {
    for (const t of this.#textures) t.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
