/**
 * Turns a photo or scan of a digit into the grey ink-on-black image that
 * `preprocess()` expects: dark ink on light, uneven, noisy paper as well as
 * MNIST-style light strokes on black.
 *
 * Steps:
 * 1. grey levels (Rec. 601 luma); transparent pixels are laid over a
 *    background that contrasts with the opaque ones;
 * 2. images over `WORK_SIDE` pixels are shrunk by an area average: the
 *    digit ends up 20 pixels high anyway, and the averaging removes fine noise;
 * 3. polarity: the median is the background (the ink covers less than half of
 *    the picture); when it lies nearer the light end than the dark end, the
 *    picture is inverted so that ink is light;
 * 4. uneven paper: a white top-hat subtracts the background, estimated by a
 *    grey opening (a minimum then a maximum filter) with a square window of a
 *    quarter of the longer side, wider than any pen stroke: strokes fall
 *    through it, shading and gradients stay in it;
 * 5. levels: Otsu's threshold splits paper from ink; the paper's median and
 *    spread (MAD) give the noise, the ink's 90th percentile the ink level;
 *    levels up to a floor above the noise become 0 and the ink level 255,
 *    with a linear ramp in between, which keeps soft edges;
 * 6. specks: connected pieces of ink with less than `SPECK_FRACTION` of the
 *    largest piece's ink are removed (a single speck would otherwise widen the
 *    box that `preprocess()` crops to).
 *
 * No ink (a blank page, or contrast lost in the noise) gives an all-zero image.
 *
 * @module
 */
/**
 * An image decoded to 8-bit RGBA: `width * height * 4` bytes, row-major (the
 * shape lib/native/sdl2_image.ts decodes files to).
 */
export interface RgbaImage {
  width: number;
  height: number;
  /** R, G, B, A bytes of each pixel. */
  data: Uint8Array;
}

/** A grey byte image, row-major, 0 = background, 255 = full ink. */
export interface InkImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A grey image of levels 0-255 as floats, row-major. */
export interface GreyLevels {
  width: number;
  height: number;
  data: Float32Array;
}

/** Longer side that larger pictures are shrunk to before the rest. */
export const WORK_SIDE = 320;
/** Pieces of ink with less than this part of the largest one's ink are dropped. */
export const SPECK_FRACTION = 0.05;
/** The least difference between ink and paper that counts as ink, of 255. */
export const MIN_CONTRAST = 32;

/**
 * Grey levels of an RGBA image. Where pixels are transparent, they are laid
 * over white when the opaque pixels are mostly dark, else over black, so that
 * a digit drawn on a transparent background stands out.
 */
export function toGrey(image: RgbaImage): GreyLevels {
  const { width, height, data } = image;
  const n = width * height;
  if (data.length !== n * 4) {
    throw new RangeError(
      `RGBA data has ${data.length} bytes, ${width}x${height} needs ${n * 4}`,
    );
  }
  const out = new Float32Array(n);
  let alphaSum = 0, lumaSum = 0;
  for (let i = 0; i < n; i++) {
    const luma = 0.299 * data[4 * i] + 0.587 * data[4 * i + 1] +
      0.114 * data[4 * i + 2];
    const a = data[4 * i + 3] / 255;
    out[i] = luma;
    alphaSum += a;
    lumaSum += a * luma;
  }
  if (alphaSum < n) {
    const under = alphaSum > 0 && lumaSum / alphaSum < 128 ? 255 : 0;
    for (let i = 0; i < n; i++) {
      const a = data[4 * i + 3] / 255;
      out[i] = a * out[i] + (1 - a) * under;
    }
  }
  return { width, height, data: out };
}

/**
 * Shrinks `image` by the whole factor that brings its longer side to at most
 * `side`, each output pixel the mean of its block.
 */
export function shrink(image: GreyLevels, side = WORK_SIDE): GreyLevels {
  const { width: w, height: h, data } = image;
  const f = Math.ceil(Math.max(w, h) / side);
  if (f <= 1) return image;
  const w2 = Math.ceil(w / f), h2 = Math.ceil(h / f);
  const sum = new Float32Array(w2 * h2);
  const count = new Float32Array(w2 * h2);
  for (let y = 0; y < h; y++) {
    const row = Math.floor(y / f) * w2;
    for (let x = 0; x < w; x++) {
      const k = row + Math.floor(x / f);
      sum[k] += data[y * w + x];
      count[k]++;
    }
  }
  for (let k = 0; k < sum.length; k++) sum[k] /= count[k];
  return { width: w2, height: h2, data: sum };
}

/**
 * Running minimum over windows of 2r+1 values along lines of `src`: `lines`
 * lines of `n` values `stride` apart, line l starting at `l * lineStep`.
 * van Herk / Gil-Werman: two passes over blocks of 2r+1, so the cost does not
 * grow with r. Windows are cut at the ends of a line.
 */
function runningMin(
  src: Float32Array,
  dst: Float32Array,
  lines: number,
  lineStep: number,
  n: number,
  stride: number,
  r: number,
) {
  const k = 2 * r + 1;
  // g: minimum from the start of each block; h: to the end of each block.
  const g = new Float32Array(n), h = new Float32Array(n);
  for (let l = 0; l < lines; l++) {
    const start = l * lineStep;
    for (let i = 0; i < n; i++) {
      const v = src[start + i * stride];
      g[i] = i % k === 0 || v < g[i - 1] ? v : g[i - 1];
    }
    for (let i = n - 1; i >= 0; i--) {
      const v = src[start + i * stride];
      h[i] = i === n - 1 || i % k === k - 1 || v < h[i + 1] ? v : h[i + 1];
    }
    for (let i = 0; i < n; i++) {
      // A window cut by the start lies in the first block: g alone covers it.
      const b = g[i + r >= n ? n - 1 : i + r];
      const a = i < r ? b : h[i - r];
      dst[start + i * stride] = a < b ? a : b;
    }
  }
}

/**
 * Minimum (or, with `max`, maximum) filter over square windows of side 2r+1,
 * cut at the edges. The maximum is the minimum of the negated picture.
 */
export function squareFilter(
  image: GreyLevels,
  r: number,
  max: boolean,
): GreyLevels {
  const { width: w, height: h } = image;
  const data = max ? image.data.map((v) => -v) : image.data;
  const rows = new Float32Array(w * h), out = new Float32Array(w * h);
  runningMin(data, rows, h, w, w, 1, r);
  runningMin(rows, out, w, 1, h, w, r);
  if (max) { for (let i = 0; i < out.length; i++) out[i] = -out[i]; }
  return { width: w, height: h, data: out };
}

/** Mean over 3x3 windows (cut at the edges). */
function blur3(image: GreyLevels): GreyLevels {
  const { width: w, height: h, data } = image;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0, count = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          sum += data[yy * w + xx];
          count++;
        }
      }
      out[y * w + x] = sum / count;
    }
  }
  return { width: w, height: h, data: out };
}

/** Histogram of levels 0-255 (rounded, clamped). */
function histogram(values: Float32Array): Float64Array {
  const hist = new Float64Array(256);
  for (const v of values) hist[v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v)]++;
  return hist;
}

/** The level below which `q` (0-1) of the histogram's count lies. */
function quantile(hist: Float64Array, q: number, from = 0, to = 256): number {
  let total = 0;
  for (let i = from; i < to; i++) total += hist[i];
  let seen = 0;
  for (let i = from; i < to; i++) {
    seen += hist[i];
    if (seen > q * total) return i;
  }
  return to - 1;
}

/** Otsu's threshold: levels >= t are the second class. */
export function otsu(hist: Float64Array): number {
  let total = 0, sumAll = 0;
  for (let i = 0; i < 256; i++) {
    total += hist[i];
    sumAll += i * hist[i];
  }
  let best = 1, bestScore = -1, w0 = 0, sum0 = 0;
  for (let t = 1; t < 256; t++) {
    w0 += hist[t - 1];
    sum0 += (t - 1) * hist[t - 1];
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const d = sum0 / w0 - (sumAll - sum0) / w1;
    const score = w0 * w1 * d * d;
    if (score > bestScore) {
      bestScore = score;
      best = t;
    }
  }
  return best;
}

/**
 * Sets to zero the 8-connected pieces of ink (pixels above 0) whose ink is
 * less than `fraction` of the largest piece's.
 */
export function removeSpecks(image: InkImage, fraction = SPECK_FRACTION) {
  const { width: w, height: h, data } = image;
  const label = new Int32Array(w * h).fill(-1);
  const masses: number[] = [];
  const stack: number[] = [];
  for (let p = 0; p < w * h; p++) {
    if (data[p] === 0 || label[p] >= 0) continue;
    const id = masses.length;
    let mass = 0;
    label[p] = id;
    stack.push(p);
    while (stack.length) {
      const q = stack.pop()!;
      mass += data[q];
      const x = q % w, y = (q - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const nb = yy * w + xx;
          if (data[nb] !== 0 && label[nb] < 0) {
            label[nb] = id;
            stack.push(nb);
          }
        }
      }
    }
    masses.push(mass);
  }
  let largest = 0;
  for (const m of masses) if (m > largest) largest = m;
  const floor = largest * fraction;
  for (let p = 0; p < w * h; p++) {
    if (label[p] >= 0 && masses[label[p]] < floor) data[p] = 0;
  }
}

/** The ink of a grey picture, light on black (see the module comment). */
export function extractInk(grey: GreyLevels): InkImage {
  let image = shrink(grey);
  const { width: w, height: h } = image;
  const n = w * h;
  const out: InkImage = { width: w, height: h, data: new Uint8Array(n) };

  // 3. Polarity: make the ink light.
  const hist = histogram(image.data);
  const median = quantile(hist, 0.5);
  const dark = quantile(hist, 0.01), light = quantile(hist, 0.99);
  if (median - dark > light - median) {
    const inverted = new Float32Array(n);
    for (let i = 0; i < n; i++) inverted[i] = 255 - image.data[i];
    image = { width: w, height: h, data: inverted };
  }
  // Fine noise, on pictures large enough that strokes are several pixels wide.
  if (Math.max(w, h) >= 100) image = blur3(image);

  // 4. White top-hat: the picture less its opening.
  const r = Math.max(1, Math.round(Math.max(w, h) / 8));
  const top = new Float32Array(n);
  {
    // The opening runs on the picture extended by 2r on each side, by odd
    // reflection (f(-x) = 2 f(0) - f(x)), which keeps shading that changes
    // linearly across a border: windows cut by the border would not.
    const p = 2 * r, pw = w + 2 * p, ph = h + 2 * p;
    const padded = new Float32Array(pw * ph);
    const reflect = (i: number, size: number) =>
      i < 0 ? [0, -i] : i >= size ? [size - 1, 2 * (size - 1) - i] : [i, i];
    for (let y = 0; y < ph; y++) {
      const [y0, y1] = reflect(
        Math.min(Math.max(y - p, -(h - 1)), 2 * (h - 1)),
        h,
      );
      for (let x = 0; x < pw; x++) {
        const [x0, x1] = reflect(
          Math.min(Math.max(x - p, -(w - 1)), 2 * (w - 1)),
          w,
        );
        const d = image.data;
        // f(x, y) by odd reflection in x, then in y.
        const fx = (yy: number) => 2 * d[yy * w + x0] - d[yy * w + x1];
        padded[y * pw + x] = 2 * fx(y0) - fx(y1);
      }
    }
    const bg = squareFilter(
      squareFilter({ width: pw, height: ph, data: padded }, r, false),
      r,
      true,
    ).data;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = image.data[y * w + x] - bg[(y + p) * pw + x + p];
        top[y * w + x] = v > 0 ? v : 0;
      }
    }
  }

  // 5. Levels: paper (below Otsu's threshold) gives the noise, ink the level.
  const topHist = histogram(top);
  const t = otsu(topHist);
  const paper = quantile(topHist, 0.5, 0, t);
  const deviations = new Float64Array(256);
  for (let i = 0; i < t; i++) deviations[Math.abs(i - paper)] += topHist[i];
  const sigma = 1.4826 * quantile(deviations, 0.5);
  const ink = quantile(topHist, 0.9, t, 256);
  const contrast = ink - paper;
  if (contrast < Math.max(MIN_CONTRAST, 6 * sigma)) return out;
  const floor = paper + Math.max(3.5 * sigma, 0.1 * contrast);
  const scale = 255 / (ink - floor);
  for (let i = 0; i < n; i++) {
    const v = (top[i] - floor) * scale;
    out.data[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }

  // 6. Specks.
  removeSpecks(out);
  return out;
}

/** The ink of an RGBA photo or scan: `extractInk(toGrey(image))`. */
export function photoInk(image: RgbaImage): InkImage {
  return extractInk(toGrey(image));
}
