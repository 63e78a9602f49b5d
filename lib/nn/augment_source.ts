/**
 * Training images prepared for distortion (lib/nn/augment.ts): each image's
 * box of ink, and its grey-level dilation and erosion by a 3x3 square. Made
 * once per data set, these turn the per-image work of a distortion into one
 * pass over the ink, and a pen change into a blend of two images.
 *
 * @module
 */
import { PIXELS, SIDE } from "../data/mnist.ts";

/**
 * A set of images prepared for distortion: each image's bounding box of ink,
 * and its grey-level dilation and erosion by a 3x3 square. Made once per data
 * set, these turn the per-image work into one pass over the ink.
 */
export interface AugmentSource {
  /** `count` images of 784 bytes. */
  images: Uint8Array;
  count: number;
  /** (count, 4): first row, last row, first column, last column of ink; first > last for a blank image. */
  boxes: Uint8Array;
  /** The images' 3x3 grey-level dilations (bolder strokes). */
  dilated: Uint8Array;
  /** The images' 3x3 grey-level erosions (thinner strokes). */
  eroded: Uint8Array;
}

/**
 * Prepares `images` (784 bytes each) for `Augmenter.distort()`, which reads
 * them where they are. `bytes` makes the arrays of what is computed here (by
 * default plain `Uint8Array`s), so that a caller can have them made in the
 * memory it needs.
 */
export function augmentSource(
  images: Uint8Array,
  bytes: (n: number) => Uint8Array = (n) => new Uint8Array(n),
): AugmentSource {
  if (images.length % PIXELS !== 0) {
    throw new RangeError(
      `augmentSource: ${images.length} bytes are not whole ${PIXELS}-pixel images`,
    );
  }
  const count = images.length / PIXELS;
  const boxes = bytes(count * 4);
  const dilated = bytes(images.length);
  const eroded = bytes(images.length);
  const rowMax = new Uint8Array(PIXELS), rowMin = new Uint8Array(PIXELS);
  const max3 = (a: number, b: number, c: number) =>
    a > b ? (a > c ? a : c) : (b > c ? b : c);
  const min3 = (a: number, b: number, c: number) =>
    a < b ? (a < c ? a : c) : (b < c ? b : c);
  for (let n = 0; n < count; n++) {
    const o = n * PIXELS;
    // Along rows: the max and min of each pixel and its two neighbours, with
    // zeros beyond the edge (so the edge pixels' minimum is zero).
    for (let i = 0; i < PIXELS; i += SIDE) {
      const r = o + i;
      rowMax[i] = Math.max(images[r], images[r + 1]);
      rowMin[i] = 0;
      for (let x = 1; x < SIDE - 1; x++) {
        const a = images[r + x - 1], b = images[r + x], c = images[r + x + 1];
        rowMax[i + x] = max3(a, b, c);
        rowMin[i + x] = min3(a, b, c);
      }
      rowMax[i + SIDE - 1] = Math.max(
        images[r + SIDE - 2],
        images[r + SIDE - 1],
      );
      rowMin[i + SIDE - 1] = 0;
    }
    // Along columns, and the ink box from the rows' maxima.
    let y0 = SIDE, y1 = -1, x0 = SIDE, x1 = -1;
    for (let y = 0; y < SIDE; y++) {
      const i = y * SIDE;
      for (let x = 0; x < SIDE; x++) {
        const k = i + x;
        const up = y > 0 ? k - SIDE : -1, down = y < SIDE - 1 ? k + SIDE : -1;
        dilated[o + k] = max3(
          up < 0 ? 0 : rowMax[up],
          rowMax[k],
          down < 0 ? 0 : rowMax[down],
        );
        eroded[o + k] = up < 0 || down < 0
          ? 0
          : min3(rowMin[up], rowMin[k], rowMin[down]);
      }
      let any = 0;
      for (let x = 0; x < SIDE; x++) any |= images[o + i + x];
      if (any !== 0) {
        if (y0 === SIDE) y0 = y;
        y1 = y;
        let x = 0;
        while (images[o + i + x] === 0) x++;
        if (x < x0) x0 = x;
        x = SIDE - 1;
        while (images[o + i + x] === 0) x--;
        if (x > x1) x1 = x;
      }
    }
    const box = n * 4;
    if (y1 < 0) {
      boxes[box] = 1; // first > last: blank
    } else {
      boxes[box] = y0;
      boxes[box + 1] = y1;
      boxes[box + 2] = x0;
      boxes[box + 3] = x1;
    }
  }
  return { images, count, boxes, dilated, eroded };
}
