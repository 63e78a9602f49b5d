/**
 * Scribbles, strokes, shapes and doodles for the examples that are no digit
 * (lib/image/non_digits.ts): each a function that draws one, at random, as
 * strokes in the unit square (y down), to be drawn on a canvas.
 *
 * @module
 */
import type { Random } from "../random.ts";

/** A stroke as points in the unit square, [x0, y0, x1, y1, ...]. */
export type Stroke = number[];

/** The points of a circle of radius r about (cx, cy), from angle a0 to a1. */
export function arc(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  a0 = 0,
  a1 = 2 * Math.PI,
): Stroke {
  const n = Math.max(8, Math.ceil(Math.abs(a1 - a0) * 12));
  const out: Stroke = [];
  for (let k = 0; k <= n; k++) {
    const a = a0 + (a1 - a0) * k / n;
    out.push(cx + rx * Math.cos(a), cy + ry * Math.sin(a));
  }
  return out;
}

/** A uniform number in [lo, hi). */
export const between = (rng: Random, lo: number, hi: number) =>
  lo + (hi - lo) * rng.next();

/**
 * Scribbles and strokes: each a few strokes in the unit square. Bars lean at
 * least 50 degrees from upright, so that none is a "1".
 */
export const SCRIBBLES: ((rng: Random) => Stroke[])[] = [
  // A scrawl: a random walk that turns back on itself.
  (rng) => {
    const s: Stroke = [];
    let x = between(rng, 0.3, 0.7), y = between(rng, 0.3, 0.7);
    let a = between(rng, 0, 2 * Math.PI);
    const n = 12 + Math.floor(rng.next() * 20);
    for (let k = 0; k < n; k++) {
      s.push(x, y);
      a += between(rng, -2.2, 2.2);
      x = Math.min(1, Math.max(0, x + 0.25 * Math.cos(a)));
      y = Math.min(1, Math.max(0, y + 0.25 * Math.sin(a)));
    }
    return [s];
  },
  // A bar lying down, or two or three.
  (rng) => {
    const bars = 1 + Math.floor(rng.next() * 3);
    return Array.from({ length: bars }, (_, k) => {
      const lean = between(rng, 50, 90) * Math.PI / 180 *
        (rng.next() < 0.5 ? 1 : -1);
      const y = (k + 0.5) / bars, dx = 0.5 * Math.sin(lean);
      const dy = 0.5 * Math.cos(lean) / bars;
      return [0.5 - dx, y - dy, 0.5 + dx, y + dy];
    });
  },
  // A zigzag across.
  (rng) => {
    const teeth = 3 + Math.floor(rng.next() * 4), h = between(rng, 0.2, 0.6);
    const s: Stroke = [];
    for (let k = 0; k <= teeth; k++) {
      s.push(k / teeth, 0.5 + (k % 2 ? h / 2 : -h / 2));
    }
    return [s];
  },
  // A wave across.
  (rng) => {
    const waves = between(rng, 1.5, 3.5), h = between(rng, 0.1, 0.3);
    const s: Stroke = [];
    for (let k = 0; k <= 40; k++) {
      s.push(k / 40, 0.5 + h * Math.sin(2 * Math.PI * waves * k / 40));
    }
    return [s];
  },
  // A cross, upright or turned.
  (rng) => {
    const t = rng.next() < 0.5 ? 0 : Math.PI / 4;
    const c = Math.cos(t) / 2, s = Math.sin(t) / 2;
    return [[0.5 - c, 0.5 - s, 0.5 + c, 0.5 + s], [
      0.5 + s,
      0.5 - c,
      0.5 - s,
      0.5 + c,
    ]];
  },
  // Hatching: parallel strokes close together.
  (rng) => {
    const n = 4 + Math.floor(rng.next() * 5), slant = between(rng, -0.3, 0.3);
    return Array.from({ length: n }, (_, k) => {
      const y = k / (n - 1);
      return [0, y, 1, y + slant];
    });
  },
];

/** Shapes and doodles, in the unit square. */
export const DOODLES: ((rng: Random) => Stroke[])[] = [
  // A smiley: a face, a smile or a frown, and two eyes; or no eyes, as a
  // face looks once its eyes, dots too small for a digit's stroke, are
  // dropped as specks when a page is read.
  (rng) => {
    const mood = rng.next() < 0.7 ? 1 : -1;
    const eyes = rng.next() < 0.5
      ? [arc(0.33, 0.37, 0.05, 0.06), arc(0.67, 0.37, 0.05, 0.06)]
      : [];
    return [
      arc(0.5, 0.5, 0.5, 0.5),
      ...eyes,
      mood > 0
        ? arc(0.5, 0.5, 0.28, 0.25, 0.2 * Math.PI, 0.8 * Math.PI)
        : arc(0.5, 0.85, 0.25, 0.18, 1.2 * Math.PI, 1.8 * Math.PI),
    ];
  },
  // A five-pointed star.
  () => {
    const s: Stroke = [];
    for (let k = 0; k <= 5; k++) {
      const a = -Math.PI / 2 + k * 4 * Math.PI / 5;
      s.push(0.5 + 0.5 * Math.cos(a), 0.52 + 0.5 * Math.sin(a));
    }
    return [s];
  },
  // A heart.
  () => {
    const s: Stroke = [];
    for (let k = 0; k <= 48; k++) {
      const t = 2 * Math.PI * k / 48;
      const x = 16 * Math.sin(t) ** 3;
      const y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) -
        Math.cos(4 * t);
      s.push(0.5 + x / 34, 0.45 - y / 34);
    }
    return [s];
  },
  // A triangle or a square, on its side or on a corner.
  (rng) => {
    const corners = rng.next() < 0.5 ? 3 : 4, turn = rng.next() * Math.PI;
    const s: Stroke = [];
    for (let k = 0; k <= corners; k++) {
      const a = turn + 2 * Math.PI * k / corners;
      s.push(0.5 + 0.5 * Math.cos(a), 0.5 + 0.5 * Math.sin(a));
    }
    return [s];
  },
  // A house: walls, a roof, a door.
  () => [
    [0.15, 0.45, 0.15, 1, 0.85, 1, 0.85, 0.45],
    [0, 0.5, 0.5, 0, 1, 0.5],
    [0.42, 1, 0.42, 0.72, 0.58, 0.72, 0.58, 1],
  ],
  // An arrow pointing left or right.
  (rng) => {
    const d = rng.next() < 0.5 ? 1 : -1, tip = 0.5 + 0.5 * d;
    return [[0.5 - 0.5 * d, 0.5, tip, 0.5], [
      tip - 0.3 * d,
      0.3,
      tip,
      0.5,
      tip - 0.3 * d,
      0.7,
    ]];
  },
  // A sun: a small disc with rays.
  (rng) => {
    const rays = 6 + Math.floor(rng.next() * 5);
    const strokes = [arc(0.5, 0.5, 0.2, 0.2)];
    for (let k = 0; k < rays; k++) {
      const a = 2 * Math.PI * k / rays;
      strokes.push([
        0.5 + 0.28 * Math.cos(a),
        0.5 + 0.28 * Math.sin(a),
        0.5 + 0.5 * Math.cos(a),
        0.5 + 0.5 * Math.sin(a),
      ]);
    }
    return strokes;
  },
  // A spiral.
  (rng) => {
    const turns = between(rng, 2, 3.5), s: Stroke = [];
    for (let k = 0; k <= 80; k++) {
      const t = turns * 2 * Math.PI * k / 80, r = 0.5 * k / 80;
      s.push(0.5 + r * Math.cos(t), 0.5 + r * Math.sin(t));
    }
    return [s];
  },
  // A grid of noughts and crosses.
  () => [
    [0.33, 0, 0.33, 1],
    [0.67, 0, 0.67, 1],
    [0, 0.33, 1, 0.33],
    [0, 0.67, 1, 0.67],
  ],
  // A stick figure.
  () => [
    arc(0.5, 0.15, 0.13, 0.13),
    [0.5, 0.28, 0.5, 0.65],
    [0.2, 0.42, 0.8, 0.42],
    [0.25, 1, 0.5, 0.65, 0.75, 1],
  ],
  // A flower: petals round a centre.
  (rng) => {
    const petals = 5 + Math.floor(rng.next() * 3);
    const strokes = [arc(0.5, 0.5, 0.1, 0.1)];
    for (let k = 0; k < petals; k++) {
      const a = 2 * Math.PI * k / petals;
      const cx = 0.5 + 0.3 * Math.cos(a), cy = 0.5 + 0.3 * Math.sin(a);
      strokes.push(arc(cx, cy, 0.17, 0.17));
    }
    return strokes;
  },
  // Any closed outline of four to seven corners, with a stroke or two on it
  // (alone, a round outline would be a 0): a cup, a bag, a kite, a box.
  (rng) => {
    const corners = 4 + Math.floor(rng.next() * 4);
    const outline: Stroke = [];
    for (let k = 0; k <= corners; k++) {
      const a = 2 * Math.PI * (k % corners + between(rng, -0.3, 0.3)) /
        corners;
      const r = between(rng, 0.3, 0.5);
      outline.push(0.5 + r * Math.cos(a), 0.5 + r * Math.sin(a));
    }
    outline.splice(-2, 2, outline[0], outline[1]);
    const strokes = [outline];
    for (let k = 1 + Math.floor(rng.next() * 2); k > 0; k--) {
      const a = rng.next() * 2 * Math.PI, b = a + between(rng, 0.8, 2.5);
      strokes.push([
        0.5 + 0.45 * Math.cos(a),
        0.5 + 0.45 * Math.sin(a),
        0.5 + 0.45 * Math.cos(b),
        0.5 + 0.45 * Math.sin(b),
      ]);
    }
    return strokes;
  },
  // A cloud: bumps along a flat bottom.
  () => [[
    ...arc(0.2, 0.6, 0.2, 0.2, 0.5 * Math.PI, 1.6 * Math.PI),
    ...arc(0.45, 0.4, 0.25, 0.25, 1.1 * Math.PI, 1.9 * Math.PI),
    ...arc(0.78, 0.55, 0.22, 0.22, 1.3 * Math.PI, 2.5 * Math.PI),
    0.2,
    0.8,
  ]],
];
