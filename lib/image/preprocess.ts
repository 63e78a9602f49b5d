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
 * Before step 2, the pen is normalised: a brush of one width makes bold
 * strokes in a digit drawn small, since fitting the box to 20 pixels scales
 * the strokes too. The box is first scaled to a grid SUPER times finer than
 * the output, the strokes' width measured there (`strokeWidth()`), and when
 * it would come out far from MNIST's (`penChange()`) the strokes are thinned
 * or thickened (`repen()`) and that grid, refitted, goes through steps 2-3.
 * Drawing and reading files share this one path, and it works from the
 * pixels alone, so erased ink is simply gone.
 *
 * Running an MNIST image through it returns (nearly always) the same image.
 *
 * @module
 */
import { PIXELS, SIDE } from "../data/mnist.ts";
import { type Grid, repen, strokeWidth } from "./strokes.ts";

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
  /**
   * Width of the drawing's strokes at the output's scale, before pen
   * normalisation (see `strokeWidth()`); 0 when empty. About `PEN_TARGET`
   * for MNIST digits, near `FIT` for a dot or a filled blob.
   */
  strokeWidth: number;
  /** Size of the source image, in its pixels. */
  source: { width: number; height: number };
  /** How much the pen normalisation widened (or, below 0, thinned) the strokes, in output pixels. */
  penChange: number;
}

/** Side of the box the digit is scaled to fit. */
export const FIT = 20;
/** Where the centre of mass goes, in column and row index coordinates. */
export const CENTRE = SIDE / 2;

/**
 * Stroke width, in output pixels, that pen normalisation aims at, measured
 * on the fine grid. The median `strokeWidth()` of the MNIST test digits is
 * 2.01 (1% below 0.8, 1% above 4.3); the same strokes measured again on the
 * 28x28 result come out about 0.3 thinner (their grey edges fall under half
 * ink), so aiming at 2.35 gives 28x28 digits that measure like MNIST's.
 */
export const PEN_TARGET = 2.35;
/**
 * Strokes within this many output pixels of PEN_TARGET are left as they are:
 * MNIST digits vary that much, and the network reads them so. Narrower, the
 * MNIST test digits redrawn larger (bench/shifted_check.ts) lose accuracy
 * (1.5 points at 0.25; 0.2 at 0.75).
 */
export const PEN_TOLERANCE = 0.75;
/**
 * Strokes wider than this fraction of FIT are left alone: such a shape is a
 * dot, a filled blob, or strokes drawn so close that they merged; thinning
 * it cannot bring gaps back.
 */
export const PEN_FAT = 0.45;
/**
 * Pen normalisation needs this many source pixels per output pixel along the
 * ink box's longer side: at MNIST's own resolution (about 1) a stroke is a
 * pixel or two and there is nothing finer to thin, so such images (MNIST
 * itself) are taken as they are.
 */
export const PEN_MIN_SCALE = 2;
/** Resolution, per output pixel, of the grid strokes are measured and reshaped on. */
export const SUPER = 4;
/** Margin of that grid, in its pixels, for strokes to grow into. */
const MARGIN = 8;

/**
 * Normalises a drawing to an MNIST-style image (see the module comment).
 *
 * `full` is the source value of full ink: by default 255 for byte arrays and
 * 1 for float arrays (such as a `Canvas`). `out`, if given, receives the
 * pixels instead of a new array. `pen: false` skips the pen normalisation
 * (to compare with it). An empty source is not an error: the result
 * has `empty: true` and all-zero pixels.
 */
export function preprocess(
  image: GreyImage,
  { full, out = new Uint8Array(PIXELS), pen = true }: {
    full?: number;
    out?: Uint8Array;
    pen?: boolean;
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
    return {
      pixels: out,
      empty: true,
      box,
      shift: { x: 0, y: 0 },
      strokeWidth: 0,
      penChange: 0,
      source: { width: w, height: h },
    };
  }

  // 2. Measure the strokes on a fine grid: the ink box scaled to SUPER times
  // its final size, with a margin for strokes to grow into.
  const grid = workGrid(image, box, ink);
  const measured = strokeWidth(grid) / SUPER;
  const change = pen
    ? penChange(measured, Math.max(box.width, box.height) / FIT)
    : 0;
  const shift = change === 0
    ? fit(image, box, ink, out)
    : fit(...repenned(grid, measured), 1, out);
  return {
    pixels: out,
    empty: false,
    box,
    shift,
    strokeWidth: measured,
    penChange: change,
    source: { width: w, height: h },
  };
}

/**
 * `grid` (the ink at SUPER times the output's resolution) with its strokes
 * made PEN_TARGET wide after the refit, and the ink box of the result.
 */
function repenned(grid: Grid, measured: number): [Grid, Box] {
  // Thinning shrinks the ink box by twice the erosion, and fitting the
  // smaller box to FIT pixels enlarges the strokes again; solve for the
  // erosion e (grid pixels) that gives the target after the refit, with the
  // box's longer side SUPER * FIT:
  // (w - 2e) / (SUPER * FIT - 2e) = target / FIT. Thickening is a negative e.
  const e = (measured - PEN_TARGET) * SUPER / (2 * (1 - PEN_TARGET / FIT));
  repen(grid, e);
  const box = inkBox(grid);
  if (box === null) {
    // Unreachable: erosion always keeps the ridge (penChange caps it).
    throw new Error("pen normalisation removed all the ink");
  }
  return [grid, box];
}

/**
 * How much the strokes' width must change, in output pixels, for a drawing
 * whose strokes would come out `width` output pixels wide, drawn at `scale`
 * source pixels per output pixel: 0 near the target, for a low-resolution
 * source, or for a shape too fat to be made of strokes (see the constants).
 */
export function penChange(width: number, scale: number): number {
  if (scale < PEN_MIN_SCALE || width > PEN_FAT * FIT) return 0;
  if (Math.abs(width - PEN_TARGET) <= PEN_TOLERANCE) return 0;
  return PEN_TARGET - width;
}

/**
 * Steps 2 and 3 of the module comment: scales the `box` of `image` (ink
 * `full` at full value) into `out`, centred by mass. Returns the move.
 */
function fit(
  image: GreyImage,
  box: Box,
  full: number,
  out: Uint8Array,
): { x: number; y: number } {
  const w = image.width, data = image.data;
  // Scale so that the longer side is FIT pixels, and place the box in the
  // middle of the field with its corner on whole pixels.
  const s = FIT / Math.max(box.width, box.height);
  const ox = Math.floor((SIDE - box.width * s) / 2);
  const oy = Math.floor((SIDE - box.height * s) / 2);
  const field = new Float64Array(PIXELS);
  resample(data, w, box, s, ox, oy, field, SIDE, SIDE);

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
  const toByte = 255 / full;
  for (let y = Math.max(0, dy); y < Math.min(SIDE, SIDE + dy); y++) {
    for (let x = Math.max(0, dx); x < Math.min(SIDE, SIDE + dx); x++) {
      const v = field[(y - dy) * SIDE + (x - dx)] * toByte;
      out[y * SIDE + x] = v >= 255 ? 255 : Math.round(v);
    }
  }
  return { x: dx, y: dy };
}

/**
 * Area-average scaling: adds to `field` (fw x fh) the pixels of `box` in
 * `data` (rows `w` long) scaled by `s`, the box's corner at (ox, oy). The
 * filter is separable: rows of the box are first summed into output rows
 * (rows, (fh, box.width)), then columns into output columns.
 */
function resample(
  data: GreyImage["data"],
  w: number,
  box: Box,
  s: number,
  ox: number,
  oy: number,
  field: Float64Array | Float32Array,
  fw: number,
  fh: number,
) {
  const rows = new Float64Array(fh * box.width);
  for (let r = 0; r < box.height; r++) {
    const src = (box.y + r) * w + box.x;
    forEachOverlap(oy + r * s, oy + (r + 1) * s, fh, (t, weight) => {
      const dst = t * box.width;
      for (let c = 0; c < box.width; c++) {
        rows[dst + c] += weight * data[src + c];
      }
    });
  }
  for (let c = 0; c < box.width; c++) {
    forEachOverlap(ox + c * s, ox + (c + 1) * s, fw, (t, weight) => {
      for (let y = 0; y < fh; y++) {
        field[y * fw + t] += weight * rows[y * box.width + c];
      }
    });
  }
}

/**
 * The ink `box` of `image` scaled so that its longer side is SUPER * FIT
 * pixels, ink 0..1, with a margin of MARGIN pixels all round.
 */
function workGrid(image: GreyImage, box: Box, full: number): Grid {
  const s = SUPER * FIT / Math.max(box.width, box.height);
  const width = Math.ceil(box.width * s) + 2 * MARGIN;
  const height = Math.ceil(box.height * s) + 2 * MARGIN;
  const data = new Float32Array(width * height);
  resample(
    image.data,
    image.width,
    box,
    s,
    MARGIN,
    MARGIN,
    data,
    width,
    height,
  );
  const k = 1 / full;
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, data[i] * k);
  return { width, height, data };
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
 * output coordinates overlaps (below `size`), with the length of the overlap: the weight of
 * a source pixel that maps to [a, b) in output pixel t.
 */
function forEachOverlap(
  a: number,
  b: number,
  size: number,
  f: (t: number, weight: number) => void,
) {
  const last = Math.min(size - 1, Math.ceil(b) - 1);
  for (let t = Math.max(0, Math.floor(a)); t <= last; t++) {
    const weight = Math.min(b, t + 1) - Math.max(a, t);
    // Rounding can make a sliver of 1e-15 spill into the next pixel.
    if (weight > 1e-9) f(t, weight);
  }
}

/**
 * The width of the strokes of `image` as they would come out at the output's
 * scale (its ink box fitted to FIT pixels), by `strokeWidth()`; 0 without ink.
 */
export function measureStrokeWidth(image: GreyImage, full?: number): number {
  const box = inkBox(image);
  if (box === null) return 0;
  const ink = full ?? (image.data instanceof Uint8Array ||
      image.data instanceof Uint8ClampedArray
    ? 255
    : 1);
  return strokeWidth(workGrid(image, box, ink)) / SUPER;
}
