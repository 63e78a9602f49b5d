/**
 * The network's ten probabilities as horizontal bars, one row per digit.
 *
 * @module
 */
import { CLASSES } from "../data/mnist.ts";
import { argmaxRow } from "../nn/network.ts";
import type { Rgb, Window } from "../native/sdl2.ts";
import type { FontName, Fonts } from "./fonts.ts";
import { percent } from "./format.ts";
import { COLOURS } from "./palette.ts";
import { drawText } from "./text.ts";

/** Colours of the bars. */
export interface BarColours {
  /** The digit and percentage text. */
  text: Rgb;
  /** The empty part of each bar. */
  track: Rgb;
  /** An ordinary bar. */
  bar: Rgb;
  /** The bar of the network's answer (the largest). */
  best: Rgb;
  /** A marker left of the row `marked` (e.g. the true label). */
  mark: Rgb;
}

/** The palette's bar colours, with the answer's bar in `best`. */
export function barColours(best: Rgb): BarColours {
  return {
    text: COLOURS.text,
    track: COLOURS.track,
    bar: COLOURS.bar,
    best,
    mark: COLOURS.accent,
  };
}

/** Layout of the bars: where, and how big. */
export interface BarLayout {
  x: number;
  y: number;
  /** Width of the whole row, digit and percentage included. */
  width: number;
  /** Height of one row, gap included. */
  row: number;
}

/** The font of the digits and percentages. */
const BAR_FONT: FontName = "small";

/**
 * Draws ten rows "d [bar] p %" for row `row` of `probs` (a (n, 10) matrix),
 * highlighting the largest. `marked` (a digit, or -1) gets a marker left of
 * its row.
 */
export function drawProbBars(
  window: Window,
  fonts: Fonts,
  probs: Float32Array,
  row: number,
  layout: BarLayout,
  colours: BarColours,
  marked = -1,
): void {
  const offset = row * CLASSES;
  const best = argmaxRow(probs, row);
  const digitWidth = 28;
  const percentWidth = 64;
  const barX = layout.x + digitWidth;
  const barWidth = layout.width - digitWidth - percentWidth;
  const barHeight = Math.round(layout.row * 0.6);
  // The text's top, centring a line of the font (1.2 times its size) on the bar.
  const textDy = Math.round((barHeight - fonts[BAR_FONT].size * 1.2) / 2);
  for (let d = 0; d < CLASSES; d++) {
    const p = probs[offset + d];
    const top = layout.y + d * layout.row;
    const barTop = top + Math.round((layout.row - barHeight) / 2);
    if (d === marked) {
      window.setColour(colours.mark);
      window.fillRect(layout.x - 10, barTop, 5, barHeight);
    }
    const text = { y: barTop + textDy, font: BAR_FONT, colour: colours.text };
    drawText(window, fonts, String(d), { ...text, x: layout.x + 4 });
    window.setColour(colours.track);
    window.fillRect(barX, barTop, barWidth, barHeight);
    const filled = Math.round(barWidth * p);
    if (filled > 0) {
      window.setColour(d === best ? colours.best : colours.bar);
      window.fillRect(barX, barTop, filled, barHeight);
    }
    drawText(window, fonts, percent(p), {
      ...text,
      x: layout.x + layout.width,
      align: "right",
    });
  }
}
