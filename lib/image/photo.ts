/**
 * Turns a photo or scan of a digit into the grey ink-on-black image that
 * `preprocess()` expects: dark ink on light, uneven, noisy paper as well as
 * MNIST-style light strokes on black.
 *
 * The ink is found at the picture's full resolution, so that a digit written
 * with a thin pen on a corner of a large page keeps its strokes; only what
 * is broad (which way round the ink is, and the paper's shading) is worked
 * out on a shrunken copy. Steps:
 * 1. grey levels (Rec. 601 luma); transparent pixels are laid over a
 *    background that contrasts with the opaque ones;
 * 2. fine noise: pictures of `BLUR_SIDE` pixels or more a side get a 3x3
 *    mean;
 * 3. a coarse copy, shrunk by an area average to at most `WORK_SIDE`
 *    pixels a side: a stroke one pixel wide fades in it but stays as far
 *    above the (equally averaged) noise as at full resolution;
 * 4. polarity, on the coarse copy: light details (the picture above its
 *    grey opening, a minimum then a maximum filter over square windows of a
 *    quarter of its longer side) and dark details (its closing above the
 *    picture) are summed where they also stand out from the paper, the
 *    median of the same window (ink covers less than half of it), and lie
 *    off the picture's median. Whichever is larger is the ink. The medians
 *    keep paper from counting as ink of the other polarity: the inside of a
 *    loop, or paper that strokes and a shadow's edge enclose; the opening and
 *    closing keep a shadow over half of the page out. Dark ink is inverted,
 *    so that ink is light;
 * 5. uneven paper (lib/image/background.ts): a white top-hat subtracts the
 *    background, the coarse copy's opening (for dark ink, its closing,
 *    inverted), brought back to full resolution by bilinear interpolation:
 *    its window is wider than any pen stroke, so strokes fall through it
 *    while shading and gradients stay in it. Where the shading curves (the
 *    middle of a round shadow) the opening falls short of it, and the median
 *    of the same window lifts it, by at most `MEDIAN_LIFT`. Where the
 *    background steps sharply (the edge of a shadow), the interpolated ramp
 *    would leave a false stroke along the step; there the background is an
 *    opening of the full picture with a window a few coarse pixels wide,
 *    which keeps the step sharp, held between the coarse values around. Dark
 *    ink's top-hat is divided by the paper's brightness (see
 *    `subtractBackground()`), so that ink in a shadow is as strong as in the
 *    light;
 * 6. levels: most pixels are paper however little ink there is, so the
 *    median and spread (MAD) of the top-hat give the paper's level and
 *    noise, then again over the pixels below the clear-ink level (paper plus
 *    six times the noise or `MIN_CONTRAST`, whichever is more), so that a
 *    bold digit filling much of the picture does not widen the noise. The
 *    ink level is the 90th percentile of the clearly inked pixels, however
 *    few: a thin pen on a clean page is ink. No such pixel means no ink.
 *    Levels up to a floor above the noise become 0 and the ink level 255,
 *    with a linear ramp in between, which keeps soft edges. On ruled paper,
 *    the printed lines are then cleared (lib/image/ruling.ts);
 * 7. specks: connected pieces of ink with less than `SPECK_FRACTION` of the
 *    largest piece's ink are removed (a single speck would otherwise widen the
 *    box that the ink is cropped to). When no piece left is `MIN_INK_SIDE`
 *    pixels long, what is left is dust on a blank page: no ink.
 *
 * `extractInk()` returns the ink at the grey picture's size. `photoInk()`
 * then crops it to the box that holds the ink, with a margin
 * (`CROP_MARGIN`), and only then shrinks it, when the box is larger than
 * `MAX_INK_SIDE`; it says where the crop lies in the picture's pixels
 * (`boxInPicture()` maps a box of the crop back).
 *
 * No ink (a blank page, or contrast lost in the noise) gives an all-zero image.
 *
 * @module
 */
import { type Box, inkBox } from "./preprocess.ts";
import {
  blockMeans,
  blurInPlace,
  type GreyLevels,
  medianFilter,
  openAndClose,
  wholeLevel,
} from "./grey_filters.ts";
import { subtractBackground } from "./background.ts";
import { removeRuling } from "./ruling.ts";

export type { GreyLevels };

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

/**
 * The ink of a picture cut out of it: ink-image pixel (i, j) covers the
 * picture's pixels from (x + i * scale, y + j * scale), `scale` of them
 * along each side (fewer at the picture's right and bottom edges).
 */
export interface PlacedInk extends InkImage {
  /** Column of the picture where the ink image starts. */
  x: number;
  /** Row of the picture where the ink image starts. */
  y: number;
  /** Picture pixels per ink-image pixel along each side, a whole number. */
  scale: number;
}

/** Longer side of the coarse copy that polarity and background are found on. */
export const WORK_SIDE = 160;
/**
 * How far above the opening the median may lift the background where the
 * shading curves (step 5 of the module comment), in levels of 255: the
 * depth of the middle of a round shadow, well under the contrast of ink.
 */
const MEDIAN_LIFT = 24;
/** Pictures with a side this long or longer are blurred against fine noise. */
export const BLUR_SIDE = 100;
/** Pieces of ink with less than this part of the largest one's ink are dropped. */
export const SPECK_FRACTION = 0.05;
/** The least difference between ink and paper that counts as ink, of 255. */
export const MIN_CONTRAST = 32;
/** Ink whose every piece is shorter than this, in pixels, is dust, not ink. */
export const MIN_INK_SIDE = 8;
/** Margin kept around the ink's box, a fraction of the box's longer side. */
export const CROP_MARGIN = 0.1;
/** A crop with a longer side than this is shrunk by a whole factor to fit it. */
export const MAX_INK_SIDE = 1024;
/**
 * Levels this close to the picture's median are its paper when polarity is
 * decided (step 4 of the module comment), whatever the windows around say.
 */
const PAPER_SPREAD = 4;

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
  let opaque = true;
  for (let i = 0; i < n; i++) {
    out[i] = 0.299 * data[4 * i] + 0.587 * data[4 * i + 1] +
      0.114 * data[4 * i + 2];
    if (data[4 * i + 3] !== 255) opaque = false;
  }
  if (!opaque) {
    let alphaSum = 0, lumaSum = 0;
    for (let i = 0; i < n; i++) {
      const a = data[4 * i + 3] / 255;
      alphaSum += a;
      lumaSum += a * out[i];
    }
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
  return {
    width: Math.ceil(w / f),
    height: Math.ceil(h / f),
    data: blockMeans(data, w, { x: 0, y: 0, width: w, height: h }, f),
  };
}

/** Histogram of levels 0-255 (rounded, clamped: see `wholeLevel()`). */
function histogram(values: Float32Array): Int32Array {
  const hist = new Int32Array(256);
  for (let i = 0; i < values.length; i++) hist[wholeLevel(values[i])]++;
  return hist;
}

/** The level below which `q` (0-1) of the histogram's count lies. */
function quantile(hist: Int32Array, q: number, from = 0, to = 256): number {
  let total = 0;
  for (let i = from; i < to; i++) total += hist[i];
  let seen = 0;
  for (let i = from; i < to; i++) {
    seen += hist[i];
    if (seen > q * total) return i;
  }
  return to - 1;
}

/**
 * Whether the ink of the coarse picture `g` is darker than its paper (step
 * 4 of the module comment); `open`, `close` and `local` are its opening,
 * closing and median over the same windows.
 */
function inkIsDark(
  g: GreyLevels,
  open: Float32Array,
  close: Float32Array,
  local: Float32Array,
): boolean {
  const { data } = g;
  const global = quantile(histogram(data), 0.5);
  let light = 0, dark = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Math.abs(v - global) <= PAPER_SPREAD) continue;
    const up = Math.min(v - open[i], v - local[i]);
    const down = Math.min(close[i] - v, local[i] - v);
    if (up > 0) light += up * up;
    if (down > 0) dark += down * down;
  }
  return dark > light;
}

/**
 * The paper's level and noise (median, and MAD as a standard deviation) of
 * the levels of `hist` below `to`.
 */
function paperLevel(hist: Int32Array, to: number) {
  const paper = quantile(hist, 0.5, 0, to);
  const deviations = new Int32Array(256);
  for (let i = 0; i < to; i++) deviations[Math.abs(i - paper)] += hist[i];
  return { paper, sigma: 1.4826 * quantile(deviations, 0.5) };
}

/**
 * Sets to zero the 8-connected pieces of ink (pixels above 0) whose ink is
 * less than `fraction` of the largest piece's. Returns the longest side of
 * the boxes of the pieces kept (0 when there are none).
 */
export function removeSpecks(
  image: InkImage,
  fraction = SPECK_FRACTION,
): number {
  const { width: w, height: h, data } = image;
  // The pixels of each piece in turn (`pixels`), the first of piece k at
  // starts[k]; `seen` marks the pixels already in a piece.
  const seen = new Uint8Array(w * h);
  const pixels: number[] = [], starts: number[] = [], masses: number[] = [];
  const sides: number[] = [];
  for (let p = 0; p < w * h; p++) {
    if (data[p] === 0 || seen[p]) continue;
    starts.push(pixels.length);
    let mass = 0, x0 = w, x1 = 0, y0 = h, y1 = 0;
    seen[p] = 1;
    pixels.push(p);
    // The pixels found but not yet looked around are the end of `pixels`.
    for (let next = pixels.length - 1; next < pixels.length; next++) {
      const q = pixels[next];
      mass += data[q];
      const x = q % w, y = (q - x) / w;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let yy = y > 0 ? y - 1 : 0; yy <= y + 1 && yy < h; yy++) {
        for (let xx = x > 0 ? x - 1 : 0; xx <= x + 1 && xx < w; xx++) {
          const nb = yy * w + xx;
          if (data[nb] !== 0 && !seen[nb]) {
            seen[nb] = 1;
            pixels.push(nb);
          }
        }
      }
    }
    masses.push(mass);
    sides.push(Math.max(x1 - x0, y1 - y0) + 1);
  }
  starts.push(pixels.length);
  let largest = 0;
  for (const m of masses) if (m > largest) largest = m;
  const floor = largest * fraction;
  let longest = 0;
  masses.forEach((mass, k) => {
    if (mass >= floor) {
      longest = Math.max(longest, sides[k]);
      return;
    }
    for (let i = starts[k]; i < starts[k + 1]; i++) data[pixels[i]] = 0;
  });
  return longest;
}

/**
 * The ink of a grey picture, light on black, at the picture's size (see the
 * module comment).
 */
export function extractInk(grey: GreyLevels): InkImage {
  return inkInPlace({ ...grey, data: grey.data.slice() });
}

/** `extractInk()`, using `grey`'s data as its own working space. */
function inkInPlace(grey: GreyLevels): InkImage {
  const { width: w, height: h } = grey;
  const n = w * h;
  const out: InkImage = { width: w, height: h, data: new Uint8Array(n) };
  if (n === 0) return out;

  // 2. Fine noise, on pictures large enough that strokes are several pixels
  // wide.
  const v = grey;
  if (Math.max(w, h) >= BLUR_SIDE && Math.min(w, h) >= 2) blurInPlace(v);

  // 3-4. Polarity, on the coarse copy, and the background of the ink made
  // light: the opening, or for dark ink the closing turned over.
  const f = Math.ceil(Math.max(w, h) / WORK_SIDE);
  const coarse = shrink(v);
  const r = Math.max(1, Math.round(Math.max(coarse.width, coarse.height) / 8));
  const { open, close } = openAndClose(coarse, r);
  let background = open;
  const local = medianFilter(coarse, r);
  const dark = inkIsDark(coarse, open, close, local);
  if (dark) {
    background = close;
    for (let i = 0; i < background.length; i++) {
      background[i] = 255 - background[i];
      local[i] = 255 - local[i];
    }
    for (let i = 0; i < n; i++) v.data[i] = 255 - v.data[i];
  }
  // Where the paper's shading curves (the middle of a round shadow), the
  // opening falls short of it; the median of the same window, which thin
  // strokes do not move, follows it: up to MEDIAN_LIFT above the opening.
  for (let i = 0; i < background.length; i++) {
    const lifted = Math.min(local[i], background[i] + MEDIAN_LIFT);
    if (lifted > background[i]) background[i] = lifted;
  }

  // 5. White top-hat, in place: v is now the ink above the paper.
  subtractBackground(
    v,
    { width: coarse.width, height: coarse.height, data: background },
    f,
    dark,
  );

  // 6. Levels: the paper's from all pixels, then from those below the clear
  // ink; the ink's from the clear ink alone.
  const hist = histogram(v.data);
  let { paper, sigma } = paperLevel(hist, 256);
  const clearAbove = () => paper + Math.max(6 * sigma, MIN_CONTRAST);
  ({ paper, sigma } = paperLevel(hist, Math.min(256, Math.ceil(clearAbove()))));
  const clear = Math.ceil(clearAbove());
  if (clear > 255) return out;
  let inked = 0;
  for (let i = clear; i < 256; i++) inked += hist[i];
  if (inked === 0) return out;
  // The bottom of its histogram bin: every pixel in the bin is full ink.
  const ink = quantile(hist, 0.9, clear, 256) - 0.5;
  const floor = paper + Math.max(3.5 * sigma, 0.1 * (ink - paper));
  const scale = 255 / (ink - floor);
  for (let i = 0; i < n; i++) {
    const level = (v.data[i] - floor) * scale;
    out.data[i] = level <= 0 ? 0 : level >= 255 ? 255 : (level + 0.5) | 0;
  }

  // The printed lines of ruled paper.
  removeRuling(out);

  // 7. Specks, and dust: no piece of ink as long as MIN_INK_SIDE.
  if (removeSpecks(out) < MIN_INK_SIDE) out.data.fill(0);
  return out;
}

/**
 * Cuts out of `ink` the box that holds its ink, with a margin of
 * `CROP_MARGIN` of the box's longer side (at least a pixel), clipped to the
 * picture; a cut larger than `MAX_INK_SIDE` is shrunk by the whole factor
 * that fits it, by an area average. Ink with no ink gives a 1x1 blank image
 * at the picture's top-left corner.
 */
export function cropInk(ink: InkImage): PlacedInk {
  const box = inkBox(ink);
  if (box === null) {
    return {
      width: 1,
      height: 1,
      data: new Uint8Array(1),
      x: 0,
      y: 0,
      scale: 1,
    };
  }
  const margin = Math.max(
    1,
    Math.round(CROP_MARGIN * Math.max(box.width, box.height)),
  );
  const x = Math.max(0, box.x - margin), y = Math.max(0, box.y - margin);
  const cut = {
    x,
    y,
    width: Math.min(ink.width, box.x + box.width + margin) - x,
    height: Math.min(ink.height, box.y + box.height + margin) - y,
  };
  const scale = Math.ceil(Math.max(cut.width, cut.height) / MAX_INK_SIDE);
  const width = Math.ceil(cut.width / scale);
  const height = Math.ceil(cut.height / scale);
  const data = new Uint8Array(width * height);
  if (scale === 1) {
    for (let j = 0; j < height; j++) {
      const from = (y + j) * ink.width + x;
      data.set(ink.data.subarray(from, from + width), j * width);
    }
  } else {
    const means = blockMeans(ink.data, ink.width, cut, scale);
    for (let i = 0; i < means.length; i++) {
      // A block with any ink keeps some: a faint stroke stays whole.
      data[i] = means[i] > 0 && means[i] < 1 ? 1 : (means[i] + 0.5) | 0;
    }
  }
  return { width, height, data, x, y, scale };
}

/**
 * The ink of an RGBA photo or scan, cropped to where it lies:
 * `cropInk(extractInk(toGrey(image)))`, without copying the grey levels.
 */
export function photoInk(image: RgbaImage): PlacedInk {
  return cropInk(inkInPlace(toGrey(image)));
}

/**
 * The picture's pixels that `box`, a rectangle of the pixels of `ink`
 * (say the box of a digit found in it), covers: `ink` cut out of a picture
 * `picture.width` x `picture.height`.
 */
export function boxInPicture(
  ink: PlacedInk,
  box: Box,
  picture: { width: number; height: number },
): Box {
  const x = ink.x + box.x * ink.scale, y = ink.y + box.y * ink.scale;
  return {
    x,
    y,
    width: Math.min(picture.width, x + box.width * ink.scale) - x,
    height: Math.min(picture.height, y + box.height * ink.scale) - y,
  };
}
