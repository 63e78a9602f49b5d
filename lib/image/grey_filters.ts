/**
 * Filters over grey pictures of float levels for lib/image/photo.ts:
 * minimum and maximum over square windows (van Herk / Gil-Werman, whatever
 * the window's size), the grey opening and closing with whole windows at the
 * borders, a running median, a 3x3 mean and block means.
 *
 * They run once per picture over every pixel, so they are written for
 * speed: the minimum and maximum work in place over the windows that lie
 * whole in a picture (a picture padded first, by copies of its edge or by
 * reflection, gives the others), and where noise would make a comparison's
 * branch mispredict, levels are counted or clamped without one. Each is
 * checked against a naive reference in tests/photo_test.ts.
 *
 * @module
 */
import type { Box } from "./preprocess.ts";

/** A grey image of levels 0-255 as floats, row-major. */
export interface GreyLevels {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * The whole level nearest `v` (a half rounds up), clamped to 0-255; NaN is
 * 0. Without a branch, which the noise of a picture would mispredict; `v`
 * must lie within +-2^31, as any level worked out of a picture does.
 */
export function wholeLevel(v: number): number {
  return Math.min(Math.max((v + 0.5) | 0, 0), 255);
}

/**
 * The means of the `f` x `f` blocks of `box` in `data` (rows `w` long), row
 * by row; the last blocks of a row or column are cut by the box's edge.
 */
export function blockMeans(
  data: ArrayLike<number>,
  w: number,
  box: Box,
  f: number,
): Float32Array {
  const wo = Math.ceil(box.width / f), ho = Math.ceil(box.height / f);
  const out = new Float32Array(wo * ho);
  const column = new Int32Array(box.width);
  for (let c = 0; c < box.width; c++) column[c] = Math.floor(c / f);
  const sums = new Float64Array(wo);
  for (let by = 0; by < ho; by++) {
    const y0 = box.y + by * f, y1 = Math.min(box.y + box.height, y0 + f);
    sums.fill(0);
    for (let y = y0; y < y1; y++) {
      const row = y * w + box.x;
      for (let c = 0; c < box.width; c++) sums[column[c]] += data[row + c];
    }
    for (let bx = 0; bx < wo; bx++) {
      const cw = Math.min(f, box.width - bx * f);
      out[by * wo + bx] = sums[bx] / (cw * (y1 - y0));
    }
  }
  return out;
}

/**
 * Minimum (or, with `sign` -1, maximum) over each run of 2r+1 values along
 * the `h` rows of `w` values of `data`, in place: the result is `h` rows of
 * `w - 2r` values at the start of `data`, the value at x that of the run
 * from x. The maximum is the negated minimum of the negated values.
 * van Herk / Gil-Werman: the row is cut into blocks of k = 2r+1, and the run
 * from x, in block b, is the minimum of the suffix of block b from x and the
 * prefix of block b + 1 up to x + 2r, so the cost does not grow with r.
 * Each result lands where nothing is left to read.
 */
function minAlongRows(
  data: Float32Array,
  w: number,
  h: number,
  r: number,
  sign: 1 | -1,
) {
  const k = 2 * r + 1, m = w - 2 * r;
  const suffix = new Float32Array(k);
  for (let y = 0; y < h; y++) {
    const row = y * w, out = y * m;
    for (let b = 0; b < m; b += k) {
      // The block b..b+k-1 lies in the row: b + 2r <= m - 1 + 2r.
      let s = sign * data[row + b + k - 1];
      suffix[k - 1] = s;
      for (let j = k - 2; j >= 0; j--) {
        const v = sign * data[row + b + j];
        if (v < s) s = v;
        suffix[j] = s;
      }
      // The run from b is the whole block.
      data[out + b] = sign * s;
      let p = Infinity;
      for (let j = 1, end = Math.min(k, m - b); j < end; j++) {
        const v = sign * data[row + b + k + j - 1];
        if (v < p) p = v;
        const u = suffix[j];
        data[out + b + j] = sign * (u < p ? u : p);
      }
    }
  }
}

/**
 * As `minAlongRows()`, down the columns, in place: the result is the first
 * `h - 2r` rows. Whole rows are the values, so that memory is read in order.
 */
function minDownColumns(
  data: Float32Array,
  w: number,
  h: number,
  r: number,
  sign: 1 | -1,
) {
  const k = 2 * r + 1, m = h - 2 * r;
  // The suffixes of a block of k rows, and the prefix of the next block.
  const suffix = new Float32Array(k * w), prefix = new Float32Array(w);
  for (let b = 0; b < m; b += k) {
    let from = (b + k - 1) * w, to = (k - 1) * w;
    for (let x = 0; x < w; x++) suffix[to + x] = sign * data[from + x];
    for (let j = k - 2; j >= 0; j--) {
      from = (b + j) * w, to = j * w;
      for (let x = 0; x < w; x++) {
        const v = sign * data[from + x], s = suffix[to + w + x];
        suffix[to + x] = v < s ? v : s;
      }
    }
    for (let x = 0; x < w; x++) data[b * w + x] = sign * suffix[x];
    prefix.fill(Infinity);
    for (let j = 1, end = Math.min(k, m - b); j < end; j++) {
      from = (b + k + j - 1) * w, to = (b + j) * w;
      const t = j * w;
      for (let x = 0; x < w; x++) {
        const v = sign * data[from + x];
        let p = prefix[x];
        if (v < p) prefix[x] = p = v;
        const u = suffix[t + x];
        data[to + x] = sign * (u < p ? u : p);
      }
    }
  }
}

/**
 * Minimum (or, with `max`, maximum) over the whole square windows of side
 * 2r+1 that lie in `image`, in place: the result is 2r pixels narrower and
 * lower, its pixel (x, y) the window whose top-left corner is (x, y) of
 * `image`, and its data the start of `image`'s, which it overwrites.
 * Separable: along the rows, then down the columns.
 */
export function innerFilterInPlace(
  image: GreyLevels,
  r: number,
  max: boolean,
): GreyLevels {
  const { width: w, height: h, data } = image;
  const width = w - 2 * r, height = h - 2 * r;
  if (width < 1 || height < 1) {
    throw new RangeError(`${w}x${h} has no whole window of side ${2 * r + 1}`);
  }
  const sign = max ? -1 : 1;
  minAlongRows(data, w, h, r, sign);
  minDownColumns(data, width, h, r, sign);
  return { width, height, data: data.subarray(0, width * height) };
}

/**
 * `image` extended by `p` pixels on each side with copies of its edge
 * pixels: a minimum or maximum over a window cut by the picture's edge is
 * that over the whole window here, since the copies repeat values the cut
 * window holds.
 */
function padEdge(image: GreyLevels, p: number): GreyLevels {
  const { width: w, height: h, data } = image;
  const pw = w + 2 * p, ph = h + 2 * p;
  const out = new Float32Array(pw * ph);
  // The picture's rows, extended sideways...
  for (let y = 0; y < h; y++) {
    const from = y * w, to = (y + p) * pw;
    out.fill(data[from], to, to + p);
    out.set(data.subarray(from, from + w), to + p);
    out.fill(data[from + w - 1], to + p + w, to + pw);
  }
  // ...then copies of the first and last above and below.
  for (let y = 0; y < p; y++) {
    out.copyWithin(y * pw, p * pw, (p + 1) * pw);
    out.copyWithin((p + h + y) * pw, (p + h - 1) * pw, (p + h) * pw);
  }
  return { width: pw, height: ph, data: out };
}

/**
 * Minimum (or, with `max`, maximum) filter over square windows of side 2r+1,
 * cut at the edges: `innerFilterInPlace()` of the picture padded by copies
 * of its edge pixels.
 */
export function squareFilter(
  image: GreyLevels,
  r: number,
  max: boolean,
): GreyLevels {
  return innerFilterInPlace(padEdge(image, r), r, max);
}

/**
 * The rectangle `box` of `image` extended by `p` pixels on each side: by
 * the picture's own pixels where there are some, else by odd reflection
 * (f(-x) = 2 f(0) - f(x)), which keeps shading that changes linearly across
 * a border, for filters whose windows the border would otherwise cut.
 */
export function padOdd(image: GreyLevels, p: number, box?: Box): GreyLevels {
  const { width: w, height: h, data } = image;
  const { x: bx, y: by, width: bw, height: bh } = box ??
    { x: 0, y: 0, width: w, height: h };
  const pw = bw + 2 * p, ph = bh + 2 * p;
  // Padded index i along a side `size` long: the pixels i0, i1 of the
  // picture that give f(i) = 2 f(i0) - f(i1).
  const reflect = (size: number, start: number, length: number) => {
    const i0 = new Int32Array(length), i1 = new Int32Array(length);
    for (let i = 0; i < length; i++) {
      const j = Math.min(Math.max(start + i, -(size - 1)), 2 * (size - 1));
      i0[i] = j < 0 ? 0 : j >= size ? size - 1 : j;
      i1[i] = j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j;
    }
    return [i0, i1];
  };
  const [x0, x1] = reflect(w, bx - p, pw), [y0, y1] = reflect(h, by - p, ph);
  const out = new Float32Array(pw * ph);
  // The rows that lie in the picture, extended sideways...
  const first = Math.max(0, p - by), last = Math.min(ph, h - by + p);
  for (let y = first; y < last; y++) {
    const row = (by - p + y) * w, to = y * pw;
    for (let x = 0; x < pw; x++) {
      out[to + x] = 2 * data[row + x0[x]] - data[row + x1[x]];
    }
  }
  // ...then the others from them.
  for (let y = 0; y < ph; y++) {
    if (y >= first && y < last) continue;
    const a = (y0[y] - by + p) * pw, b = (y1[y] - by + p) * pw, to = y * pw;
    for (let x = 0; x < pw; x++) out[to + x] = 2 * out[a + x] - out[b + x];
  }
  return { width: pw, height: ph, data: out };
}

/**
 * The grey opening (a minimum, then a maximum filter, over square windows
 * of side 2r+1) of `padded` where its windows are whole, in place (see
 * `innerFilterInPlace()`): 4r pixels narrower and lower, its pixel (x, y)
 * that of (x + 2r, y + 2r).
 */
export function innerOpeningInPlace(padded: GreyLevels, r: number) {
  return innerFilterInPlace(innerFilterInPlace(padded, r, false), r, true);
}

/**
 * The grey opening (a minimum, then a maximum filter, over square windows
 * of side 2r+1) and closing (a maximum, then a minimum) of `image`, each
 * window whole: they run on the picture extended by 2r on each side, each
 * filter taking r off each side again.
 */
export function openAndClose(image: GreyLevels, r: number) {
  const open = padOdd(image, 2 * r);
  const close = { ...open, data: open.data.slice() };
  return {
    open: innerOpeningInPlace(open, r).data,
    close: innerFilterInPlace(innerFilterInPlace(close, r, true), r, false)
      .data,
  };
}

/**
 * Mean over 3x3 windows (cut at the edges), in place: a mean of three along
 * the rows, then down the columns, keeping the row means of three rows.
 * Pictures are at least 2 pixels a side.
 */
export function blurInPlace(image: GreyLevels) {
  const { width: w, height: h, data } = image;
  // Row means of rows y - 1, y and y + 1.
  let above = new Float32Array(w), here = new Float32Array(w);
  let below = new Float32Array(w);
  const rowMeans = (y: number, out: Float32Array) => {
    const row = y * w;
    out[0] = (data[row] + data[row + 1]) / 2;
    for (let x = 1; x < w - 1; x++) {
      out[x] = (data[row + x - 1] + data[row + x] + data[row + x + 1]) / 3;
    }
    out[w - 1] = (data[row + w - 2] + data[row + w - 1]) / 2;
  };
  rowMeans(0, here);
  rowMeans(1, below);
  for (let x = 0; x < w; x++) data[x] = (here[x] + below[x]) / 2;
  for (let y = 1; y < h - 1; y++) {
    [above, here, below] = [here, below, above];
    rowMeans(y + 1, below);
    const row = y * w;
    for (let x = 0; x < w; x++) {
      data[row + x] = (above[x] + here[x] + below[x]) / 3;
    }
  }
  const last = (h - 1) * w;
  for (let x = 0; x < w; x++) data[last + x] = (here[x] + below[x]) / 2;
}

/**
 * The median of each pixel's square window of side 2r+1 (cut at the edges),
 * of `image` rounded to whole levels (see `wholeLevel()`); r is at most
 * 127. Huang's running histogram: sliding the window along a row takes one
 * column out and puts one in.
 *
 * Rows are filtered two at a time, y and y + 1: their windows share every
 * row but y's top and y + 1's bottom, so one histogram counts both, y's
 * counts in the low 16 bits of each bin and y + 1's in the high 16 bits (a
 * window holds at most 255 * 255 levels), and a level of a shared row is
 * read and counted once for both.
 */
export function medianFilter(image: GreyLevels, r: number): Float32Array {
  const { width: w, height: h, data } = image;
  if (r > 127) throw new RangeError(`median radius ${r} is over 127`);
  // The levels column by column, so that a column is read in order.
  const level = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) level[x * h + y] = wholeLevel(data[y * w + x]);
  }
  const out = new Float32Array(w * h);
  const hist = new Int32Array(256);
  const LOW = 1, HIGH = 0x10000, BOTH = LOW + HIGH;
  for (let y = 0; y < h; y += 2) {
    // Rows y0..y1 lie in both windows, `top` in y's alone and `bottom` in
    // y + 1's alone, where they lie in the picture.
    const top = y - r, bottom = y + 1 + r;
    const y0 = Math.max(0, top + 1), y1 = Math.min(h - 1, bottom - 1);
    const hasTop = top >= 0, hasBottom = bottom < h;
    const rowsLow = y1 - y0 + 1 + (hasTop ? 1 : 0);
    const rowsHigh = y1 - y0 + 1 + (hasBottom ? 1 : 0);
    hist.fill(0);
    // `low` is the median of y's window: `belowLow` of its `countLow`
    // values lie under it, fewer than half, and at least half lie at or
    // under it; `high` the same for y + 1's. A level v lies under a median
    // m when v - m is negative, when (v - m) >> 31 is -1: counted without
    // a branch, which the noise would mispredict.
    let low = 0, belowLow = 0, countLow = 0;
    let high = 0, belowHigh = 0, countHigh = 0;
    for (let x = -r; x < w; x++) {
      if (x + r < w) {
        // Column x + r comes in.
        const col = (x + r) * h;
        for (let yy = y0; yy <= y1; yy++) {
          const v = level[col + yy];
          hist[v] += BOTH;
          belowLow -= (v - low) >> 31;
          belowHigh -= (v - high) >> 31;
        }
        if (hasTop) {
          const v = level[col + top];
          hist[v] += LOW;
          belowLow -= (v - low) >> 31;
        }
        if (hasBottom) {
          const v = level[col + bottom];
          hist[v] += HIGH;
          belowHigh -= (v - high) >> 31;
        }
        countLow += rowsLow;
        countHigh += rowsHigh;
      }
      if (x - r - 1 >= 0) {
        // Column x - r - 1 goes out.
        const col = (x - r - 1) * h;
        for (let yy = y0; yy <= y1; yy++) {
          const v = level[col + yy];
          hist[v] -= BOTH;
          belowLow += (v - low) >> 31;
          belowHigh += (v - high) >> 31;
        }
        if (hasTop) {
          const v = level[col + top];
          hist[v] -= LOW;
          belowLow += (v - low) >> 31;
        }
        if (hasBottom) {
          const v = level[col + bottom];
          hist[v] -= HIGH;
          belowHigh += (v - high) >> 31;
        }
        countLow -= rowsLow;
        countHigh -= rowsHigh;
      }
      if (x < 0) continue;
      let half = countLow / 2;
      while (belowLow + (hist[low] & 0xffff) <= half) {
        belowLow += hist[low++] & 0xffff;
      }
      while (belowLow > half) belowLow -= hist[--low] & 0xffff;
      out[y * w + x] = low;
      if (y + 1 === h) continue;
      half = countHigh / 2;
      while (belowHigh + (hist[high] >>> 16) <= half) {
        belowHigh += hist[high++] >>> 16;
      }
      while (belowHigh > half) belowHigh -= hist[--high] >>> 16;
      out[(y + 1) * w + x] = high;
    }
  }
  return out;
}
