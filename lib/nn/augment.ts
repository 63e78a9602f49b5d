/**
 * Data augmentation: random distortions of training digits, so that the network
 * learns digits that are not centred, upright and drawn with MNIST's pen.
 *
 * Each image gets a random affine transform (rotation, scale, shear, shift), an
 * elastic distortion (Simard, Steinkraus and Platt 2003: a random displacement
 * field smoothed by a Gaussian, scaled by alpha) and a change of pen thickness
 * (a grey-level dilation or erosion blended with the original). The output is
 * inverse-mapped: each output pixel samples the source bilinearly at the point
 * the transforms send it to.
 *
 * Every random number comes from the `Random` passed in, so the same seed gives
 * the same images. Smoothing a fresh random field for every image would cost more
 * than the network's own pass over it, so the fields are drawn once, when an
 * `Augmenter` is made, into a pool; each image takes one at random, with a random
 * sign and strength.
 *
 * @module
 */
import { PIXELS, SIDE } from "../data/mnist.ts";
import { SCALE } from "./network.ts";
import type { Random } from "../random.ts";
import type { AugmentSource } from "./augment_source.ts";
import { elasticFields, FIELD_POOL } from "./elastic.ts";

/** How strongly to distort. Every range is symmetric around "no change". */
export interface AugmentOptions {
  /** Largest rotation, in degrees, either way. */
  rotation: number;
  /** Largest relative change of size: factors in [1 - scale, 1 + scale]. */
  scale: number;
  /** Largest horizontal shear: x += shear * (y - centre). */
  shear: number;
  /** Largest shift, in pixels, along each axis. */
  shift: number;
  /** Largest elastic displacement strength: the RMS displacement, in pixels. */
  elastic: number;
  /** Standard deviation, in pixels, of the Gaussian that smooths the fields. */
  sigma: number;
  /**
   * Largest change of pen thickness, -1..1 of one dilation (bolder) or erosion
   * (thinner) by a 3x3 square: the image is blended that far towards it.
   */
  thickness: number;
  /** Fraction of the images that are distorted; the others pass unchanged. */
  probability: number;
}

/** The distortions of the default training recipe. */
export const STANDARD_AUGMENT: Readonly<AugmentOptions> = Object.freeze({
  rotation: 10,
  scale: 0.1,
  shear: 0.2,
  shift: 2,
  elastic: 1.2,
  sigma: 4,
  thickness: 0.5,
  probability: 0.8,
});

/** Names of the augmentation presets, as the command line takes them. */
export const AUGMENT_PRESETS = {
  none: undefined,
  standard: STANDARD_AUGMENT,
} as const;

/** A preset's name. */
export type AugmentPreset = keyof typeof AUGMENT_PRESETS;

/** Checks options, naming the bad one. */
export function checkAugmentOptions(o: AugmentOptions): void {
  const ranges: [keyof AugmentOptions, number, number][] = [
    ["rotation", 0, 180],
    ["scale", 0, 0.9],
    ["shear", 0, 2],
    ["shift", 0, SIDE],
    ["elastic", 0, SIDE],
    ["sigma", 0.5, SIDE],
    ["thickness", 0, 1],
    ["probability", 0, 1],
  ];
  for (const [key, lo, hi] of ranges) {
    const v = o[key];
    if (!(typeof v === "number" && v >= lo && v <= hi)) {
      throw new RangeError(`augment ${key} must be in ${lo}..${hi}, got ${v}`);
    }
  }
}

/**
 * The distortion of one image, forward: a source point p goes to
 * c + A (p - c) + (shiftX, shiftY), where c is the image's centre and
 * A = rotation(angle) * [[1, shear], [0, 1]] * scale; then the elastic field
 * moves it, and `pen` changes the stroke (> 0 bolder, < 0 thinner).
 * Angles are in radians, counterclockwise as seen on screen (y points down).
 */
export interface Distortion {
  angle: number;
  scale: number;
  shear: number;
  shiftX: number;
  shiftY: number;
  /** Index of the elastic field in the pool, or -1 for none. */
  field: number;
  /** Strength of the field (its sign flips it). */
  alpha: number;
  /** Pen change in -1..1. */
  pen: number;
}

/** Numbers per distortion in `packDistortion()`'s layout. */
export const DRAW_SLOTS = 8;

/** Writes `d` to `draws[row * DRAW_SLOTS ..]`. */
export function packDistortion(
  d: Readonly<Distortion>,
  draws: Float64Array,
  row: number,
): void {
  const o = row * DRAW_SLOTS;
  draws[o] = d.angle;
  draws[o + 1] = d.scale;
  draws[o + 2] = d.shear;
  draws[o + 3] = d.shiftX;
  draws[o + 4] = d.shiftY;
  draws[o + 5] = d.field;
  draws[o + 6] = d.alpha;
  draws[o + 7] = d.pen;
}

/** Reads row `row` of `draws` (as `packDistortion()` writes it) into `out`. */
export function unpackDistortion(
  draws: Float64Array,
  row: number,
  out: Distortion = { ...IDENTITY },
): Distortion {
  const o = row * DRAW_SLOTS;
  out.angle = draws[o];
  out.scale = draws[o + 1];
  out.shear = draws[o + 2];
  out.shiftX = draws[o + 3];
  out.shiftY = draws[o + 4];
  out.field = draws[o + 5];
  out.alpha = draws[o + 6];
  out.pen = draws[o + 7];
  return out;
}

/** The distortion that changes nothing. */
export const IDENTITY: Readonly<Distortion> = Object.freeze({
  angle: 0,
  scale: 1,
  shear: 0,
  shiftX: 0,
  shiftY: 0,
  field: -1,
  alpha: 0,
  pen: 0,
});

/**
 * A blank image as the network takes it: every pixel the scaled 0 (0.01).
 * Copying it with `set()` costs less than `fill()`.
 */
const BLANK = new Float32Array(PIXELS).fill(SCALE[0]);

/** Rows whose images `distortRows()` reads ahead at once. */
const PREFETCH_ROWS = 16;

/**
 * Border of zeros around the source, so that the four neighbours of any point
 * within a pixel of the ink box lie inside the buffer.
 */
const PAD = 9;
const P = SIDE + 2 * PAD; // side of the padded source
const CENTRE = (SIDE - 1) / 2;
/** A source pixel's value in the buffer: the input scaling without its offset. */
const INK = 0.99 / 255;

/**
 * Distorts batches of images. It holds the pool of elastic fields and scratch
 * buffers, made once; `augmentBatch()` and `distort()` allocate nothing.
 */
export class Augmenter {
  readonly options: Readonly<AugmentOptions>;
  readonly fields: Float32Array;
  readonly fieldCount: number;
  /** The largest displacement of each field, in pixels. */
  #fieldMax: Float64Array;
  /** (fieldCount, 28, 2): the largest |dx| and |dy| of each row of each field. */
  #rowMax: Float64Array;
  /**
   * (fieldCount, 784, 2): the fields with dx and dy side by side, as the
   * Float64s the sampling computes with (no conversion per pixel).
   */
  #flow: Float64Array;
  /** (46, 46) the source, scaled like the inputs, with a border of zeros. */
  #src = new Float64Array(P * P);
  #d: Distortion = { ...IDENTITY };
  /** Where `#prefetch()` leaves what it read, so that the reads stay. */
  #touched = 0;
  /** A field of zeros, for distortions without an elastic one. */
  #still = new Float64Array(2 * PIXELS);
  #stillRows = new Float64Array(2 * SIDE);
  /** Each output row's run of sampled x, `#lo[y]` .. `#hi[y]` (empty if lo > hi). */
  #lo = new Int32Array(SIDE);
  #hi = new Int32Array(SIDE);

  /**
   * The fields are drawn from `rng`, or are given: another augmenter's
   * `fields`, so that both distort alike.
   */
  constructor(
    options: AugmentOptions,
    rng: Random | Float32Array,
    fieldCount = FIELD_POOL,
  ) {
    checkAugmentOptions(options);
    this.options = Object.freeze({ ...options });
    let fields: Float32Array;
    if (rng instanceof Float32Array) {
      if (rng.length % (2 * PIXELS) !== 0) {
        throw new RangeError(
          `Augmenter: ${rng.length} floats are not whole fields of ${
            2 * PIXELS
          }`,
        );
      }
      fields = rng;
      this.fieldCount = rng.length / (2 * PIXELS);
    } else {
      this.fieldCount = options.elastic > 0 ? fieldCount : 0;
      fields = elasticFields(this.fieldCount, options.sigma, rng);
    }
    this.fields = fields;
    this.#fieldMax = new Float64Array(this.fieldCount);
    this.#rowMax = new Float64Array(this.fieldCount * 2 * SIDE);
    this.#flow = new Float64Array(fields.length);
    for (let f = 0; f < this.fieldCount; f++) {
      let max = 0;
      for (let k = 0; k < PIXELS; k++) {
        const i = f * 2 * PIXELS + k, dx = fields[i], dy = fields[i + PIXELS];
        max = Math.max(max, Math.hypot(dx, dy));
        this.#flow[i + k] = dx;
        this.#flow[i + k + 1] = dy;
        const r = (f * SIDE + Math.floor(k / SIDE)) * 2;
        this.#rowMax[r] = Math.max(this.#rowMax[r], Math.abs(dx));
        this.#rowMax[r + 1] = Math.max(this.#rowMax[r + 1], Math.abs(dy));
      }
      this.#fieldMax[f] = max;
    }
  }

  /** Draws a random distortion from `rng` into `out` (and returns it). */
  draw(rng: Random, out: Distortion = { ...IDENTITY }): Distortion {
    const o = this.options;
    if (rng.next() >= o.probability) return Object.assign(out, IDENTITY);
    // Each range is uniform in -1..1 times its largest value.
    out.angle = (rng.next() * 2 - 1) * o.rotation * Math.PI / 180;
    out.scale = 1 + (rng.next() * 2 - 1) * o.scale;
    out.shear = (rng.next() * 2 - 1) * o.shear;
    out.shiftX = (rng.next() * 2 - 1) * o.shift;
    out.shiftY = (rng.next() * 2 - 1) * o.shift;
    if (this.fieldCount > 0) {
      out.field = Math.floor(rng.next() * this.fieldCount);
      out.alpha = (rng.next() * 2 - 1) * o.elastic;
    } else {
      out.field = -1;
      out.alpha = 0;
    }
    out.pen = (rng.next() * 2 - 1) * o.thickness;
    return out;
  }

  /**
   * Draws the distortions of a batch's `rows` rows from `rng`, in order, into
   * `draws` (DRAW_SLOTS numbers a row, as `packDistortion()` writes them).
   * Drawn first, for the whole batch, so that the rows can then be made in any
   * order, in parts, by any thread, and still be the same.
   */
  drawRows(rng: Random, rows: number, draws: Float64Array): void {
    if (draws.length < rows * DRAW_SLOTS) {
      throw new RangeError(
        `drawRows: ${rows} rows need ${
          rows * DRAW_SLOTS
        } numbers, got ${draws.length}`,
      );
    }
    for (let r = 0; r < rows; r++) {
      packDistortion(this.draw(rng, this.#d), draws, r);
    }
  }

  /**
   * Distorts rows `from` .. `to - 1` of a batch: row r is image
   * `order[first + r]` of `source`, distorted by row r of `draws` (as
   * `drawRows()` fills it), into row r of `out`: the distorted counterpart
   * of `gatherScaled()`.
   */
  distortRows(
    source: AugmentSource,
    order: Uint32Array,
    first: number,
    from: number,
    to: number,
    draws: Float64Array,
    out: Float32Array,
  ): void {
    if (
      out.length < to * PIXELS || first + to > order.length ||
      draws.length < to * DRAW_SLOTS
    ) {
      throw new RangeError(
        `distortRows: rows ${from}..${to} from ${first} do not fit ${order.length} indices, ${draws.length} draws and ${out.length} outputs`,
      );
    }
    const d = this.#d;
    // Rows may be made a few at a time: whoever makes the first of a group
    // of PREFETCH_ROWS reads the group's images ahead.
    const rows = Math.min(order.length - first, out.length / PIXELS | 0);
    for (let r = from; r < to; r++) {
      const i = order[first + r];
      if (i >= source.count) {
        throw new RangeError(`distortRows: image ${i} of ${source.count}`);
      }
      if (r % PREFETCH_ROWS === 0) {
        this.#prefetch(
          source,
          order,
          first + r,
          Math.min(PREFETCH_ROWS, rows - r),
        );
      }
      this.distort(source, i, unpackDistortion(draws, r, d), out, r);
    }
  }

  /**
   * Distorts image `src` of `source` by `d` and writes it, scaled as the
   * network's inputs (x / 255 * 0.99 + 0.01), to `out[dst * 784 ..]`. The
   * identity writes exactly what `gatherScaled()` does.
   */
  distort(
    source: AugmentSource,
    src: number,
    d: Readonly<Distortion>,
    out: Float32Array,
    dst: number,
  ): void {
    const o0 = dst * PIXELS;
    if (
      d.angle === 0 && d.scale === 1 && d.shear === 0 && d.shiftX === 0 &&
      d.shiftY === 0 && (d.field < 0 || d.alpha === 0) && d.pen === 0
    ) { // the identity: a plain copy, as gatherScaled() makes it
      out.set(BLANK, o0); // outside the ink box every pixel is 0
      const images = source.images, s0 = src * PIXELS, box = src * 4;
      const by0 = source.boxes[box], by1 = source.boxes[box + 1];
      const bx0 = source.boxes[box + 2], bx1 = source.boxes[box + 3];
      for (let y = by0; y <= by1; y++) {
        for (let k = y * SIDE + bx0, end = y * SIDE + bx1; k <= end; k++) {
          out[o0 + k] = SCALE[images[s0 + k]];
        }
      }
      return;
    }
    out.set(BLANK, o0);
    const box = src * 4;
    let by0 = source.boxes[box], by1 = source.boxes[box + 1];
    let bx0 = source.boxes[box + 2], bx1 = source.boxes[box + 3];
    if (by0 > by1) return; // blank
    const pen = d.pen;
    if (pen > 0) { // a dilation reaches one pixel further
      if (by0 > 0) by0--;
      if (by1 < SIDE - 1) by1++;
      if (bx0 > 0) bx0--;
      if (bx1 < SIDE - 1) bx1++;
    }
    // The source's ink box, with the pen change blended in and scaled like the
    // inputs (less their offset), into the padded buffer, which is zero
    // elsewhere and is cleared again at the end.
    const buf = this.#src;
    const images = source.images;
    const morph = pen > 0 ? source.dilated : source.eroded;
    const t = pen > 0 ? pen : -pen;
    const keep = (1 - t) * INK, take = t * INK;
    const s0 = src * PIXELS;
    for (let y = by0; y <= by1; y++) {
      const row = (y + PAD) * P + PAD, from = s0 + y * SIDE;
      for (let x = bx0; x <= bx1; x++) {
        buf[row + x] = keep * images[from + x] + take * morph[from + x];
      }
    }
    // A = scale * R(angle) [[1, shear], [0, 1]], with R turning counterclockwise
    // on screen (y points down); M = A^-1 maps the output back to the source.
    const cos = Math.cos(d.angle), sin = Math.sin(d.angle);
    const a00 = d.scale * cos, a01 = d.scale * (cos * d.shear + sin);
    const a10 = -d.scale * sin, a11 = d.scale * (cos - sin * d.shear);
    const det = a00 * a11 - a01 * a10;
    const m00 = a11 / det, m01 = -a01 / det, m10 = -a10 / det, m11 = a00 / det;
    const cx = CENTRE + d.shiftX, cy = CENTRE + d.shiftY;
    const elastic = d.field >= 0 && d.alpha !== 0;
    const alpha = elastic ? d.alpha : 0;
    const flow = elastic ? this.#flow : this.#still;
    const rowMax = elastic ? this.#rowMax : this.#stillRows;
    const f0 = elastic ? d.field * 2 * PIXELS : 0;
    const r0 = elastic ? d.field * 2 * SIDE : 0;
    const strength = alpha < 0 ? -alpha : alpha;
    // A point samples ink only if its top-left neighbour lies in the box grown
    // by one pixel to the top and left: padded coordinates [u0, u1) x [v0, v1).
    // Elsewhere the output keeps the blank value.
    const u0 = bx0 - 1 + PAD, u1 = bx1 + 1 + PAD;
    const v0 = by0 - 1 + PAD, v1 = by1 + 1 + PAD;
    // Points move at most `reach` from where the affine map puts them, so with
    // a border at least that wide (and one more for the neighbours) none needs
    // clamping; strong fields clamp into the border of zeros.
    const reach = elastic ? strength * this.#fieldMax[d.field] : 0;
    const free = 2 * reach + 2.001 <= PAD;
    const last = P - 1.0001;
    // source = c + M (q - c - shift) + PAD, as an affine function of q.
    const ox = CENTRE + PAD - m00 * cx - m01 * cy;
    const oy = CENTRE + PAD - m10 * cx - m11 * cy;
    // First every row's run of x where the affine point is within the row's
    // largest displacement of [u0, u1) x [v0, v1), then the runs' sampling:
    // apart, the runs' divisions and branches no longer hold up the sampling
    // after them (a few percent of distort()'s time).
    const runLo = this.#lo, runHi = this.#hi;
    for (let y = 0; y < SIDE; y++) {
      const bu = m01 * y + ox, bv = m11 * y + oy; // the point at x = 0
      const ru = strength * rowMax[r0 + 2 * y] + 1e-9;
      const rv = strength * rowMax[r0 + 2 * y + 1] + 1e-9;
      let lo = 0, hi = SIDE - 1;
      if (m00 !== 0) {
        const p = (u0 - ru - bu) / m00, q = (u1 + ru - bu) / m00;
        const a = p < q ? p : q, b = p < q ? q : p;
        if (a > lo) lo = Math.ceil(a);
        if (b < hi) hi = Math.floor(b);
      } else if (bu < u0 - ru || bu > u1 + ru) hi = -1;
      if (m10 !== 0) {
        const p = (v0 - rv - bv) / m10, q = (v1 + rv - bv) / m10;
        const a = p < q ? p : q, b = p < q ? q : p;
        if (a > lo) lo = Math.ceil(a);
        if (b < hi) hi = Math.floor(b);
      } else if (bv < v0 - rv || bv > v1 + rv) hi = -1;
      if (lo > hi) { // empty; its ends may lie beyond int32 (a near-parallel edge)
        lo = 1;
        hi = 0;
      }
      runLo[y] = lo;
      runHi[y] = hi;
    }
    for (let y = 0; y < SIDE; y++) {
      const lo = runLo[y], hi = runHi[y];
      if (lo > hi) continue;
      const bu = m01 * y + ox, bv = m11 * y + oy;
      let su = bu + m00 * lo, sv = bv + m10 * lo;
      const o = o0 + y * SIDE;
      let k = f0 + 2 * (y * SIDE + lo);
      if (free) {
        // `| 0` keeps the index arithmetic in int32, without overflow checks.
        for (
          let j = o + lo, end = o + hi;
          j <= end;
          j = (j + 1) | 0, su += m00, sv += m10, k = (k + 2) | 0
        ) {
          const pu = su + alpha * flow[k], pv = sv + alpha * flow[(k + 1) | 0];
          const iu = pu | 0, iv = pv | 0; // non-negative: truncation floors
          const fu = pu - iu, fv = pv - iv;
          const i = (Math.imul(iv, P) + iu) | 0;
          const a = buf[i], b = buf[(i + 1) | 0];
          const c = buf[(i + P) | 0], e = buf[(i + P + 1) | 0];
          const top = a + fu * (b - a);
          out[j] = top + fv * (c + fu * (e - c) - top) + 0.01;
        }
      } else {
        for (let x = lo; x <= hi; x++, su += m00, sv += m10, k += 2) {
          let pu = su + alpha * flow[k], pv = sv + alpha * flow[k + 1];
          pu = pu < 0 ? 0 : pu > last ? last : pu;
          pv = pv < 0 ? 0 : pv > last ? last : pv;
          const iu = pu | 0, iv = pv | 0;
          const fu = pu - iu, fv = pv - iv;
          const i = iv * P + iu;
          const a = buf[i], b = buf[i + 1], c = buf[i + P], e = buf[i + P + 1];
          const top = a + fu * (b - a);
          out[o + x] = top + fv * (c + fu * (e - c) - top) + 0.01;
        }
      }
    }
    for (let y = by0; y <= by1; y++) {
      const row = (y + PAD) * P + PAD;
      for (let x = bx0; x <= bx1; x++) buf[row + x] = 0;
    }
  }

  /**
   * Reads one byte of every cache line of images `order[at]` ..
   * `order[at + rows - 1]`, their dilations and erosions, and their boxes: the
   * images are visited in random order, so each is a cache miss. A group's
   * reads wait on memory together; one image ahead, each image's wait still
   * held up the work after it.
   */
  #prefetch(
    source: AugmentSource,
    order: Uint32Array,
    at: number,
    rows: number,
  ): void {
    const { images, dilated, eroded, boxes, count } = source;
    let sum = 0;
    for (let r = at; r < at + rows; r++) {
      const n = order[r];
      if (n >= count) continue; // the caller reports it
      sum += boxes[n * 4];
      for (let k = n * PIXELS + 56, end = k + PIXELS - 112; k < end; k += 64) {
        sum += images[k] + dilated[k] + eroded[k];
      }
    }
    this.#touched = sum;
  }
}
