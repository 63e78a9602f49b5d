/**
 * Colour maps for pictures of numbers: a diverging one for data centred on
 * zero (weights), a sequential one for counts, and the robust scale that
 * decides where a diverging map saturates.
 *
 * Colours are 0xRRGGBB numbers, as lib/native/sdl2.ts takes them.
 *
 * @module
 */

/**
 * ColorBrewer's RdBu, from blue (most negative) through near-white (zero) to
 * red (most positive): a map whose two halves read apart at a glance and whose
 * middle is the background-like zero, so that unused weights fade out.
 */
const DIVERGING_STOPS = [
  0x053061,
  0x2166ac,
  0x4393c3,
  0x92c5de,
  0xd1e5f0,
  0xf7f7f7,
  0xfddbc7,
  0xf4a582,
  0xd6604d,
  0xb2182b,
  0x67001f,
];

/** ColorBrewer's Blues, from white (none) to dark blue (most). */
const SEQUENTIAL_STOPS = [
  0xf7fbff,
  0xdeebf7,
  0xc6dbef,
  0x9ecae1,
  0x6baed6,
  0x4292c6,
  0x2171b5,
  0x08519c,
  0x08306b,
];

/** Entries of each look-up table. */
export const MAP_SIZE = 256;

/**
 * The colour at `t` (0 to 1) of a map through the colours `stops`, evenly
 * spaced, each channel interpolated linearly between its two neighbours.
 */
export function stopsColour(stops: readonly number[], t: number): number {
  const pos = t * (stops.length - 1);
  const k = Math.min(Math.floor(pos), stops.length - 2);
  const f = pos - k;
  let rgb = 0;
  for (const shift of [16, 8, 0]) {
    const a = stops[k] >> shift & 255, b = stops[k + 1] >> shift & 255;
    rgb |= Math.round(a + (b - a) * f) << shift;
  }
  return rgb;
}

function table(stops: number[]): Uint32Array {
  const lut = new Uint32Array(MAP_SIZE);
  for (let i = 0; i < MAP_SIZE; i++) {
    lut[i] = stopsColour(stops, i / (MAP_SIZE - 1));
  }
  return lut;
}

let diverging: Uint32Array | undefined;
let sequential: Uint32Array | undefined;

/**
 * The diverging colour of `v` on a scale that saturates at `-scale` (dark
 * blue) and `+scale` (dark red); zero is near-white.
 */
export function divergingColour(v: number, scale: number): number {
  diverging ??= table(DIVERGING_STOPS);
  const t = scale > 0 ? v / scale : 0;
  const i = Math.round((Math.max(-1, Math.min(1, t)) + 1) / 2 * (MAP_SIZE - 1));
  return diverging[Number.isNaN(i) ? (MAP_SIZE - 1) >> 1 : i];
}

/** The sequential colour of `t` in 0..1 (clamped): white to dark blue. */
export function sequentialColour(t: number): number {
  sequential ??= table(SEQUENTIAL_STOPS);
  const i = Math.round(Math.max(0, Math.min(1, t)) * (MAP_SIZE - 1));
  return sequential[Number.isNaN(i) ? 0 : i];
}

/**
 * The quantile of |w| where pictures of a layer's weights saturate (see
 * `symmetricScale()`), in every window: one scale for all units, so that
 * their pictures compare, and a few extreme weights do not wash out the rest.
 */
export const WEIGHT_QUANTILE = 0.99;

/**
 * A robust half-range for a diverging map: the `q`-quantile (0..1) of |v|
 * over `values`, so that a few extreme values do not wash out all the others.
 * Values beyond it saturate. Nearest-rank quantile; 0 for no values.
 */
export function symmetricScale(values: ArrayLike<number>, q = 0.99): number {
  if (!(q >= 0 && q <= 1)) {
    throw new RangeError(`symmetricScale: quantile must be in 0..1, got ${q}`);
  }
  const n = values.length;
  if (n === 0) return 0;
  const abs = new Float64Array(n);
  for (let i = 0; i < n; i++) abs[i] = Math.abs(values[i]);
  abs.sort();
  return abs[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
}

/**
 * Stops of the drawing window's map of activations, matplotlib's inferno
 * from 0 to 1: a unit at rest is near-black and lights up through red to pale yellow, so an
 * active unit reads as lit at a glance.
 */
const LIT_STOPS = [
  0x000004,
  0x160b39,
  0x420a68,
  0x6a176e,
  0x932667,
  0xbc3754,
  0xdd513a,
  0xf37819,
  0xfca50a,
  0xf6d746,
  0xfcffa4,
];

/** The grid colour of activation `t` (0 to 1, clamped): dark to lit. */
export function litColour(t: number): number {
  const u = Number.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
  return stopsColour(LIT_STOPS, u);
}
