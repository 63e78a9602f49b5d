/**
 * The side panel both windows have right of their 672x672 picture (the
 * record's grid, or the drawing canvas): its place, its background, the
 * network's answer it shows, and the lines of key help at its foot.
 *
 * @module
 */
import { CLASSES } from "../data/mnist.ts";
import { argmaxRow } from "../nn/network.ts";
import type { Window } from "../native/sdl2.ts";
import { GRID } from "./digit_grid.ts";
import type { Fonts } from "./fonts.ts";
import { COLOURS } from "./palette.ts";
import { drawText, type TextOptions } from "./text.ts";

/** Left edge of the panel: the picture left of it is 672 pixels wide. */
export const PANEL_LEFT = GRID;
/** Width of the panel. */
export const PANEL_WIDTH = 328;
/** Both windows: the picture at the top-left, the panel right of it. */
export const WINDOW_WIDTH = PANEL_LEFT + PANEL_WIDTH;
export const WINDOW_HEIGHT = GRID;
/** Height of one line of small type, e.g. of the key help. */
export const LINE_HEIGHT = 18;

/** What the network says about one image. */
export interface Answer {
  /** Probabilities: row `row` of a (n, 10) matrix. */
  probs: Float32Array;
  row: number;
  /** The most probable digit of that row. */
  digit: number;
  /** Its probability, 0 to 1. */
  p: number;
}

/** The answer in row `row` of `probs`, a (n, 10) matrix of probabilities. */
export function answerOf(probs: Float32Array, row = 0): Answer {
  const digit = argmaxRow(probs, row);
  return { probs, row, digit, p: probs[row * CLASSES + digit] };
}

/** Fills the panel's background; `frame` draws a line along its left edge. */
export function fillPanel(window: Window, frame = false): void {
  window.setColour(COLOURS.panel);
  window.fillRect(PANEL_LEFT, 0, PANEL_WIDTH, WINDOW_HEIGHT);
  if (frame) {
    window.setColour(COLOURS.frame);
    window.fillRect(PANEL_LEFT, 0, 1, WINDOW_HEIGHT);
  }
}

/**
 * Draws `lines` from the place `options` give down, `LINE_HEIGHT` apart, in
 * muted small type unless `options` say otherwise.
 */
export function drawLines(
  window: Window,
  fonts: Fonts,
  lines: readonly string[],
  options: TextOptions,
): void {
  lines.forEach((line, k) =>
    drawText(window, fonts, line, {
      colour: COLOURS.muted,
      ...options,
      y: options.y + k * LINE_HEIGHT,
    })
  );
}
