/**
 * A handwriting of our own making, for checking that the draw window learns
 * from corrections: digits written as on a seven-segment display, slanted,
 * each segment a stroke of its own, with a slashed zero, a one with a flag
 * and a foot and a crossed seven, and each digit underlined. The network
 * trained on MNIST reads most of them wrong or refuses them. Each drawing varies as a
 * hand's would: its slant, width, size and place, and every stroke's ends.
 *
 * @module
 */
import { Canvas } from "../lib/image/canvas.ts";
import type { Random } from "../lib/random.ts";
import { drawAt, type Strokes } from "./_sample_drawings.ts";

type Point = [number, number];

/** The segments of a digit 1 unit tall and `w` wide, by name. */
function segments(w: number): Record<string, Point[]> {
  return {
    a: [[0, 0], [w, 0]],
    b: [[w, 0], [w, 0.5]],
    c: [[w, 0.5], [w, 1]],
    d: [[0, 1], [w, 1]],
    e: [[0, 0.5], [0, 1]],
    f: [[0, 0], [0, 0.5]],
    g: [[0, 0.5], [w, 0.5]],
  };
}

/** Each digit's segments, and the strokes of its own besides. */
const STYLE: Record<number, { lit: string; more: (w: number) => Point[][] }> = {
  0: { lit: "abcdef", more: (w) => [[[w, 0.1], [0, 0.9]]] },
  1: {
    lit: "bc",
    more: (w) => [[[w - 0.25, 0.2], [w, 0]], [[w - 0.2, 1], [w + 0.2, 1]]],
  },
  2: { lit: "abged", more: () => [] },
  3: { lit: "abgcd", more: () => [] },
  4: { lit: "fgbc", more: () => [] },
  5: { lit: "afgcd", more: () => [] },
  6: { lit: "afgedc", more: () => [] },
  7: { lit: "abc", more: (w) => [[[w - 0.25, 0.5], [w + 0.2, 0.5]]] },
  8: { lit: "abcdefg", more: () => [] },
  9: { lit: "abfgcd", more: () => [] },
};

/**
 * `digit` in the style, 1 unit tall, drawn by a hand that `rng` moves: the
 * slant, the width, and each stroke's ends shaken by a few hundredths.
 */
export function styleStrokes(digit: number, rng: Random): Strokes {
  const w = 0.45 + 0.15 * rng.next();
  const slant = 0.1 + 0.15 * rng.next();
  const shake = () => (rng.next() - 0.5) * 0.06;
  const { lit, more } = STYLE[digit];
  const lines = [
    ...[...lit].map((s) => segments(w)[s]),
    ...more(w),
    [[-0.1, 1.15], [w + 0.1, 1.15]] as Point[],
  ];
  return lines.map((line) =>
    line.map(([x, y]) => [x + slant * (1 - y) + shake(), y + shake()] as const)
  );
}

/**
 * A canvas with `digit` drawn in the style, between 90 and 360 pixels tall,
 * somewhere on it.
 */
export function styleDrawing(digit: number, rng: Random): Canvas {
  const canvas = new Canvas();
  const height = 90 + 270 * rng.next();
  const width = 0.9 * height;
  const x = 10 + (canvas.width - width - 20) * rng.next();
  const top = 10 + (canvas.height - height - 20) * rng.next();
  drawAt(canvas, styleStrokes(digit, rng), x, top, height);
  return canvas;
}
