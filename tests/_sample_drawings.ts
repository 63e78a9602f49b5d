/**
 * Drawings made by program, for checking how drawings read: digits, letters
 * and doodles as stroke paths that can be drawn at any height with the
 * canvas's brush, and shapes that are not digits (a dot, a blob, a scribble,
 * bars). The letters and doodles are drawn by hand here, unlike anything the
 * network trains on (lib/image/non_digits.ts), to check that it refuses what
 * it never saw.
 *
 * @module
 */
import { Canvas, CANVAS_SIDE, DEFAULT_RADIUS } from "../lib/image/canvas.ts";

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

/**
 * Letters and signs as a user might print them, 1 unit tall: only those
 * whose shape is no digit's (not O, S, Z, I, l, B, G, q, &...).
 */
export const LETTERS: Record<string, Strokes> = {
  A: [[[0, 1], [0.35, 0], [0.7, 1]], [[0.15, 0.6], [0.55, 0.6]]],
  E: [[[0.6, 0], [0, 0], [0, 1], [0.6, 1]], [[0, 0.5], [0.45, 0.5]]],
  F: [[[0.6, 0], [0, 0], [0, 1]], [[0, 0.48], [0.45, 0.48]]],
  H: [[[0, 0], [0, 1]], [[0.65, 0], [0.65, 1]], [[0, 0.5], [0.65, 0.5]]],
  K: [[[0, 0], [0, 1]], [[0.6, 0], [0.02, 0.55]], [[0.2, 0.4], [0.65, 1]]],
  M: [[[0, 1], [0.05, 0], [0.4, 0.6], [0.75, 0], [0.8, 1]]],
  N: [[[0, 1], [0, 0], [0.65, 1], [0.65, 0]]],
  R: [
    [[0, 1], [0, 0], [0.4, 0], [0.6, 0.12], [0.6, 0.35], [0.4, 0.48], [
      0,
      0.48,
    ]],
    [[0.25, 0.48], [0.65, 1]],
  ],
  W: [[[0, 0], [0.2, 1], [0.42, 0.35], [0.64, 1], [0.85, 0]]],
  X: [[[0, 0], [0.7, 1]], [[0.7, 0], [0, 1]]],
  Y: [[[0, 0], [0.35, 0.5], [0.7, 0]], [[0.35, 0.5], [0.35, 1]]],
  k: [[[0, 0], [0, 1]], [[0.5, 0.4], [0.02, 0.75]], [[0.2, 0.62], [0.55, 1]]],
  m: [[[0, 1], [0, 0.4], [0.1, 0.35], [0.3, 0.35], [0.4, 0.45], [0.4, 1]], [
    [0.4, 0.45],
    [0.5, 0.35],
    [0.7, 0.35],
    [0.8, 0.45],
    [0.8, 1],
  ]],
  e: [[
    [0.05, 0.6],
    [0.6, 0.6],
    [0.55, 0.4],
    [0.35, 0.3],
    [0.1, 0.4],
    [0.02, 0.65],
    [0.15, 0.9],
    [0.4, 1],
    [0.6, 0.92],
  ]],
  "#": [[[0.25, 0], [0.15, 1]], [[0.55, 0], [0.45, 1]], [[0, 0.33], [
    0.7,
    0.33,
  ]], [
    [0, 0.66],
    [0.7, 0.66],
  ]],
  "+": [[[0.4, 0.1], [0.4, 0.9]], [[0, 0.5], [0.8, 0.5]]],
};

/** Doodles that are no digit, 1 unit tall, unlike the doodles of training. */
export const DOODLES: Record<string, Strokes> = {
  "a fish": [
    [[0, 0.5], [0.25, 0.25], [0.6, 0.2], [0.9, 0.5], [0.6, 0.8], [0.25, 0.75], [
      0,
      0.5,
    ]],
    [[0.9, 0.5], [1.2, 0.25], [1.2, 0.75], [0.9, 0.5]],
  ],
  "a cat's face": [
    [
      [0.1, 0.35],
      [0.1, 0],
      [0.35, 0.2],
      [0.65, 0.2],
      [0.9, 0],
      [0.9, 0.35],
      [
        0.95,
        0.7,
      ],
      [0.5, 1],
      [0.05, 0.7],
      [0.1, 0.35],
    ],
    [[0.3, 0.45], [0.35, 0.45]],
    [[0.65, 0.45], [0.7, 0.45]],
    [[0.4, 0.65], [0.5, 0.72], [0.6, 0.65]],
  ],
  "a lightning bolt": [[[0.5, 0], [0.1, 0.55], [0.45, 0.5], [0.2, 1], [
    0.75,
    0.35,
  ], [
    0.4,
    0.4,
  ], [0.7, 0]]],
  "a key": [
    [
      [0, 0.3],
      [0.15, 0.1],
      [0.35, 0.1],
      [0.45, 0.3],
      [0.35, 0.5],
      [0.15, 0.5],
      [
        0,
        0.3,
      ],
    ],
    [[0.45, 0.3], [1.3, 0.3]],
    [[1.1, 0.3], [1.1, 0.5]],
    [[1.25, 0.3], [1.25, 0.45]],
  ],
  "a car": [
    [
      [0, 0.7],
      [0, 0.45],
      [0.3, 0.4],
      [0.45, 0.1],
      [0.95, 0.1],
      [1.1, 0.4],
      [
        1.4,
        0.45,
      ],
      [1.4, 0.7],
      [0, 0.7],
    ],
    [[0.25, 0.7], [0.3, 0.9], [0.4, 0.95], [0.5, 0.85], [0.5, 0.7]],
    [[0.95, 0.7], [1.0, 0.9], [1.1, 0.95], [1.2, 0.85], [1.2, 0.7]],
  ],
  "an umbrella": [
    [
      [0, 0.45],
      [0.1, 0.2],
      [0.35, 0.02],
      [0.6, 0],
      [0.85, 0.02],
      [1.1, 0.2],
      [
        1.2,
        0.45,
      ],
      [0.9, 0.4],
      [0.6, 0.45],
      [0.3, 0.4],
      [0, 0.45],
    ],
    [[0.6, 0.45], [0.6, 0.95], [0.5, 1], [0.4, 0.92]],
  ],
  "a cup": [
    [[0, 0.1], [0.1, 1], [0.6, 1], [0.7, 0.1], [0, 0.1]],
    [[0.68, 0.3], [0.9, 0.3], [0.9, 0.6], [0.64, 0.65]],
  ],
  "a tree": [
    [[0.5, 0], [0.1, 0.45], [0.3, 0.45], [0, 0.75], [1, 0.75], [0.7, 0.45], [
      0.9,
      0.45,
    ], [0.5, 0]],
    [[0.45, 0.75], [0.45, 1]],
    [[0.55, 0.75], [0.55, 1]],
  ],
  "mountains": [[[0, 1], [0.35, 0.2], [0.55, 0.6], [0.85, 0], [1.3, 1], [
    0,
    1,
  ]]],
  "a sailboat": [
    [[0, 0.7], [1, 0.7], [0.85, 0.95], [0.15, 0.95], [0, 0.7]],
    [[0.5, 0.7], [0.5, 0]],
    [[0.5, 0.05], [0.9, 0.6], [0.5, 0.6]],
  ],
  "an envelope": [
    [[0, 0.2], [1.2, 0.2], [1.2, 0.9], [0, 0.9], [0, 0.2]],
    [[0, 0.2], [0.6, 0.6], [1.2, 0.2]],
  ],
  "a ladder": [
    [[0.1, 0], [0.1, 1]],
    [[0.6, 0], [0.6, 1]],
    [[0.1, 0.2], [0.6, 0.2]],
    [[0.1, 0.4], [0.6, 0.4]],
    [[0.1, 0.6], [0.6, 0.6]],
    [[0.1, 0.8], [0.6, 0.8]],
  ],
};

/** The heights, in canvas pixels, digits are drawn at. */
export const HEIGHTS = [100, 160, 250, 420];

/**
 * Draws `strokes` on a fresh default canvas, `height` canvas pixels tall,
 * centred, with the default brush or one of `radius`.
 */
export function drawStrokes(
  strokes: Strokes,
  height: number,
  radius = DEFAULT_RADIUS,
): Canvas {
  const canvas = new Canvas(CANVAS_SIDE, CANVAS_SIDE, { radius });
  let x0 = Infinity, x1 = -Infinity;
  for (const line of strokes) {
    for (const [x] of line) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
    }
  }
  const left = CANVAS_SIDE / 2 - height * (x0 + x1) / 2;
  drawAt(canvas, strokes, left, (CANVAS_SIDE - height) / 2, height);
  return canvas;
}

/**
 * `strokes` (one unit tall) drawn on `canvas` at (x, top), `height` pixels
 * tall; returns the right edge of what was drawn.
 */
export function drawAt(
  canvas: Canvas,
  strokes: Strokes,
  x: number,
  top: number,
  height: number,
): number {
  let right = 0;
  for (const line of strokes) {
    for (let i = 0; i < line.length; i++) {
      const [xa, ya] = line[Math.max(0, i - 1)], [xb, yb] = line[i];
      canvas.stroke(
        x + height * xa,
        top + height * ya,
        x + height * xb,
        top + height * yb,
      );
      right = Math.max(right, xa, xb);
    }
  }
  return x + height * right;
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

/** The radius of a bold brush, 60 pixels wide: the canvas's default once. */
export const BOLD = 30;

/** Shapes that are not digits, drawn with a bold brush, by name. */
export function nonDigits(): Record<string, Canvas> {
  const bold = () => new Canvas(CANVAS_SIDE, CANVAS_SIDE, { radius: BOLD });
  const dot = bold();
  dot.dab(336, 336);
  const blob = bold();
  for (let y = 220; y <= 440; y += 30) blob.stroke(220, y, 450, y + 15);
  const rand = random(3);
  const scribble = bold();
  let [x, y] = [336, 336];
  for (let i = 0; i < 40; i++) {
    const [nx, ny] = [140 + rand() * 400, 140 + rand() * 400];
    scribble.stroke(x, y, nx, ny);
    [x, y] = [nx, ny];
  }
  const bar = bold();
  bar.stroke(140, 336, 530, 336);
  const slanted = bold();
  slanted.stroke(140, 420, 530, 250);
  const shortBar = bold();
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
