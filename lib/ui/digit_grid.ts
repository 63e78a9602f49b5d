/**
 * A 28x28 MNIST image drawn as a grid of grey cells, ink dark on white.
 *
 * @module
 */
import { SIDE } from "../data/mnist.ts";
import type { Window } from "../native/sdl2.ts";
import { COLOURS } from "./palette.ts";

/** Side of one cell in pixels, as in the original demo. */
export const CELL = 24;
/** Side of the whole grid in pixels (672). */
export const GRID = SIDE * CELL;

/** The grey level (0 black - 255 white) a cell of pixel value `v` is drawn in. */
export function cellGrey(v: number): number {
  return 255 - v;
}

/**
 * Draws `pixels` (784 bytes, 0 = background, 255 = ink) with the grid's
 * top-left corner at (x, y), each pixel a `cell` x `cell` square.
 */
export function drawDigitGrid(
  window: Window,
  pixels: Uint8Array,
  x: number,
  y: number,
  cell = CELL,
): void {
  if (pixels.length !== SIDE * SIDE) {
    throw new RangeError(
      `drawDigitGrid: ${pixels.length} pixels, a ${SIDE}x${SIDE} image has ${
        SIDE * SIDE
      }`,
    );
  }
  // Background first, then only the cells with ink: most of an MNIST digit is
  // background, so this is a few hundred draw calls instead of 784.
  window.setColour(COLOURS.paper);
  window.fillRect(x, y, SIDE * cell, SIDE * cell);
  for (let row = 0; row < SIDE; row++) {
    for (let col = 0; col < SIDE; col++) {
      const v = pixels[row * SIDE + col];
      if (v === 0) continue;
      const g = cellGrey(v);
      window.setColour(g << 16 | g << 8 | g);
      window.fillRect(x + col * cell, y + row * cell, cell, cell);
    }
  }
}
