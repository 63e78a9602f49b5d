/**
 * The elastic displacement fields of the distortions (lib/nn/augment.ts), as
 * Simard, Steinkraus and Platt (2003) make them: uniform noise smoothed by a
 * Gaussian.
 *
 * @module
 */
import { PIXELS, SIDE } from "../data/mnist.ts";
import type { Random } from "../random.ts";

/**
 * Elastic displacement fields: `count` fields of (2, 28, 28), uniform noise in
 * -1..1 smoothed by a Gaussian of `sigma` pixels (zero outside the image, as in
 * Simard et al.), each scaled to an RMS displacement of one pixel so that alpha
 * reads in pixels whatever sigma is.
 */
export function elasticFields(
  count: number,
  sigma: number,
  rng: Random,
): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = Float64Array.from(
    { length: 2 * radius + 1 },
    (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const fields = new Float32Array(count * 2 * PIXELS);
  const noise = new Float64Array(PIXELS);
  const rows = new Float64Array(PIXELS);
  const smooth = new Float64Array(PIXELS);
  for (let f = 0; f < count * 2; f++) {
    for (let i = 0; i < PIXELS; i++) noise[i] = rng.next() * 2 - 1;
    // Separable Gaussian: along rows, then along columns.
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        let s = 0;
        for (let k = -radius; k <= radius; k++) {
          const xx = x + k;
          if (xx >= 0 && xx < SIDE) {
            s += kernel[k + radius] * noise[y * SIDE + xx];
          }
        }
        rows[y * SIDE + x] = s;
      }
    }
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        let s = 0;
        for (let k = -radius; k <= radius; k++) {
          const yy = y + k;
          if (yy >= 0 && yy < SIDE) {
            s += kernel[k + radius] * rows[yy * SIDE + x];
          }
        }
        smooth[y * SIDE + x] = s;
      }
    }
    fields.set(smooth, f * PIXELS);
  }
  // One pixel RMS displacement per field (both components together).
  for (let f = 0; f < count; f++) {
    const field = fields.subarray(f * 2 * PIXELS, (f + 1) * 2 * PIXELS);
    let ss = 0;
    for (let i = 0; i < field.length; i++) ss += field[i] * field[i];
    const norm = Math.sqrt(ss / PIXELS) || 1;
    for (let i = 0; i < field.length; i++) field[i] /= norm;
  }
  return fields;
}

/** How many elastic fields an `Augmenter` draws. */
export const FIELD_POOL = 64;
