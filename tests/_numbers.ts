/**
 * Numbers made of digit images, for checking how the ink of a page splits
 * into digits: MNIST digits scaled up, sample drawings drawn at a height,
 * laid side by side with a chosen gap (negative: overlapping) on one image.
 *
 * @module
 */
import { SIDE } from "../lib/data/mnist.ts";
import { type Box, type GreyImage, inkBox } from "../lib/image/preprocess.ts";
import {
  Canvas,
  CANVAS_SIDE,
  DEFAULT_RADIUS,
  replay,
} from "../lib/image/canvas.ts";
import type { Strokes } from "./_sample_drawings.ts";

/** A grey image of ink amounts 0..1. */
export interface FloatImage extends GreyImage {
  readonly data: Float32Array;
}

/**
 * A 28x28 MNIST image (bytes) scaled up `scale` times by bilinear
 * interpolation between pixel centres, as ink amounts 0..1.
 */
export function upscale(pixels: Uint8Array, scale: number): FloatImage {
  const side = Math.round(SIDE * scale);
  // Source pixel left of (above) each output column (row), and the weight
  // of the one after it; -1 and SIDE - 1 stand for the blank border.
  const from = new Int32Array(side), weight = new Float32Array(side);
  for (let i = 0; i < side; i++) {
    const s = (i + 0.5) / scale - 0.5;
    from[i] = Math.floor(s);
    weight[i] = s - from[i];
  }
  const at = (row: Float32Array, i: number) =>
    i < 0 || i >= row.length ? 0 : row[i];
  // Rows first: (SIDE, side).
  const rows = new Float32Array(SIDE * side);
  for (let y = 0; y < SIDE; y++) {
    const src = Float32Array.from(
      pixels.subarray(y * SIDE, (y + 1) * SIDE),
      (v) => v / 255,
    );
    for (let x = 0; x < side; x++) {
      rows[y * side + x] = at(src, from[x]) * (1 - weight[x]) +
        at(src, from[x] + 1) * weight[x];
    }
  }
  const data = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    const y0 = from[y], fy = weight[y];
    for (let x = 0; x < side; x++) {
      const a = y0 < 0 ? 0 : rows[y0 * side + x];
      const b = y0 + 1 >= SIDE ? 0 : rows[(y0 + 1) * side + x];
      data[y * side + x] = a * (1 - fy) + b * fy;
    }
  }
  return { width: side, height: side, data };
}

/**
 * A sample drawing drawn `height` canvas pixels tall on a default canvas,
 * with the default brush or one of `radius`.
 */
export function drawn(
  strokes: Strokes,
  height: number,
  radius = DEFAULT_RADIUS,
): FloatImage {
  const canvas = new Canvas(CANVAS_SIDE, CANVAS_SIDE, { radius });
  let x0 = Infinity, x1 = -Infinity;
  for (const [x] of strokes.flat()) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
  }
  replay(
    canvas,
    strokes.map((line) => ({
      tool: "ink" as const,
      radius,
      points: line.flat(),
    })),
    {
      scale: height,
      dx: CANVAS_SIDE / 2 - height * (x0 + x1) / 2,
      dy: (CANVAS_SIDE - height) / 2,
      radius: () => radius,
    },
  );
  return { width: canvas.width, height: canvas.height, data: canvas.data };
}

/** The part of `image` inside `box`. */
export function crop(image: FloatImage, box: Box): FloatImage {
  const data = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.y + y) * image.width + box.x;
    data.set(image.data.subarray(from, from + box.width), y * box.width);
  }
  return { width: box.width, height: box.height, data };
}

/** A number laid out by `compose()`. */
export interface NumberImage {
  image: FloatImage;
  /** Each digit's ink box in the image, left to right. */
  boxes: Box[];
  /** Each digit's ink alone, image-sized. */
  layers: Float32Array[];
}

/**
 * Lays the ink of `digits` side by side, left to right, each digit's ink
 * box centred on one horizontal line, `gap` pixels between consecutive
 * boxes (one value, or one per pair; negative overlaps them), inside a
 * `margin` of empty pixels. Where ink overlaps, the larger amount wins.
 */
export function compose(
  digits: readonly FloatImage[],
  { gap = 40, touch, margin = 30 }: {
    gap?: number | readonly number[];
    touch?: number;
    margin?: number;
  } = {},
): NumberImage {
  const inks = digits.map((d) => {
    const box = inkBox(d);
    if (box === null) throw new RangeError("compose: a digit holds no ink");
    return crop(d, box);
  });
  const tallest = Math.max(...inks.map((d) => d.height));
  const tops = inks.map((d) => margin + Math.floor((tallest - d.height) / 2));
  const gaps = inks.slice(1).map((_, i) =>
    touch !== undefined
      ? touchingGap(inks[i], tops[i], inks[i + 1], tops[i + 1], touch)
      : typeof gap === "number"
      ? gap
      : gap[i]
  );
  const xs: number[] = [];
  let x = margin;
  for (let i = 0; i < inks.length; i++) {
    xs.push(x);
    x += inks[i].width + (gaps[i] ?? 0);
  }
  const width = Math.max(...inks.map((d, i) => xs[i] + d.width)) + margin;
  const height = tallest + 2 * margin;
  const data = new Float32Array(width * height);
  const layers = inks.map(() => new Float32Array(width * height));
  const boxes = inks.map((d, i) => {
    const box = { x: xs[i], y: tops[i], width: d.width, height: d.height };
    for (let r = 0; r < d.height; r++) {
      for (let c = 0; c < d.width; c++) {
        const k = (box.y + r) * width + box.x + c;
        layers[i][k] = d.data[r * d.width + c];
        data[k] = Math.max(data[k], layers[i][k]);
      }
    }
    return box;
  });
  return { image: { width, height, data }, boxes, layers };
}

/**
 * The gap between the boxes of `left` and `right` (ink boxes, their tops at
 * rows `leftTop` and `rightTop`) at which their strokes (half ink or more)
 * overlap by `overlap` pixels where they come closest; 0 just touches.
 */
function touchingGap(
  left: FloatImage,
  leftTop: number,
  right: FloatImage,
  rightTop: number,
  overlap: number,
): number {
  let closest = Infinity;
  const top = Math.max(leftTop, rightTop);
  const bottom = Math.min(leftTop + left.height, rightTop + right.height);
  for (let y = top; y < bottom; y++) {
    const a = left.data.subarray(
      (y - leftTop) * left.width,
      (y - leftTop + 1) * left.width,
    );
    const b = right.data.subarray(
      (y - rightTop) * right.width,
      (y - rightTop + 1) * right.width,
    );
    const last = a.findLastIndex((v) => v >= 0.5);
    const first = b.findIndex((v) => v >= 0.5);
    if (last < 0 || first < 0) continue;
    // Columns between the two strokes in this row, with the boxes adjacent.
    closest = Math.min(closest, left.width - 1 - last + first);
  }
  if (closest === Infinity) throw new RangeError("compose: digits never meet");
  return -closest - overlap;
}

/** `image` as bytes 0..255. */
export function toBytes(image: FloatImage): GreyImage {
  return {
    width: image.width,
    height: image.height,
    data: Uint8Array.from(image.data, (v) => Math.round(v * 255)),
  };
}

/**
 * True when the ink (above `floor`) of two digits of `number` meets:
 * pixels of different digits side by side or diagonal.
 */
export function touches(number: NumberImage, floor = 0.05): boolean {
  const { width: w, height: h } = number.image;
  const owner = new Int8Array(w * h).fill(-1);
  for (const [i, layer] of number.layers.entries()) {
    for (let k = 0; k < w * h; k++) {
      if (layer[k] <= floor) continue;
      if (owner[k] >= 0 && owner[k] !== i) return true;
      owner[k] = i;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = owner[y * w + x];
      if (o < 0) continue;
      for (let dy = 0; dy <= 1 && y + dy < h; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const n = (y + dy) * w + x + dx;
          if (x + dx < 0 || x + dx >= w || (dy === 0 && dx <= 0)) continue;
          if (owner[n] >= 0 && owner[n] !== o) return true;
        }
      }
    }
  }
  return false;
}
