/**
 * The strokes of a drawing on a fine grid: how wide they are
 * (`strokeWidth()`, along the medial axis of an exact distance transform) and
 * making them thinner or bolder (`repen()`). lib/image/preprocess.ts uses them
 * to give every drawing MNIST's pen.
 *
 * @module
 */

/** A float image, ink 0..1. */
export interface Grid {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Estimates the width of the strokes of `grid`, in its pixels: twice the mean
 * distance to the background along the ridge of the ink (the pixels at least
 * as far from the background as their eight neighbours: the medial axis),
 * less one, so that a binary stroke n pixels wide measures n. Ridge values
 * above 1.5 times their median are left out, so that where strokes cross or
 * merge does not count as wider strokes everywhere. Ink is what
 * reaches half the grid's darkest value. 0 for a grid without ink.
 */
export function strokeWidth(grid: Grid): number {
  const { width: w, height: h, data } = grid;
  const threshold = inkThreshold(data);
  if (threshold === 0) return 0;
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = data[i] >= threshold ? 1 : 0;
  const d = distanceTransform(mask, w, h);
  const ridge: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (mask[i] && isRidge(d, w, h, x, y)) ridge.push(d[i]);
    }
  }
  ridge.sort((a, b) => a - b);
  const limit = 1.5 * ridge[ridge.length >> 1];
  let sum = 0, n = 0;
  for (const v of ridge) {
    if (v > limit) break;
    sum += v;
    n++;
  }
  return 2 * sum / n - 1;
}

/** Whether pixel (x, y) of `d` is at least as large as its eight neighbours. */
function isRidge(d: Float32Array, w: number, h: number, x: number, y: number) {
  const v = d[y * w + x];
  for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
    for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
      if (d[yy * w + xx] > v) return false;
    }
  }
  return true;
}

/** Half the largest value of `data`: what counts as ink when measuring. */
function inkThreshold(data: Float32Array): number {
  let max = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
  return max / 2;
}

/**
 * Thins the strokes of `grid` by `e` pixels on each side (or thickens them
 * when `e` is negative), in place. Thinning keeps the ink of the pixels
 * farther than `e` from the background; thickening inks the pixels within
 * `-e` of the ink. Either way the new edge is a one-pixel ramp, so that
 * scaling down gives the grey borders MNIST digits have.
 */
export function repen(grid: Grid, e: number): void {
  const { width: w, height: h, data } = grid;
  const threshold = inkThreshold(data);
  if (threshold === 0 || e === 0) return;
  const mask = new Uint8Array(w * h);
  if (e > 0) {
    for (let i = 0; i < mask.length; i++) {
      mask[i] = data[i] >= threshold ? 1 : 0;
    }
    const d = distanceTransform(mask, w, h);
    for (let i = 0; i < data.length; i++) {
      const keep = d[i] - e;
      data[i] = keep <= 0 ? 0 : keep >= 1 ? data[i] : data[i] * keep;
    }
  } else {
    for (let i = 0; i < mask.length; i++) {
      mask[i] = data[i] >= threshold ? 0 : 1;
    }
    // Outside the grid is background too, not ink to grow from.
    const d = distanceTransform(mask, w, h, 1);
    const full = 2 * threshold;
    for (let i = 0; i < data.length; i++) {
      const add = -e + 1 - d[i];
      const v = add <= 0 ? 0 : add >= 1 ? full : full * add;
      if (v > data[i]) data[i] = v;
    }
  }
}

/**
 * Exact Euclidean distance from each pixel centre of a `w` x `h` mask to the
 * nearest pixel where the mask is 0 (0 there), by Felzenszwalb and
 * Huttenlocher's lower envelope of parabolas, one pass down the columns and
 * one along the rows. Pixels outside the mask count as 0 (so ink touching
 * the edge is at distance 1 from it), or with `outside` 1 as 1. Infinity
 * where no pixel is 0.
 */
export function distanceTransform(
  mask: Uint8Array,
  w: number,
  h: number,
  outside: 0 | 1 = 0,
): Float32Array {
  if (mask.length !== w * h) {
    throw new RangeError(
      `Mask has ${mask.length} values, ${w}x${h} needs ${w * h}`,
    );
  }
  // Padded by one pixel of `outside` on each side.
  const n = Math.max(w, h) + 2;
  const f = new Float64Array(n), out = new Float64Array(n);
  const v = new Int32Array(n), z = new Float64Array(n + 1);
  const sq = new Float64Array(w * h);
  const INF = 1e20;
  const edge = outside ? INF : 0;
  // Down the columns the mask is all 0 or INF, and the envelope is the
  // squared distance to the nearest 0 above or below: two scans find it.
  const up = new Float64Array(h);
  for (let x = 0; x < w; x++) {
    let last = outside ? -Infinity : -1;
    for (let y = 0; y < h; y++) {
      if (!mask[y * w + x]) last = y;
      up[y] = y - last;
    }
    last = outside ? Infinity : h;
    for (let y = h - 1; y >= 0; y--) {
      if (!mask[y * w + x]) last = y;
      const dy = Math.min(up[y], last - y);
      sq[y * w + x] = dy === Infinity ? INF : dy * dy;
    }
  }
  const d = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    f[0] = edge;
    for (let x = 0; x < w; x++) f[x + 1] = sq[y * w + x];
    f[w + 1] = edge;
    envelope(f, w + 2, out, v, z);
    for (let x = 0; x < w; x++) {
      const sq2 = out[x + 1];
      d[y * w + x] = sq2 >= INF / 2 ? Infinity : Math.sqrt(sq2);
    }
  }
  return d;
}

/** The 1-D squared distance transform of f[0..n-1] into out (see above). */
function envelope(
  f: Float64Array,
  n: number,
  out: Float64Array,
  v: Int32Array,
  z: Float64Array,
) {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    // Where the parabola from q overtakes the lowest so far; z[0] = -Infinity
    // stops the search.
    const fq = f[q] + q * q;
    let p = v[k];
    let s = (fq - (f[p] + p * p)) / (2 * (q - p));
    while (s <= z[k]) {
      k--;
      p = v[k];
      s = (fq - (f[p] + p * p)) / (2 * (q - p));
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    out[q] = dq * dq + f[v[k]];
  }
}
