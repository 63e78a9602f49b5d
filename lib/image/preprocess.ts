/**
 * Turns a drawing into an MNIST-style 28x28 image, the way MNIST itself was made
 * (http://yann.lecun.com/exdb/mnist/): the digit is scaled to fit a 20x20 box,
 * keeping its aspect ratio and anti-aliasing, then placed in a 28x28 field so
 * that its centre of mass is at the centre of the field.
 *
 * Steps, for a grey source image of any size:
 * 1. crop to the bounding box of the ink (every pixel above 0);
 * 2. scale the box so that its longer side is 20 pixels, with an area-average
 *    (box) filter: each output pixel is the mean ink of the source area it
 *    covers, which gives the grey, anti-aliased edges MNIST digits have;
 * 3. put the scaled box in the middle of a 28x28 field, compute the centre of
 *    mass of its ink, and move the image by the whole number of pixels that
 *    brings that point closest to (14, 14), in column and row index
 *    coordinates (the centre of mass of MNIST images averages (14.0, 14.0));
 *    ink moved past an edge is cut off.
 *
 * Running an MNIST image through it returns (nearly always) the same image.
 *
 * @module
 */
import { PIXELS, SIDE } from "../data/mnist.ts";

/** A grey image, row-major, 0 = background. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray | Float32Array | Float64Array;
}

/** A rectangle of source pixels: columns x..x+width-1, rows y..y+height-1. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The result of `preprocess()`. */
export interface Preprocessed {
  /** `PIXELS` bytes, row-major, 0 = background, 255 = full ink: the network's input. */
  pixels: Uint8Array;
  /** True when the source holds no ink; `pixels` is then all zeros. */
  empty: boolean;
  /** The ink's bounding box in the source, or `null` when empty. */
  box: Box | null;
  /** How far the scaled digit was moved to centre its mass, in output pixels. */
  shift: { x: number; y: number };
}

/** Side of the box the digit is scaled to fit. */
export const FIT = 20;
/** Where the centre of mass goes, in column and row index coordinates. */
export const CENTRE = SIDE / 2;

/**
 * Normalises a drawing to an MNIST-style image (see the module comment).
 *
 * `full` is the source value of full ink: by default 255 for byte arrays and
 * 1 for float arrays (such as a `Canvas`). `out`, if given, receives the
 * pixels instead of a new array. An empty source is not an error: the result
 * has `empty: true` and all-zero pixels.
 */
export function preprocess(
  image: GreyImage,
  { full, out = new Uint8Array(PIXELS) }: {
    full?: number;
    out?: Uint8Array;
  } = {},
): Preprocessed {
  const { width: w, height: h, data } = image;
  if (data.length !== w * h) {
    throw new RangeError(
      `Image data has ${data.length} values, ${w}x${h} needs ${w * h}`,
    );
  }
  if (out.length !== PIXELS) {
    throw new RangeError(
      `Output has ${out.length} bytes, expected ${PIXELS}`,
    );
  }
  const ink = full ??
    (data instanceof Uint8Array || data instanceof Uint8ClampedArray ? 255 : 1);
  if (!(ink > 0)) {
    throw new RangeError(`Full ink must be positive, got ${full}`);
  }

  const box = inkBox(image);
  out.fill(0);
  if (box === null) {
    return { pixels: out, empty: true, box, shift: { x: 0, y: 0 } };
  }

  // 2. Scale so that the longer side is FIT pixels, and place the box in the
  // middle of the field with its corner on whole pixels.
  const s = FIT / Math.max(box.width, box.height);
  const ox = Math.floor((SIDE - box.width * s) / 2);
  const oy = Math.floor((SIDE - box.height * s) / 2);
  const field = new Float64Array(PIXELS);
  // The filter is separable: first rows of the box are summed into output
  // rows (rows, (SIDE, box.width)), then columns into output columns.
  const rows = new Float64Array(SIDE * box.width);
  for (let r = 0; r < box.height; r++) {
    const src = (box.y + r) * w + box.x;
    forEachOverlap(oy + r * s, oy + (r + 1) * s, (t, weight) => {
      const dst = t * box.width;
      for (let c = 0; c < box.width; c++) {
        rows[dst + c] += weight * data[src + c];
      }
    });
  }
  for (let c = 0; c < box.width; c++) {
    forEachOverlap(ox + c * s, ox + (c + 1) * s, (t, weight) => {
      for (let y = 0; y < SIDE; y++) {
        field[y * SIDE + t] += weight * rows[y * box.width + c];
      }
    });
  }

  // 3. Centre of mass, then a whole-pixel move, clipped at the edges.
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const v = field[y * SIDE + x];
      mass += v;
      mx += x * v;
      my += y * v;
    }
  }
  const dx = Math.round(CENTRE - mx / mass) || 0;
  const dy = Math.round(CENTRE - my / mass) || 0;
  const toByte = 255 / ink;
  for (let y = Math.max(0, dy); y < Math.min(SIDE, SIDE + dy); y++) {
    for (let x = Math.max(0, dx); x < Math.min(SIDE, SIDE + dx); x++) {
      const v = field[(y - dy) * SIDE + (x - dx)] * toByte;
      out[y * SIDE + x] = v >= 255 ? 255 : Math.round(v);
    }
  }
  return { pixels: out, empty: false, box, shift: { x: dx, y: dy } };
}

/** The bounding box of the pixels above 0, or `null` when there are none. */
export function inkBox(image: GreyImage): Box | null {
  const { width: w, height: h, data } = image;
  let x0 = w, x1 = -1, y0 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let first = -1, last = -1;
    for (let x = 0; x < w; x++) {
      if (data[row + x] > 0) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return y0 < 0
    ? null
    : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * Calls `f(t, length)` for each output pixel t that the interval [a, b) of
 * output coordinates overlaps, with the length of the overlap: the weight of
 * a source pixel that maps to [a, b) in output pixel t.
 */
function forEachOverlap(
  a: number,
  b: number,
  f: (t: number, weight: number) => void,
) {
  const last = Math.min(SIDE - 1, Math.ceil(b) - 1);
  for (let t = Math.max(0, Math.floor(a)); t <= last; t++) {
    const weight = Math.min(b, t + 1) - Math.max(a, t);
    // Rounding can make a sliver of 1e-15 spill into the next pixel.
    if (weight > 1e-9) f(t, weight);
  }
}
