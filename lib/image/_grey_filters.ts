/**
 * Filters over grey pictures of float levels for lib/image/photo.ts:
 * minimum and maximum over square windows (van Herk / Gil-Werman, whatever
 * the window's size), the grey opening and closing with whole windows at the
 * borders, a running median, a 3x3 mean and block means.
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
 * Running minimum over windows of 2r+1 along each of the `h` rows of `w`
 * values of `data`, in place; windows are cut at the ends of a row.
 * van Herk / Gil-Werman: the row is cut into blocks of 2r+1, and each window
 * is the minimum of a suffix of one block (`after`) and a prefix of the next
 * (`before`), so the cost does not grow with r. A window cut by the start of
 * the row is a prefix of the first block; one cut by the end, a suffix of
 * the last block or a suffix and the whole last block.
 */
function minAlongRows(data: Float32Array, w: number, h: number, r: number) {
  const k = 2 * r + 1, last = Math.floor((w - 1) / k) * k;
  const before = new Float32Array(w), after = new Float32Array(w);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let b = 0; b < w; b += k) {
      const e = Math.min(b + k, w);
      let m = data[row + b];
      before[b] = m;
      for (let i = b + 1; i < e; i++) {
        const v = data[row + i];
        if (v < m) m = v;
        before[i] = m;
      }
      m = data[row + e - 1];
      after[e - 1] = m;
      for (let i = e - 2; i >= b; i--) {
        const v = data[row + i];
        if (v < m) m = v;
        after[i] = m;
      }
    }
    for (let i = 0; i < w; i++) {
      const b = before[i + r < w ? i + r : w - 1];
      if (i < r) {
        data[row + i] = b;
      } else {
        const a = after[i - r];
        data[row + i] = i + r >= w && i - r >= last ? a : a < b ? a : b;
      }
    }
  }
}

/** Columns that `minAlongColumns()` works on at a time. */
const STRIP = 64;

/**
 * As `minAlongRows()`, down the columns: the same blocks, with strips of
 * `STRIP` columns as the values, so that memory is read in order.
 */
function minAlongColumns(data: Float32Array, w: number, h: number, r: number) {
  const k = 2 * r + 1, last = Math.floor((h - 1) / k) * k;
  const before = new Float32Array(h * Math.min(w, STRIP));
  const after = new Float32Array(before.length);
  for (let x0 = 0; x0 < w; x0 += STRIP) {
    const sw = Math.min(STRIP, w - x0);
    for (let b = 0; b < h; b += k) {
      const e = Math.min(b + k, h);
      for (let x = 0; x < sw; x++) before[b * sw + x] = data[b * w + x0 + x];
      for (let y = b + 1; y < e; y++) {
        const s = y * w + x0, t = y * sw;
        for (let x = 0; x < sw; x++) {
          const v = data[s + x], m = before[t - sw + x];
          before[t + x] = v < m ? v : m;
        }
      }
      for (let x = 0; x < sw; x++) {
        after[(e - 1) * sw + x] = data[(e - 1) * w + x0 + x];
      }
      for (let y = e - 2; y >= b; y--) {
        const s = y * w + x0, t = y * sw;
        for (let x = 0; x < sw; x++) {
          const v = data[s + x], m = after[t + sw + x];
          after[t + x] = v < m ? v : m;
        }
      }
    }
    for (let y = 0; y < h; y++) {
      const bt = (y + r < h ? y + r : h - 1) * sw, d = y * w + x0;
      if (y < r) {
        for (let x = 0; x < sw; x++) data[d + x] = before[bt + x];
      } else if (y + r >= h && y - r >= last) {
        const at = (y - r) * sw;
        for (let x = 0; x < sw; x++) data[d + x] = after[at + x];
      } else {
        const at = (y - r) * sw;
        for (let x = 0; x < sw; x++) {
          const a = after[at + x], b = before[bt + x];
          data[d + x] = a < b ? a : b;
        }
      }
    }
  }
}

function negate(data: Float32Array): Float32Array {
  for (let i = 0; i < data.length; i++) data[i] = -data[i];
  return data;
}

/**
 * Minimum (or, with `max`, maximum) filter of `data` (`h` rows of `w`) over
 * square windows of side 2r+1, cut at the edges, in place. The maximum is
 * the minimum of the negated picture.
 */
export function filterInPlace(
  data: Float32Array,
  w: number,
  h: number,
  r: number,
  max: boolean,
) {
  if (max) negate(data);
  minAlongRows(data, w, h, r);
  minAlongColumns(data, w, h, r);
  if (max) negate(data);
}

/**
 * Minimum (or, with `max`, maximum) filter over square windows of side 2r+1,
 * cut at the edges.
 */
export function squareFilter(
  image: GreyLevels,
  r: number,
  max: boolean,
): GreyLevels {
  const { width: w, height: h } = image;
  const data = image.data.slice();
  filterInPlace(data, w, h, r, max);
  return { width: w, height: h, data };
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

/** The middle of `padded` that `padOdd(image, p)` made. */
function unpad(padded: GreyLevels, p: number): Float32Array {
  const w = padded.width - 2 * p, h = padded.height - 2 * p;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const from = (y + p) * padded.width + p;
    out.set(padded.data.subarray(from, from + w), y * w);
  }
  return out;
}

/**
 * The grey opening (a minimum, then a maximum filter, over square windows
 * of side 2r+1) and closing (a maximum, then a minimum) of `image`, each
 * window whole: they run on the picture extended by 2r on each side.
 */
export function openAndClose(image: GreyLevels, r: number) {
  const open = padOdd(image, 2 * r);
  const { width: pw, height: ph } = open;
  const close = { width: pw, height: ph, data: open.data.slice() };
  filterInPlace(open.data, pw, ph, r, false);
  filterInPlace(open.data, pw, ph, r, true);
  filterInPlace(close.data, pw, ph, r, true);
  filterInPlace(close.data, pw, ph, r, false);
  return { open: unpad(open, 2 * r), close: unpad(close, 2 * r) };
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
 * of `image` rounded to whole levels. Huang's running histogram: sliding the
 * window along a row takes one column out and puts one in.
 */
export function medianFilter(image: GreyLevels, r: number): Float32Array {
  const { width: w, height: h, data } = image;
  const level = new Uint8Array(w * h);
  for (let i = 0; i < level.length; i++) {
    const v = data[i];
    level[i] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
  }
  const out = new Float32Array(w * h);
  const hist = new Int32Array(256);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(h - 1, y + r);
    hist.fill(0);
    // `med` is the window's median: `below` of its `count` values lie under
    // it, fewer than half, and at least half lie at or under it.
    let med = 0, below = 0, count = 0;
    const slide = (x: number, add: 1 | -1) => {
      if (x < 0 || x >= w) return;
      for (let yy = y0; yy <= y1; yy++) {
        const v = level[yy * w + x];
        hist[v] += add;
        if (v < med) below += add;
      }
      count += add * (y1 - y0 + 1);
    };
    for (let x = 0; x < r; x++) slide(x, 1);
    for (let x = 0; x < w; x++) {
      slide(x + r, 1);
      slide(x - r - 1, -1);
      const half = count / 2;
      while (below + hist[med] <= half) below += hist[med++];
      while (below > half) below -= hist[--med];
      out[y * w + x] = med;
    }
  }
  return out;
}
