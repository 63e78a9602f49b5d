/**
 * Letters and signs as people draw them, for the examples that are no digit
 * (lib/image/non_digits.ts): capitals and a few signs made of a pen's
 * strokes, each point a little off where a ruler would put it, the whole
 * slanted and turned a little. A font's letters (lib/app/glyphs.ts) have the
 * shapes of type; these have the shapes of handwriting, which is what the
 * draw window and a photographed note show.
 *
 * The same letters are left out as from the fonts' (those that are a digit's
 * shape: O D Q I L T S Z B G P), so that no example contradicts MNIST.
 *
 * @module
 */
import type { Random } from "../random.ts";
import { arc, between, type Stroke } from "./doodles.ts";

/** A letter's strokes in the unit square (y down), as a ruler would draw them. */
const SHAPES: Record<string, () => Stroke[]> = {
  A: () => [[0, 1, 0.5, 0, 1, 1], [0.22, 0.6, 0.78, 0.6]],
  C: () => [arc(0.55, 0.5, 0.45, 0.5, 0.3 * Math.PI, 1.7 * Math.PI)],
  E: () => [[1, 0, 0, 0, 0, 1, 1, 1], [0, 0.5, 0.75, 0.5]],
  F: () => [[1, 0, 0, 0, 0, 1], [0, 0.5, 0.75, 0.5]],
  H: () => [[0, 0, 0, 1], [1, 0, 1, 1], [0, 0.5, 1, 0.5]],
  K: () => [[0, 0, 0, 1], [1, 0, 0, 0.6], [0.3, 0.4, 1, 1]],
  M: () => [[0, 1, 0, 0, 0.5, 0.6, 1, 0, 1, 1]],
  N: () => [[0, 1, 0, 0, 1, 1, 1, 0]],
  R: () => [
    [0, 1, 0, 0, 0.55, 0],
    arc(0.55, 0.26, 0.4, 0.26, -0.5 * Math.PI, 0.5 * Math.PI),
    [0.55, 0.52, 0, 0.52],
    [0.4, 0.52, 1, 1],
  ],
  U: () => [[0, 0, 0, 0.6], arc(0.5, 0.6, 0.5, 0.4, Math.PI, 0), [
    1,
    0.6,
    1,
    0,
  ]],
  V: () => [[0, 0, 0.5, 1, 1, 0]],
  W: () => [[0, 0, 0.25, 1, 0.5, 0.35, 0.75, 1, 1, 0]],
  X: () => [[0, 0, 1, 1], [1, 0, 0, 1]],
  Y: () => [[0, 0, 0.5, 0.5, 1, 0], [0.5, 0.5, 0.5, 1]],
  "?": () => [
    [...arc(0.5, 0.28, 0.4, 0.28, Math.PI, 2.35 * Math.PI), 0.5, 0.72],
    [0.5, 0.93, 0.5, 1],
  ],
  "#": () => [
    [0.4, 0, 0.3, 1],
    [0.75, 0, 0.65, 1],
    [0, 0.33, 1, 0.33],
    [0, 0.67, 1, 0.67],
  ],
  "+": () => [[0.5, 0, 0.5, 1], [0, 0.5, 1, 0.5]],
  "*": () => [[0.5, 0, 0.5, 1], [0, 0.25, 1, 0.75], [1, 0.25, 0, 0.75]],
};

/** The characters drawn, in order. */
export const HAND_LETTER_NAMES = Object.keys(SHAPES);

/** How far a point may stray from its place, in the letter's size. */
const WOBBLE = 0.06;

/**
 * A smooth random displacement over the unit square, up to WOBBLE: two
 * waves of a wavelength between half the letter and twice it, so that
 * strokes bend and corners move as a hand's do, without jitter.
 */
function wobble(rng: Random): (x: number, y: number) => number {
  const waves = Array.from({ length: 2 }, () => ({
    amplitude: between(rng, -WOBBLE, WOBBLE) / 2,
    fx: between(rng, 0.5, 2) * Math.PI,
    fy: between(rng, 0.5, 2) * Math.PI,
    phase: between(rng, 0, 2 * Math.PI),
  }));
  return (x, y) =>
    waves.reduce(
      (sum, w) => sum + w.amplitude * Math.sin(w.fx * x + w.fy * y + w.phase),
      0,
    );
}

/**
 * One of the letters and signs, at random, drawn by hand: bent by a smooth
 * wobble, slanted by up to 0.3 of its height and turned by up to 12 degrees,
 * then fitted back into the unit square.
 */
export function handLetter(rng: Random): Stroke[] {
  const name =
    HAND_LETTER_NAMES[Math.floor(rng.next() * HAND_LETTER_NAMES.length)];
  const slant = between(rng, -0.3, 0.3);
  const turn = between(rng, -12, 12) * Math.PI / 180;
  const c = Math.cos(turn), s = Math.sin(turn);
  const dx = wobble(rng), dy = wobble(rng);
  const strokes = SHAPES[name]().map((stroke) => {
    const out: Stroke = [];
    for (let k = 0; k + 1 < stroke.length; k += 2) {
      const px = stroke[k], py = stroke[k + 1];
      const x = px + dx(px, py) + slant * (0.5 - py);
      const y = py + dy(px, py);
      out.push(
        0.5 + c * (x - 0.5) - s * (y - 0.5),
        0.5 + s * (x - 0.5) + c * (y - 0.5),
      );
    }
    return out;
  });
  return fitted(strokes);
}

/** `strokes` moved and scaled, keeping their shape, to fill the unit square. */
function fitted(strokes: Stroke[]): Stroke[] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const s of strokes) {
    for (let k = 0; k + 1 < s.length; k += 2) {
      x0 = Math.min(x0, s[k]);
      x1 = Math.max(x1, s[k]);
      y0 = Math.min(y0, s[k + 1]);
      y1 = Math.max(y1, s[k + 1]);
    }
  }
  const scale = 1 / Math.max(x1 - x0, y1 - y0);
  const ox = (1 - (x1 - x0) * scale) / 2, oy = (1 - (y1 - y0) * scale) / 2;
  return strokes.map((s) =>
    s.map((v, k) => k % 2 === 0 ? ox + (v - x0) * scale : oy + (v - y0) * scale)
  );
}
