/**
 * The paper's shading taken away from a photo's ink (step 5 of
 * lib/image/photo.ts's module comment): a white top-hat whose background is
 * a coarse estimate brought back to full resolution by bilinear
 * interpolation, refined at full resolution where it steps sharply (the
 * edge of a shadow), and, for dark ink, ink in a shadow made as strong as
 * ink in the light.
 *
 * @module
 */
import {
  type GreyLevels,
  innerOpeningInPlace,
  padOdd,
  squareFilter,
} from "./grey_filters.ts";

/**
 * Where neighbouring coarse background values differ by more than this, the
 * background is refined at full resolution.
 */
const BACKGROUND_STEP = 8;
/** How many times a shadow's ink is strengthened at most (see `subtractBackground()`). */
const MAX_GAIN = 4;

/**
 * Subtracts from `v` (the full picture, ink light) its background, which
 * `coarse` (`f` times smaller) estimates, and keeps what is above it: the white top-hat, in place. For dark ink on
 * paper (`dark`), the top-hat is then divided by the paper's brightness
 * (255 less the background) relative to the brightest paper's, up to
 * `MAX_GAIN` times: ink and paper in a shadow are both darker, and their
 * difference shrinks with the light.
 */
export function subtractBackground(
  v: GreyLevels,
  coarse: GreyLevels,
  f: number,
  dark: boolean,
) {
  const { width: w, height: h, data } = v;
  const cw = coarse.width, ch = coarse.height;
  let brightest = 0;
  for (let i = 0; i < coarse.data.length; i++) {
    brightest = Math.max(brightest, 255 - coarse.data[i]);
  }
  const least = brightest / MAX_GAIN;

  // Where a coarse pixel's centre lies: between columns i0 and i1 = i0 + 1
  // at fraction `frac` (and the same for rows).
  const axis = (size: number, coarseSize: number) => {
    const i0 = new Int32Array(size), i1 = new Int32Array(size);
    const frac = new Float32Array(size);
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / f - 0.5;
      const i = Math.min(Math.max(Math.floor(u), 0), coarseSize - 1);
      i0[x] = i;
      i1[x] = Math.min(i + 1, coarseSize - 1);
      frac[x] = Math.min(Math.max(u - i, 0), 1);
    }
    return { i0, i1, frac };
  };
  const cols = axis(w, cw), rows = axis(h, ch);

  // The background may step sharply between coarse pixels (a shadow's
  // edge): there, in the cells between coarse pixels whose 3x3
  // neighbourhoods differ by more than BACKGROUND_STEP, it is an opening of
  // the full picture with a window wider than a thin stroke, which keeps the
  // step sharp, held between the lowest and highest coarse values around
  // (they bound it where strokes are wider than its window).
  const lo = squareFilter(coarse, 1, false).data;
  const hi = squareFilter(coarse, 1, true).data;
  const cellLo = new Float32Array(cw * ch), cellHi = new Float32Array(cw * ch);
  let x0 = w, x1 = -1, y0 = h, y1 = -1;
  for (let j = 0; j < ch; j++) {
    const jj = Math.min(j + 1, ch - 1);
    for (let i = 0; i < cw; i++) {
      const ii = Math.min(i + 1, cw - 1), c = j * cw + i;
      cellLo[c] = Math.min(
        lo[c],
        lo[j * cw + ii],
        lo[jj * cw + i],
        lo[jj * cw + ii],
      );
      cellHi[c] = Math.max(
        hi[c],
        hi[j * cw + ii],
        hi[jj * cw + i],
        hi[jj * cw + ii],
      );
      if (cellHi[c] - cellLo[c] <= BACKGROUND_STEP) continue;
      // The full picture's pixels of the cell (see `axis`).
      x0 = Math.min(x0, i === 0 ? 0 : Math.floor(f * (i + 0.5)));
      x1 = Math.max(x1, i === cw - 1 ? w - 1 : Math.ceil(f * (i + 1.5)));
      y0 = Math.min(y0, j === 0 ? 0 : Math.floor(f * (j + 0.5)));
      y1 = Math.max(y1, j === ch - 1 ? h - 1 : Math.ceil(f * (j + 1.5)));
    }
  }
  const s = 2 * f + 1;
  x1 = Math.min(x1, w - 1);
  y1 = Math.min(y1, h - 1);
  const box = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  const fine = x1 >= 0 && f > 1
    ? innerOpeningInPlace(padOdd(v, 2 * s, box), s)
    : null;

  const row = new Float32Array(cw), bg = new Float32Array(w);
  for (let y = 0; y < h; y++) {
    const a = rows.i0[y] * cw, b = rows.i1[y] * cw, fy = rows.frac[y];
    for (let i = 0; i < cw; i++) {
      row[i] = coarse.data[a + i] * (1 - fy) + coarse.data[b + i] * fy;
    }
    for (let x = 0; x < w; x++) {
      const i0 = cols.i0[x];
      bg[x] = row[i0] + (row[cols.i1[x]] - row[i0]) * cols.frac[x];
    }
    if (fine && y >= y0 && y <= y1) {
      const from = (y - y0) * fine.width - x0;
      for (let x = x0; x <= x1; x++) {
        const c = a + cols.i0[x], l = cellLo[c], u = cellHi[c];
        if (u - l <= BACKGROUND_STEP) continue;
        const b = fine.data[from + x];
        bg[x] = b < l ? l : b > u ? u : b;
      }
    }
    // What is above the background: (t + |t|) / 2 is t where t > 0, else
    // 0, exactly and without a branch, which the paper's noise would
    // mispredict.
    const k = y * w;
    if (dark) {
      for (let x = 0; x < w; x++) {
        const b = bg[x], t = data[k + x] - b;
        data[k + x] = 0.5 * (t + Math.abs(t)) * brightest /
          Math.max(255 - b, least);
      }
    } else {
      for (let x = 0; x < w; x++) {
        const t = data[k + x] - bg[x];
        data[k + x] = 0.5 * (t + Math.abs(t));
      }
    }
  }
}
