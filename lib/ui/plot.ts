/**
 * One line plot, as every window and picture draws it: inspect's training
 * curves, the live curves of `train --watch` and the sweep's charts. A framed
 * box with a title, the last value in the curve's colour at the top right,
 * axes with ticks and grid lines, the points joined by a line and, when they
 * are few, marked. Either axis may be logarithmic (a loss falling for
 * decades, hidden units from 5 to 500); the y axis fits the values, or starts
 * at a given bottom.
 *
 * It draws into a `Surface`: pixels (a `Raster`) and lines of text to write
 * over them, as inspect's scenes hold them.
 *
 * @module
 */
import type { Raster, Rgb } from "../image/raster.ts";
import { COLOURS } from "./palette.ts";
import type { TextOptions } from "./text.ts";
import type { Box } from "./unit_grid.ts";

/** Where a plot is drawn: pixels, and text written over them. */
export interface Surface {
  readonly raster: Raster;
  text(text: string, options: TextOptions): void;
}

/** An axis: its label, its range, its ticks, and how to write a value. */
export interface Axis {
  label: string;
  /** The range shown; by default the values' (the y axis with some room). */
  from?: number;
  to?: number;
  /** The values to mark; by default chosen from the range. */
  ticks?: number[];
  log?: boolean;
  format: (v: number) => string;
}

/** A curve and how to show it. */
export interface PlotSpec {
  title: string;
  xs: readonly number[];
  ys: readonly number[];
  x: Axis;
  y: Axis;
  colour: Rgb;
  /**
   * The text at the top right, in the curve's colour: by default the last
   * value (where a curve has got to); "" for none.
   */
  headline?: string;
  /** Mark the points (by default when there are at most 60). */
  dots?: boolean;
  /** What the plot says before its first point. */
  empty?: string;
}

/** At most so many steps between the ticks of a fitted linear y axis. */
const Y_TICKS = 4;

/** The inner margins of a plot: room for the title, ticks and axis labels. */
const INSET = { left: 72, right: 20, top: 44, bottom: 46 };

/**
 * The values to mark up a log axis from `lo` to `hi`: 1, 2 and 5 times the
 * powers of ten between them, thinned to at most `most`; where fewer than two
 * fall between them, the ends and their middle.
 */
export function logTicks(lo: number, hi: number, most = 6): number[] {
  const ticks: number[] = [];
  for (
    let e = Math.floor(Math.log10(lo));
    e <= Math.ceil(Math.log10(hi));
    e++
  ) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  if (ticks.length < 2) return [lo, Math.sqrt(lo * hi), hi];
  if (ticks.length <= most) return ticks;
  const powers = ticks.filter((v) => Math.abs(Math.log10(v) % 1) < 1e-9);
  return powers.length >= 2 ? powers : [ticks[0], ticks[ticks.length - 1]];
}

/**
 * Round values to mark a linear axis from `lo` to `hi`: multiples of 1, 2 or
 * 5 times a power of ten, at most `most` steps apart, with both ends.
 */
export function linearTicks(lo: number, hi: number, most = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = roundStep(lo, hi, most);
  const ticks = [lo];
  for (let k = Math.ceil(lo / step + 1e-9); k * step < hi - step / 2; k++) {
    // Rounded, so that 3 x 0.2 is marked 0.6, not 0.6000000000000001.
    const v = Number((k * step).toPrecision(12));
    if (v - ticks[ticks.length - 1] >= step / 2) ticks.push(v);
  }
  ticks.push(hi);
  return ticks;
}

/** The smallest of 1, 2 or 5 times a power of ten that crosses `lo` to `hi` in at most `most` steps. */
function roundStep(lo: number, hi: number, most: number): number {
  const p = 10 ** Math.floor(Math.log10((hi - lo) / most));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => (hi - lo) / s <= most)!;
}

/** The nearest of 1, 2 or 5 times a power of ten below or above `v` (> 0). */
export function roundValue(v: number, way: "down" | "up"): number {
  const p = 10 ** Math.floor(Math.log10(v));
  const steps = [1, 2, 5, 10].map((m) => m * p);
  return way === "down"
    ? steps.filter((s) => s <= v * (1 + 1e-9)).at(-1)!
    : steps.find((s) => s >= v * (1 - 1e-9))!;
}

/** The range an axis shows for `values`: given, or fitted with some room. */
export function axisRange(
  axis: Axis,
  values: readonly number[],
  room: boolean,
): [number, number] {
  const finite = values.filter((v) =>
    Number.isFinite(v) && (!axis.log || v > 0)
  );
  let lo = axis.from ?? Math.min(...finite);
  let hi = axis.to ?? Math.max(...finite);
  if (axis.log) {
    if (!room || axis.from !== undefined || axis.to !== undefined) {
      // One value alone in the middle, a decade wide.
      return hi > lo ? [lo, hi] : [lo / Math.sqrt(10), lo * Math.sqrt(10)];
    }
    // From the round value under the lowest point to the one over the
    // highest, so that both ends are marked: at least a factor of two apart.
    const pad = Math.max(1.05, Math.sqrt(2 * lo / hi));
    return [roundValue(lo / pad, "down"), roundValue(hi * pad, "up")];
  }
  if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) {
    const half = Math.abs(hi) * 0.05 || 0.5;
    if (axis.from === undefined) lo -= half;
    if (axis.to === undefined) hi += half;
  } else if (room) {
    const pad = (hi - lo) * 0.02;
    if (axis.from === undefined) lo -= pad;
    if (axis.to === undefined) hi += pad;
  }
  if (room) {
    // Out to round values, so that the ends are marked as round as the ticks
    // between them.
    // A wider range may take a longer step: round again until it holds.
    for (let step = 0; step !== roundStep(lo, hi, Y_TICKS);) {
      step = roundStep(lo, hi, Y_TICKS);
      const round = (k: number) => Number((k * step).toPrecision(12));
      if (axis.from === undefined) lo = round(Math.floor(lo / step + 1e-9));
      if (axis.to === undefined) hi = round(Math.ceil(hi / step - 1e-9));
    }
  }
  return [lo, hi];
}

/** Draws `spec` into `box` of `s`. */
export function drawPlot(s: Surface, box: Box, spec: PlotSpec): void {
  const { x, y, w, h } = box;
  s.raster.fill(x, y, w, h, COLOURS.paper);
  s.raster.frame(x, y, w, h, COLOURS.outline);
  s.text(spec.title, { x: x + 12, y: y + 10, font: "bold" });
  const left = x + INSET.left, right = x + w - INSET.right;
  const top = y + INSET.top, bottom = y + h - INSET.bottom;
  const n = spec.ys.length;
  const headline = spec.headline ??
    (n > 0 && Number.isFinite(spec.ys[n - 1])
      ? spec.y.format(spec.ys[n - 1])
      : "");
  if (headline !== "") {
    s.text(headline, {
      x: x + w - 12,
      y: y + 10,
      font: "bold",
      colour: spec.colour,
      align: "right",
    });
  }
  s.raster.fill(left, top, 1, bottom - top + 1, COLOURS.muted);
  s.raster.fill(left, bottom, right - left + 1, 1, COLOURS.muted);
  s.text(spec.x.label, {
    x: (left + right) / 2,
    y: bottom + 24,
    colour: COLOURS.muted,
    align: "centre",
  });
  const scale = (
    axis: Axis,
    [lo, hi]: [number, number],
    a: number,
    b: number,
  ) => {
    const f = axis.log ? Math.log10 : (v: number) => v;
    return (v: number) =>
      hi === lo ? (a + b) / 2 : a + (b - a) * (f(v) - f(lo)) / (f(hi) - f(lo));
  };
  const shown = spec.ys.some((v) => Number.isFinite(v));
  // The x axis is marked once it has a range: its values', or the one given
  // (a run's epochs, before the first point).
  const xRange = shown || spec.x.from !== undefined
    ? axisRange(spec.x, spec.xs, false)
    : null;
  const px = xRange ? scale(spec.x, xRange, left, right) : null;
  if (xRange && px) {
    const xTicks = spec.x.ticks ??
      (spec.x.log ? logTicks(...xRange) : linearTicks(...xRange));
    for (const v of xTicks) {
      const tx = Math.round(px(v));
      s.raster.fill(tx, bottom, 1, 5, COLOURS.muted);
      s.text(spec.x.format(v), {
        x: tx,
        y: bottom + 6,
        font: "small",
        colour: COLOURS.muted,
        align: "centre",
      });
    }
  }
  if (!shown || !px) {
    s.text(spec.empty ?? "not recorded", {
      x: (left + right) / 2,
      y: (top + bottom) / 2 - 9,
      colour: COLOURS.muted,
      align: "centre",
    });
    return;
  }
  const yRange = axisRange(spec.y, spec.ys, true);
  const py = scale(spec.y, yRange, bottom, top);
  const yTicks = spec.y.ticks ??
    (spec.y.log ? logTicks(...yRange) : linearTicks(...yRange, Y_TICKS));
  for (const v of yTicks) {
    const ty = Math.round(py(v));
    s.raster.fill(left - 5, ty, 5, 1, COLOURS.muted);
    s.raster.fill(left + 1, ty, right - left, 1, COLOURS.gridline);
    s.text(spec.y.format(v), {
      x: left - 8,
      y: ty - 9,
      colour: COLOURS.muted,
      align: "right",
    });
  }
  const dots = spec.dots ?? n <= 60;
  let prev: [number, number] | null = null;
  for (let i = 0; i < n; i++) {
    const v = spec.ys[i];
    if (!Number.isFinite(v) || (spec.y.log && v <= 0)) {
      prev = null;
      continue;
    }
    const point: [number, number] = [px(spec.xs[i]), py(v)];
    if (prev) {
      s.raster.line(prev[0], prev[1], point[0], point[1], spec.colour, 2);
    }
    if (dots || n === 1) {
      s.raster.fill(
        Math.round(point[0]) - 3,
        Math.round(point[1]) - 3,
        7,
        7,
        spec.colour,
      );
    }
    prev = point;
  }
}
