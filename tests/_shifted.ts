/**
 * Digits drawn again at another place and size, as a user might draw them: the
 * transform behind `deno task check:shifted` (tests/_shifted_check.ts).
 *
 * @module
 */
import { type Dataset, PIXELS, SIDE } from "../lib/data/mnist.ts";
import { Random } from "../lib/random.ts";
import { preprocess } from "../lib/image/preprocess.ts";

/**
 * Draws a 28x28 byte image into `out` (a `side` x `side` canvas of ink 0..1),
 * its frame scaled to `frame` pixels with its top-left corner at (x, y).
 * Bilinear interpolation; when shrinking, each pixel averages enough samples
 * that no source pixel is skipped.
 */
export function placeDigit(
  image: Uint8Array,
  out: Float32Array,
  side: number,
  frame: number,
  x: number,
  y: number,
): void {
  if (image.length !== PIXELS || out.length !== side * side) {
    throw new RangeError(
      `placeDigit: image has ${image.length} bytes (expected ${PIXELS}), canvas ${out.length} (expected ${
        side * side
      })`,
    );
  }
  out.fill(0);
  const k = SIDE / frame; // source pixels per canvas pixel
  const n = Math.ceil(k); // samples per axis: one per source pixel or more
  const x0 = Math.max(0, Math.floor(x)),
    x1 = Math.min(side, Math.ceil(x + frame));
  const y0 = Math.max(0, Math.floor(y)),
    y1 = Math.min(side, Math.ceil(y + frame));
  for (let cy = y0; cy < y1; cy++) {
    for (let cx = x0; cx < x1; cx++) {
      let sum = 0;
      for (let sy = 0; sy < n; sy++) {
        const v = (cy + (sy + 0.5) / n - y) * k - 0.5;
        for (let sx = 0; sx < n; sx++) {
          const u = (cx + (sx + 0.5) / n - x) * k - 0.5;
          sum += bilinear(image, u, v);
        }
      }
      out[cy * side + cx] = sum / (n * n * 255);
    }
  }
}

/** The image's value at (u, v) in pixel-centre coordinates, 0 outside. */
function bilinear(image: Uint8Array, u: number, v: number): number {
  const i = Math.floor(u), j = Math.floor(v);
  const fu = u - i, fv = v - j;
  const at = (c: number, r: number) =>
    c < 0 || r < 0 || c >= SIDE || r >= SIDE ? 0 : image[r * SIDE + c];
  return (at(i, j) * (1 - fu) + at(i + 1, j) * fu) * (1 - fv) +
    (at(i, j + 1) * (1 - fu) + at(i + 1, j + 1) * fu) * fv;
}

/**
 * Every image of `data` redrawn on a `side`-pixel canvas with its frame scaled
 * to a random size between `min` and `max` times `side` at a random offset
 * that keeps it inside, then normalised by `preprocess()`.
 */
export function redrawAll(
  data: Dataset,
  { side, min, max, seed }: {
    side: number;
    min: number;
    max: number;
    seed: number;
  },
): Uint8Array {
  const rng = new Random(seed);
  const canvas = new Float32Array(side * side);
  const image = { width: side, height: side, data: canvas };
  const out = new Uint8Array(data.count * PIXELS);
  for (let i = 0; i < data.count; i++) {
    const frame = side * (min + (max - min) * rng.next());
    const x = (side - frame) * rng.next();
    const y = (side - frame) * rng.next();
    placeDigit(
      data.images.subarray(i * PIXELS, (i + 1) * PIXELS),
      canvas,
      side,
      frame,
      x,
      y,
    );
    preprocess(image, { out: out.subarray(i * PIXELS, (i + 1) * PIXELS) });
  }
  return out;
}
