/**
 * Drawings made by program, for checking how drawings read: digits as stroke
 * paths that can be drawn at any height with the canvas's brush, and shapes
 * that are not digits (a dot, a blob, a scribble, bars).
 *
 * @module
 */
import { Canvas, CANVAS_SIDE } from "../lib/image/canvas.ts";

/** A drawing: strokes, each a polyline of [x, y] points in a unit box (y down). */
export type Strokes = readonly (readonly (readonly [number, number])[])[];

/** Points around an ellipse centred at (cx, cy), closed. */
function ellipse(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  n = 24,
): [number, number][] {
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = 2 * Math.PI * i / n;
    return [cx + rx * Math.sin(a), cy - ry * Math.cos(a)] as [number, number];
  });
}

/** Each digit as a user might draw it, 1 unit tall. */
export const DIGITS: Record<number, Strokes> = {
  0: [ellipse(0.32, 0.5, 0.32, 0.5)],
  1: [[[0.55, 0], [0.45, 1]]],
  2: [[[0.05, 0.2], [0.25, 0], [0.5, 0], [0.62, 0.15], [0.6, 0.35], [0, 1], [
    0.65,
    1,
  ]]],
  3: [[
    [0.05, 0.12],
    [0.25, 0],
    [0.5, 0],
    [0.65, 0.12],
    [0.62, 0.3],
    [
      0.45,
      0.45,
    ],
    [0.3, 0.48],
    [0.5, 0.52],
    [0.65, 0.65],
    [0.67, 0.8],
    [0.55, 0.95],
    [
      0.3,
      1,
    ],
    [0.05, 0.9],
  ]],
  4: [[[0.45, 0], [0, 0.65], [0.65, 0.65]], [[0.5, 0.3], [0.5, 1]]],
  5: [[
    [0.6, 0],
    [0.1, 0],
    [0.05, 0.45],
    [0.35, 0.38],
    [0.6, 0.5],
    [
      0.65,
      0.75,
    ],
    [0.5, 0.95],
    [0.25, 1],
    [0, 0.9],
  ]],
  6: [[
    [0.55, 0],
    [0.2, 0.3],
    [0.05, 0.65],
    [0.1, 0.9],
    [0.3, 1],
    [
      0.55,
      0.9,
    ],
    [0.6, 0.7],
    [0.45, 0.55],
    [0.2, 0.55],
    [0.07, 0.7],
  ]],
  7: [[[0, 0.05], [0.6, 0.05], [0.25, 1]]],
  8: [ellipse(0.35, 0.24, 0.24, 0.24), ellipse(0.35, 0.72, 0.3, 0.28)],
  9: [ellipse(0.33, 0.27, 0.27, 0.27), [[0.6, 0.27], [0.55, 1]]],
};

/** The heights, in canvas pixels, digits are drawn at. */
export const HEIGHTS = [100, 160, 250, 420];

/**
 * Draws `strokes` with the default brush on a fresh default canvas, `height`
 * canvas pixels tall, centred.
 */
export function drawStrokes(strokes: Strokes, height: number): Canvas {
  const canvas = new Canvas();
  let x0 = Infinity, x1 = -Infinity;
  for (const line of strokes) {
    for (const [x] of line) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
    }
  }
  const ox = CANVAS_SIDE / 2 - height * (x0 + x1) / 2;
  const oy = (CANVAS_SIDE - height) / 2;
  for (const line of strokes) {
    for (let i = 0; i < line.length; i++) {
      const [xa, ya] = line[Math.max(0, i - 1)], [xb, yb] = line[i];
      canvas.stroke(
        ox + height * xa,
        oy + height * ya,
        ox + height * xb,
        oy + height * yb,
      );
    }
  }
  return canvas;
}

/** A small deterministic generator (mulberry32), for the scribble. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shapes that are not digits, drawn with the default brush, by name. */
export function nonDigits(): Record<string, Canvas> {
  const dot = new Canvas();
  dot.dab(336, 336);
  const blob = new Canvas();
  for (let y = 220; y <= 440; y += 30) blob.stroke(220, y, 450, y + 15);
  const rand = random(3);
  const scribble = new Canvas();
  let [x, y] = [336, 336];
  for (let i = 0; i < 40; i++) {
    const [nx, ny] = [140 + rand() * 400, 140 + rand() * 400];
    scribble.stroke(x, y, nx, ny);
    [x, y] = [nx, ny];
  }
  const bar = new Canvas();
  bar.stroke(140, 336, 530, 336);
  const slanted = new Canvas();
  slanted.stroke(140, 420, 530, 250);
  const shortBar = new Canvas();
  shortBar.stroke(250, 336, 420, 336);
  return {
    "a dot": dot,
    "a filled blob": blob,
    "a scribble": scribble,
    "a horizontal bar": bar,
    "a bar slanted 24 degrees": slanted,
    "a short bar": shortBar,
  };
}
