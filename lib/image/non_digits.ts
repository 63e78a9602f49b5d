/**
 * Examples that are no digit, for teaching the network to say "none of
 * these" (the label NOT_A_DIGIT, whose targets are all 0): what people draw
 * or photograph besides digits. Five kinds:
 *
 * - letters and symbols, rendered from fonts by the caller (`glyphs`), and
 *   drawn by hand (lib/image/hand_letters.ts);
 * - scribbles and strokes: random scrawls, bars that lie down, zigzags,
 *   waves, crosses;
 * - shapes and doodles: a smiley, a star, a heart, a house, an arrow, a sun,
 *   a spiral, a grid...;
 * - pieces of digits: one half of an MNIST digit (only halves that look like
 *   no digit themselves: not the loops of an 8, nor a 7's or a 1's stem);
 * - two MNIST digits squeezed into one box, as digits that touch are.
 *
 * Each is drawn the way the network's inputs are made, with strokes on a
 * canvas and then `preprocess()`: the same crop, fit, centring and pen as a
 * drawing's. Everything random comes from the seeded `Random`, so the same
 * seed gives the same examples. Shapes that could be read as a digit (a plain
 * circle, an upright bar, an "S") are left out on purpose: an example that
 * contradicts MNIST would cost accuracy on real digits.
 *
 * @module
 */
import { type Dataset, NOT_A_DIGIT, PIXELS, SIDE } from "../data/mnist.ts";
import type { Random } from "../random.ts";
import { Canvas } from "./canvas.ts";
import { type GreyImage, preprocess } from "./preprocess.ts";
import { between, DOODLES, SCRIBBLES, type Stroke } from "./doodles.ts";
import { handLetter } from "./hand_letters.ts";

/** The kinds of examples, as the trainer's option and the model's metadata name them. */
export const NON_DIGIT_KINDS = [
  "letters",
  "scribbles",
  "doodles",
  "pieces",
  "pairs",
] as const;
export type NonDigitKind = typeof NON_DIGIT_KINDS[number];

/**
 * Letters and symbols whose shapes no digit has, Latin, Greek and Cyrillic,
 * and signs: the ones that look like a digit (O o D Q, I l i j J, L t, S s Z
 * z, B b G g q P d, T, ε θ σ β δ ζ τ, З Э Ч Б в т, Γ Г, ∂ ∫ ∅ ∇ ✓) and
 * those that are a bar or an arc (| / \ ( ) [ ] ! ↑ ↓) are left out.
 */
export const NON_DIGIT_CHARACTERS = "ACEFHKMNRUVWXYacefhkmnpruvwxy" +
  "αγηκλμνπρφχψωΔΛΞΠΣΦΨΩ" + "ДЖИЙКЛПФЦШЩЫЮЯджиклпфцшщыюя" +
  "#%&*+<=>?@^~€¥×÷±∑∏√∞≈≠≤≥∈♠♣♥♦★☺♪♫☼✗↔⇒⌂←→";

/** Side of the canvas strokes are drawn on: four times MNIST's, as drawings are. */
const SKETCH = 112;

/**
 * An example whose ink is more than this many times as tall as wide is drawn
 * again: after the fit to 20x20 it is a bar, which is how a "1" looks (a
 * piece of a 3's bump is a crescent, a "1" with a curve).
 */
const MAX_TALL = 2;

/** Tries at drawing an example that is not too tall before taking it anyway. */
const TRIES = 8;

/**
 * How often each kind comes up, in turn: letters most, as people try them
 * most and their shapes vary most; pairs least, as they vary least.
 */
const WEIGHTS: Record<NonDigitKind, number> = {
  letters: 5,
  scribbles: 2,
  doodles: 2,
  pieces: 2,
  pairs: 1,
};

/**
 * A letter is drawn stretched by up to this factor either way and turned by
 * up to LETTER_TURN degrees, as handwriting varies a font's shapes (the
 * training's own distortions then add more).
 */
const LETTER_STRETCH = 1.35;
const LETTER_TURN = 15;

/**
 * The halves of MNIST digits that are pieces, not digits: an arch of a 0,
 * the hook or the base of a 2, one bump of a 3, the open top of a 4, the
 * belly of a 5. The others are left out: halves of an 8 or a 9 are loops
 * (read as 0), a 1's, a 7's or a 6's stem reads as a 1 or a 7, and a 5's
 * flag is a 7 turned round.
 */
const PIECES: [digit: number, half: "top" | "bottom"][] = [
  [0, "top"],
  [0, "bottom"],
  [2, "top"],
  [2, "bottom"],
  [3, "top"],
  [3, "bottom"],
  [4, "top"],
  [5, "bottom"],
];

/** Where the examples come from besides the seed. */
export interface NonDigitSources {
  /** Letters and symbols as ink (0 = none), one image each, e.g. from fonts. */
  glyphs: readonly GreyImage[];
  /** Digits (MNIST's training set) to cut into pieces and to squeeze in pairs. */
  digits: Dataset;
}

/** Examples made between two calls of `nonDigits()`'s `stopHere`. */
const PROGRESS_EVERY = 100;

/**
 * `count` examples that are no digit, as a data set labelled NOT_A_DIGIT:
 * the `kinds` in turn, each as often as its weight says, drawn from `rng`.
 * Pieces and pairs are made from the digits there are: without the digits
 * they need (a small data set), those kinds are left out. `stopHere`, asked
 * every PROGRESS_EVERY examples, may end the making early (a window whose
 * user stopped the run): the examples made so far are returned.
 */
export function nonDigits(
  count: number,
  rng: Random,
  sources: NonDigitSources,
  { kinds = NON_DIGIT_KINDS, stopHere }: {
    kinds?: readonly NonDigitKind[];
    stopHere?: () => boolean;
  } = {},
): Dataset {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(
      `nonDigits: count must be a whole number, got ${count}`,
    );
  }
  if (kinds.includes("letters") && sources.glyphs.length === 0) {
    throw new RangeError("nonDigits: letters need glyphs");
  }
  const images = new Uint8Array(count * PIXELS);
  const sketch = new Canvas(SKETCH, SKETCH);
  const byDigit = digitIndex(sources.digits);
  const pieces = PIECES.filter(([digit]) => byDigit[digit].length > 0);
  const possible = kinds.filter((k) =>
    k === "pieces"
      ? pieces.length > 0
      : k === "pairs"
      ? sources.digits.count > 0
      : true
  );
  if (possible.length === 0) {
    throw new RangeError(`nonDigits: no digits to make ${kinds.join(", ")}`);
  }
  const turns = possible.flatMap((k) => Array(WEIGHTS[k]).fill(k));
  for (let n = 0; n < count; n++) {
    if (n % PROGRESS_EVERY === 0 && stopHere?.()) {
      count = n;
      break;
    }
    const out = images.subarray(n * PIXELS, (n + 1) * PIXELS);
    const kind = turns[n % turns.length];
    for (let t = 0; t < TRIES; t++) {
      drawOne(kind, rng, sources, byDigit, pieces, sketch, out);
      if (!tooTall(out)) break;
    }
  }
  return {
    split: "train",
    count,
    images: images.subarray(0, count * PIXELS),
    labels: new Uint8Array(count).fill(NOT_A_DIGIT),
  };
}

/** Draws one example of `kind` into `out` (784 bytes). */
function drawOne(
  kind: NonDigitKind,
  rng: Random,
  sources: NonDigitSources,
  byDigit: number[][],
  pieces: typeof PIECES,
  sketch: Canvas,
  out: Uint8Array,
): void {
  {
    switch (kind) {
      case "letters": {
        // A third as printed, a third from the fonts with the even pen of
        // handwriting, a third drawn by hand.
        const way = rng.next();
        if (way < 2 / 3) {
          const glyph = varied(pick(rng, sources.glyphs), rng);
          if (way < 1 / 3) preprocess(glyph, { out });
          else penned(sketch, glyph, rng, out);
        } else {
          drawStrokes(sketch, handLetter(rng), rng, out);
        }
        break;
      }
      case "scribbles":
        drawStrokes(sketch, pick(rng, SCRIBBLES)(rng), rng, out);
        break;
      case "doodles":
        drawStrokes(sketch, pick(rng, DOODLES)(rng), rng, out);
        break;
      case "pieces": {
        const [digit, half] = pick(rng, pieces);
        pieceOf(sources.digits, pick(rng, byDigit[digit]), half, out);
        break;
      }
      case "pairs":
        squeezedPair(
          sources.digits,
          Math.floor(rng.next() * sources.digits.count),
          Math.floor(rng.next() * sources.digits.count),
          out,
        );
        break;
    }
  }
}

/** Whether the ink of `pixels` (28x28) is more than MAX_TALL times as tall as wide. */
function tooTall(pixels: Uint8Array): boolean {
  let x0 = SIDE, x1 = -1, y0 = SIDE, y1 = -1;
  for (let k = 0; k < PIXELS; k++) {
    if (pixels[k] === 0) continue;
    const x = k % SIDE, y = (k - x) / SIDE;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x1 >= 0 && y1 - y0 + 1 > MAX_TALL * (x1 - x0 + 1);
}

/**
 * `glyph` stretched along one axis and turned (see LETTER_STRETCH), sampled
 * bilinearly onto a new image just large enough.
 */
function varied(glyph: GreyImage, rng: Random): GreyImage {
  const stretch = LETTER_STRETCH ** between(rng, -1, 1);
  const sx = stretch, sy = 1 / stretch;
  const t = between(rng, -1, 1) * LETTER_TURN * Math.PI / 180;
  const c = Math.cos(t), s = Math.sin(t);
  // Forward: p' = R S (p - centre); the output is its bounding box.
  const { width: w, height: h, data } = glyph;
  const hw = w / 2 * sx, hh = h / 2 * sy;
  const W = Math.ceil(2 * (Math.abs(c) * hw + Math.abs(s) * hh)) + 2;
  const H = Math.ceil(2 * (Math.abs(s) * hw + Math.abs(c) * hh)) + 2;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Back to the glyph: p = S^-1 R^-1 p'.
      const u = x + 0.5 - W / 2, v = y + 0.5 - H / 2;
      const gx = (c * u + s * v) / sx + w / 2 - 0.5;
      const gy = (-s * u + c * v) / sy + h / 2 - 0.5;
      const i = Math.floor(gx), j = Math.floor(gy);
      if (i < -1 || j < -1 || i >= w || j >= h) continue;
      const fx = gx - i, fy = gy - j;
      const at = (a: number, b: number) =>
        a < 0 || b < 0 || a >= w || b >= h ? 0 : data[b * w + a];
      const top = at(i, j) + fx * (at(i + 1, j) - at(i, j));
      const bottom = at(i, j + 1) + fx * (at(i + 1, j + 1) - at(i, j + 1));
      out[y * W + x] = Math.round(top + fy * (bottom - top));
    }
  }
  return { width: W, height: H, data: out };
}

/**
 * `glyph` as if written with a pen: its strokes thinned to their centre
 * lines (Zhang and Suen's thinning), then drawn again with a round pen of
 * one width on `sketch`, and preprocessed into `out`. A font's strokes vary
 * in width; a pen's do not.
 */
function penned(
  sketch: Canvas,
  glyph: GreyImage,
  rng: Random,
  out: Uint8Array,
): void {
  const { width: w, height: h, data } = glyph;
  // A border of background, so that thinning never reads past the edge.
  const W = w + 2, H = h + 2;
  const ink = new Uint8Array(W * H);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      ink[(y + 1) * W + x + 1] = data[y * w + x] >= 128 ? 1 : 0;
    }
  }
  thin(ink, W, H);
  sketch.clear();
  sketch.radius = between(rng, 2, 5);
  const scale = (SKETCH - 24) / Math.max(W, H);
  const ox = (SKETCH - W * scale) / 2, oy = (SKETCH - H * scale) / 2;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      if (!ink[y * W + x]) continue;
      const px = ox + x * scale, py = oy + y * scale;
      // Joined to the skeleton's neighbours to the right and below, so that
      // the pen draws lines, not beads.
      for (const [dx, dy] of [[1, 0], [0, 1], [1, 1], [-1, 1]]) {
        if (ink[(y + dy) * W + x + dx]) {
          sketch.stroke(px, py, px + dx * scale, py + dy * scale);
        }
      }
      sketch.dab(px, py);
    }
  }
  preprocess(sketch, { out });
}

/**
 * Thins the ink (1) of a binary image to lines one pixel wide, in place:
 * Zhang and Suen's two sub-iterations, until nothing changes.
 */
function thin(ink: Uint8Array, w: number, h: number): void {
  const gone: number[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const pass of [0, 1]) {
      gone.length = 0;
      for (let y = 1; y < h - 1; y++) {
        for (let x = 1; x < w - 1; x++) {
          const i = y * w + x;
          if (!ink[i]) continue;
          // The 8 neighbours clockwise from north: p2 .. p9.
          const p = [
            ink[i - w],
            ink[i - w + 1],
            ink[i + 1],
            ink[i + w + 1],
            ink[i + w],
            ink[i + w - 1],
            ink[i - 1],
            ink[i - w - 1],
          ];
          const b = p.reduce((s, v) => s + v, 0);
          if (b < 2 || b > 6) continue;
          let a = 0;
          for (let k = 0; k < 8; k++) if (!p[k] && p[(k + 1) % 8]) a++;
          if (a !== 1) continue;
          const [p2, , p4, , p6, , p8] = p;
          if (
            pass === 0 ? p2 * p4 * p6 || p4 * p6 * p8 : p2 * p4 * p8 ||
              p2 * p6 * p8
          ) continue;
          gone.push(i);
        }
      }
      for (const i of gone) ink[i] = 0;
      if (gone.length) changed = true;
    }
  }
}

/** An element of `list`, chosen by `rng`. */
function pick<T>(rng: Random, list: readonly T[]): T {
  return list[Math.floor(rng.next() * list.length)];
}

/** The records of each digit 0-9 of `digits`. */
function digitIndex(digits: Dataset): number[][] {
  const byDigit: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < digits.count; i++) {
    const label = digits.labels[i];
    if (label < 10) byDigit[label].push(i);
  }
  return byDigit;
}

/**
 * Draws `strokes` (unit square) on `sketch`, cleared, with a random pen and
 * a random aspect, and preprocesses it into `out`.
 */
function drawStrokes(
  sketch: Canvas,
  strokes: Stroke[],
  rng: Random,
  out: Uint8Array,
): void {
  sketch.clear();
  sketch.radius = between(rng, 2, 6);
  // Wider or taller than drawn, within the canvas's margin.
  const margin = 12, side = SKETCH - 2 * margin;
  const sx = side * between(rng, 0.6, 1), sy = side * between(rng, 0.6, 1);
  const ox = margin + (side - sx) / 2, oy = margin + (side - sy) / 2;
  for (const s of strokes) {
    for (let k = 0; k + 3 < s.length; k += 2) {
      sketch.stroke(
        ox + s[k] * sx,
        oy + s[k + 1] * sy,
        ox + s[k + 2] * sx,
        oy + s[k + 3] * sy,
      );
    }
  }
  preprocess(sketch, { out });
}

/** One half of digit record `i`, cut at its centre of mass, preprocessed into `out`. */
function pieceOf(
  digits: Dataset,
  i: number,
  half: "top" | "bottom",
  out: Uint8Array,
): void {
  const src = digits.images.subarray(i * PIXELS, (i + 1) * PIXELS);
  let mass = 0, my = 0;
  for (let k = 0; k < PIXELS; k++) {
    mass += src[k];
    my += Math.floor(k / SIDE) * src[k];
  }
  const cut = Math.round(my / Math.max(mass, 1));
  const kept = new Uint8Array(PIXELS);
  for (let k = 0; k < PIXELS; k++) {
    const row = Math.floor(k / SIDE);
    if (half === "top" ? row < cut : row >= cut) kept[k] = src[k];
  }
  preprocess({ width: SIDE, height: SIDE, data: kept }, { out });
}

/**
 * Digit records `a` and `b` side by side, squeezed to half their width each
 * so that both fill one box, preprocessed into `out`.
 */
function squeezedPair(
  digits: Dataset,
  a: number,
  b: number,
  out: Uint8Array,
): void {
  const pair = new Uint8Array(PIXELS);
  for (const [i, left] of [[a, 0], [b, SIDE / 2]]) {
    const src = digits.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE / 2; x++) {
        const v = (src[y * SIDE + 2 * x] + src[y * SIDE + 2 * x + 1]) / 2;
        pair[y * SIDE + left + x] = Math.max(pair[y * SIDE + left + x], v);
      }
    }
  }
  preprocess({ width: SIDE, height: SIDE, data: pair }, { out });
}
