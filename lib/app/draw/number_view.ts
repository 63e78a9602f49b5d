/**
 * The drawing window's panel for a drawing of several pieces, a number: each
 * piece as the 28x28 image the network read, small and left to right, with
 * its answer under it; the whole number in large type; and, when a piece is
 * not a digit, a red "?" in the number's place, which piece and why.
 *
 * The pieces share one row while their images can be drawn at least twice
 * their size (up to four pieces), else take two rows or more; a drawing cut
 * into more pieces than fit shows the first ones and says how many more.
 *
 * @module
 */
import { SIDE } from "../../data/mnist.ts";
import type { Window } from "../../native/sdl2.ts";
import type { Reading } from "../../read/read_digit.ts";
import type { NumberReading } from "../../read/read_number.ts";
import { drawDigitGrid } from "../../ui/digit_grid.ts";
import type { FontName, Fonts } from "../../ui/fonts.ts";
import { percent } from "../../ui/format.ts";
import { COLOURS } from "../../ui/palette.ts";
import { PANEL_LEFT, PANEL_WIDTH } from "../../ui/panel.ts";
import { drawText } from "../../ui/text.ts";

/** The panel's column (as the one-digit panel's): its left edge and width. */
export const NUMBER_COLUMN = { x: PANEL_LEFT + 24, width: PANEL_WIDTH - 48 };

/** Top of the pieces' images. */
export const TILES_TOP = 36;
/** The most height the pieces' images and their answers take. */
export const TILES_HEIGHT = 272;
/** The largest size of one pixel of a piece's image: 4, 112 pixels a side. */
export const MAX_TILE_CELL = 4;
/** Room under each image for its answer and probability. */
export const TILE_LABEL = 40;
const TILE_GAP = 10;
const ROW_GAP = 6;

/** Where one piece's 28x28 image goes: its top-left, and its pixels' size. */
export interface Tile {
  x: number;
  y: number;
  /** Side of one of its 28x28 pixels on screen. */
  cell: number;
  /** Side of the whole image, `SIDE * cell`. */
  side: number;
}

/** The rows of `perRow` tiles of `cell` that `count` pieces take, or `null`. */
function tilesOf(count: number, perRow: number, cell: number): Tile[] | null {
  const { x, width } = NUMBER_COLUMN;
  const side = SIDE * cell;
  const rows = Math.ceil(count / perRow);
  if (rows * (side + TILE_LABEL) + (rows - 1) * ROW_GAP > TILES_HEIGHT) {
    return null;
  }
  const tiles: Tile[] = [];
  for (let row = 0; row < rows; row++) {
    const n = Math.min(perRow, count - row * perRow);
    // Each row centred in the column.
    const left = x + Math.floor((width - n * side - (n - 1) * TILE_GAP) / 2);
    for (let k = 0; k < n; k++) {
      tiles.push({
        x: left + k * (side + TILE_GAP),
        y: TILES_TOP + row * (side + TILE_LABEL + ROW_GAP),
        cell,
        side,
      });
    }
  }
  return tiles;
}

/**
 * Where the images of `count` pieces go, left to right and row by row: in
 * as few rows as keep them at least twice their size, else as large as fit.
 * When even the smallest do not all fit, the first ones that do.
 */
export function pieceTiles(count: number): Tile[] {
  const { width } = NUMBER_COLUMN;
  let best: Tile[] | null = null;
  for (let rows = 1; rows <= count; rows++) {
    const perRow = Math.ceil(count / rows);
    const fits = Math.floor(
      (width - (perRow - 1) * TILE_GAP) / (perRow * SIDE),
    );
    const cell = Math.min(MAX_TILE_CELL, fits);
    if (cell < 1) continue;
    const tiles = tilesOf(count, perRow, cell);
    if (tiles === null) break; // more rows only take more height
    if (best === null || cell > best[0].cell) best = tiles;
    if (cell >= 2) break;
  }
  if (best !== null) return best;
  // Too many for the room: rows of the smallest images, as many as fit.
  const perRow = Math.floor((width + TILE_GAP) / (SIDE + TILE_GAP));
  const rows = Math.floor(
    (TILES_HEIGHT + ROW_GAP) / (SIDE + TILE_LABEL + ROW_GAP),
  );
  return tilesOf(Math.min(count, perRow * rows), perRow, 1)!;
}

/** The font the number is written in: the largest its digits fit in. */
export function numberFont(digits: number): FontName {
  // DejaVu Sans Bold's digits are 0.7 of the size wide: five at 72, nine at 44.
  return digits <= 5 ? "answer" : digits <= 9 ? "digit" : "title";
}

/**
 * Where the whole number (or its "?") goes for `count` pieces: the column's
 * width, under the pieces' images, as tall as the largest font's line.
 */
export function numberBox(
  count: number,
): { x: number; y: number; w: number; h: number } {
  const tiles = pieceTiles(count);
  const last = tiles[tiles.length - 1];
  return {
    x: NUMBER_COLUMN.x,
    y: last.y + last.side + TILE_LABEL + 12,
    w: NUMBER_COLUMN.width,
    h: 86,
  };
}

/** `text` with a capital first letter. */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Draws one piece's image in `tile`, its answer and probability under it. */
function drawTile(
  window: Window,
  fonts: Fonts,
  tile: Tile,
  pixels: Uint8Array,
  reading: Reading,
): void {
  const refused = reading.digit === null;
  // A piece that is no digit is framed in red.
  const frame = refused ? 2 : 1;
  window.setColour(refused ? COLOURS.wrong : COLOURS.frame);
  window.fillRect(
    tile.x - frame,
    tile.y - frame,
    tile.side + 2 * frame,
    tile.side + 2 * frame,
  );
  drawDigitGrid(window, pixels, tile.x, tile.y, tile.cell);
  const mid = tile.x + tile.side / 2;
  const top = tile.y + tile.side + 3;
  drawText(window, fonts, refused ? "?" : String(reading.digit), {
    x: mid,
    y: top,
    font: "bold",
    colour: refused ? COLOURS.wrong : COLOURS.accent,
    align: "centre",
  });
  // A probability is wider than the smallest images: those go without.
  if (!refused && tile.cell >= 2) {
    drawText(window, fonts, percent(reading.probabilities[reading.digit!], 0), {
      x: mid,
      y: top + 19,
      colour: COLOURS.muted,
      align: "centre",
    });
  }
}

/**
 * Draws what the panel shows of a number (`reading`, of two pieces or more)
 * into the panel's top part, above the status line and the key help.
 */
export function drawNumberPanel(
  window: Window,
  fonts: Fonts,
  reading: NumberReading,
): void {
  const { x, width } = NUMBER_COLUMN;
  const muted = COLOURS.muted;
  const { digits } = reading;
  const count = digits.length;

  drawText(window, fonts, `The network sees ${count} pieces`, {
    x,
    y: 12,
    colour: muted,
  });
  const tiles = pieceTiles(count);
  tiles.forEach((tile, k) =>
    drawTile(window, fonts, tile, digits[k].input.pixels, digits[k].reading)
  );
  const box = numberBox(count);
  if (tiles.length < count) {
    const last = tiles[tiles.length - 1];
    drawText(window, fonts, `and ${count - tiles.length} more`, {
      x: x + width,
      y: last.y + last.side + TILE_LABEL - 18,
      colour: muted,
      align: "right",
    });
  }

  const centre = x + width / 2;
  const refused = digits.findIndex((d) => d.reading.digit === null);
  if (reading.number !== null) {
    const font = numberFont(reading.number.length);
    const { height } = drawText(window, fonts, reading.number, {
      x: centre,
      y: box.y,
      font,
      colour: COLOURS.accent,
      align: "centre",
    });
    drawText(window, fonts, `${count} digits, each read alone`, {
      x: centre,
      y: box.y + height + 4,
      colour: muted,
      align: "centre",
    });
  } else {
    // No number: a "?" in its place, which piece is no digit and why.
    drawText(window, fonts, "?", {
      x: centre,
      y: box.y,
      font: "answer",
      colour: COLOURS.wrong,
      align: "centre",
    });
    const piece = refused < 0 ? null : digits[refused];
    const why = piece?.reading.reason ?? reading.reason ?? "not a number";
    drawText(
      window,
      fonts,
      piece ? `Piece ${refused + 1} of ${count}:` : "No number:",
      { x, y: box.y + box.h + 4, font: "bold", colour: COLOURS.wrong },
    );
    drawText(window, fonts, sentence(why), {
      x,
      y: box.y + box.h + 26,
      colour: COLOURS.wrong,
    });
  }
}
