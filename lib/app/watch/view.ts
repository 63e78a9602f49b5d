/**
 * The training window's one view, drawn into a `Scene` (the window's pixels
 * and the text over them): a bar with the run's state and the keys; the
 * hidden units' incoming weights as inspect's grid of tiles; the run's
 * numbers; the loss (on a log scale, where its slow later fall still shows)
 * and test accuracy, drawn by the one plot with an x axis that spans the
 * whole run, so that the curves grow from left to right; and a strip of test
 * digits with the network's answers, the wrong ones marked.
 *
 * @module
 */
import { PIXELS, SIDE } from "../../data/mnist.ts";
import { divergingColour, symmetricScale } from "../../image/colour_map.ts";
import { cellGrey } from "../../ui/digit_grid.ts";
import { percent, signed } from "../../ui/format.ts";
import { COLOURS } from "../../ui/palette.ts";
import { drawPlot, type Surface } from "../../ui/plot.ts";
import { type Box, type UnitGrid, unitGrid } from "../../ui/unit_grid.ts";
import { MARGIN, TAB_HEIGHT, TOP, WIDTH } from "../../ui/wide_window.ts";
import { drawWeightTiles } from "../../ui/unit_grid.ts";
import type { Phase, WatchState } from "./state.ts";

/** The left column: the weight tiles. */
const LEFT_WIDTH = 706;
/** The box the weight tiles fit in, under their heading. */
const WEIGHT_BOX: Box = { x: MARGIN, y: TOP + 28, w: LEFT_WIDTH, h: 574 };
/** The right column: the numbers and the curves. */
const RIGHT: Box = {
  x: MARGIN + LEFT_WIDTH + 20,
  y: TOP,
  w: WIDTH - MARGIN - (MARGIN + LEFT_WIDTH + 20),
  h: 0,
};
/** Height of the numbers above the curves. */
const STATS_HEIGHT = 92;
/** The strip of test digits along the bottom: its heading's top. */
const STRIP_TOP = WEIGHT_BOX.y + WEIGHT_BOX.h + 10;
/** Each strip digit is drawn this many times its size. */
export const STRIP_ZOOM = 2;
/** The distance between neighbouring strip digits' left edges. */
export const STRIP_PITCH = SIDE * STRIP_ZOOM + 2;
/** The top of the strip's digits. */
export const STRIP_Y = STRIP_TOP + 26;

/** The weights the view shows: the (H, 784) incoming weights of H units. */
export interface Weights {
  w1: Float32Array;
  hidden: number;
}

/**
 * Weights sampled for the colour scale: one in this many. The scale is a
 * quantile of |w| (`symmetricScale()`), which sorts them; sorting all 156,800
 * of the default network takes longer than the rest of a frame.
 */
const SCALE_STRIDE = 7;

/** The colour scale of `w1`: inspect's, over an even sample of the weights. */
export function weightScale(w1: Float32Array): number {
  const sample = new Float32Array(Math.ceil(w1.length / SCALE_STRIDE));
  for (let i = 0, k = 0; i < w1.length; i += SCALE_STRIDE) sample[k++] = w1[i];
  return symmetricScale(sample);
}

/** The space between neighbouring tiles, and a tile's least side. */
const TILE_GAP = 2;
const TILE_STEP = SIDE / 2;

/** How many tiles fit the left column at their least size (as unitGrid() fits them). */
export const MAX_TILES = Math.floor(WEIGHT_BOX.w / (TILE_STEP + TILE_GAP)) *
  Math.floor(WEIGHT_BOX.h / (TILE_STEP + TILE_GAP));

/**
 * The grid of `hidden` units' tiles in the left column (of the first
 * `MAX_TILES` of them): as large as fits, a tile's side a multiple of half a
 * digit (42 pixels for 200 units).
 */
export function watchGrid(hidden: number): UnitGrid {
  return unitGrid({
    count: Math.min(hidden, MAX_TILES),
    box: WEIGHT_BOX,
    gap: TILE_GAP,
    step: TILE_STEP,
  });
}

/** The left edge of strip digit `k`. */
export function stripX(k: number): number {
  return MARGIN + k * STRIP_PITCH;
}

/** Where the bar says what the run is doing, right of its name. */
const STATUS_X = 230;

/** What the bar says of each phase, and in which colour. */
const PHASES: Record<Phase, { text: string; colour: number; keys: string }> = {
  loading: {
    text: "reading the data",
    colour: COLOURS.muted,
    keys: "ESC stop",
  },
  training: {
    text: "training",
    colour: COLOURS.accent,
    keys: "SPACE pause · ESC stop (the model is not saved)",
  },
  paused: {
    text: "paused",
    colour: COLOURS.paused,
    keys: "SPACE resume · ESC stop (the model is not saved)",
  },
  stopped: { text: "stopped", colour: COLOURS.wrong, keys: "" },
  done: { text: "done", colour: COLOURS.right, keys: "ESC close" },
};

/** "1 min 05 s", "42 s"; "–" when not known yet. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m} min ${String(s % 60).padStart(2, "0")} s`
    : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** A learning rate in 3 digits: "0.187", "7.96e-6" once it is tiny. */
export function rateText(rate: number): string {
  return rate === 0 || rate >= 1e-3
    ? String(Number(rate.toPrecision(3)))
    : rate.toExponential(2).replace("e-", "e−");
}

/**
 * Draws the window for `state`, with the weights of the network being trained
 * (none while the data is read).
 */
export function drawWatch(
  c: Surface,
  state: WatchState,
  weights: Weights | undefined,
): void {
  drawBar(c, state, weights?.hidden);
  drawWeights(c, weights);
  drawStats(c, state);
  const plotH = Math.floor(
    (WEIGHT_BOX.y + WEIGHT_BOX.h - TOP - STATS_HEIGHT - 10) / 2,
  );
  const plotY = TOP + STATS_HEIGHT;
  drawLoss(c, { x: RIGHT.x, y: plotY, w: RIGHT.w, h: plotH }, state);
  drawAccuracy(
    c,
    { x: RIGHT.x, y: plotY + plotH + 10, w: RIGHT.w, h: plotH },
    state,
  );
  drawStrip(c, state);
}

/** The x axis of both curves: the whole run, in epochs. */
function epochAxis(state: WatchState) {
  return { label: "epoch", from: 0, to: state.epochs, format: String };
}

function drawLoss(c: Surface, box: Box, state: WatchState) {
  drawPlot(c, box, {
    title: "Training loss (log scale)",
    xs: state.loss.map((p) => p.at),
    ys: state.loss.map((p) => p.loss),
    x: epochAxis(state),
    y: {
      label: "loss",
      log: true,
      format: (v) => String(Number(v.toPrecision(2))),
    },
    colour: COLOURS.accent,
    dots: false,
    empty: "the first steps are coming",
  });
}

function drawAccuracy(c: Surface, box: Box, state: WatchState) {
  drawPlot(c, box, {
    title: "Test accuracy after each epoch",
    xs: state.accuracy.map((p) => p.epoch),
    ys: state.accuracy.map((p) => p.accuracy),
    x: epochAxis(state),
    y: { label: "accuracy", format: (v) => percent(v, 1) },
    colour: COLOURS.right,
    empty: "after the first epoch",
  });
}

function drawBar(c: Surface, state: WatchState, hidden: number | undefined) {
  c.raster.fill(0, 0, WIDTH, TAB_HEIGHT, COLOURS.track);
  const phase = PHASES[state.phase];
  c.raster.fill(0, 0, WIDTH, 4, phase.colour);
  const name = hidden === undefined ? "Training" : `Training 784-${hidden}-10`;
  c.text(name, { x: MARGIN, y: 13, font: "bold" });
  c.text(state.summary || phase.text, {
    x: STATUS_X,
    y: 13,
    font: "bold",
    colour: phase.colour,
  });
  c.text(phase.keys, {
    x: WIDTH - MARGIN,
    y: 15,
    colour: COLOURS.muted,
    align: "right",
  });
}

function drawWeights(c: Surface, weights: Weights | undefined) {
  const { x, y, w } = WEIGHT_BOX;
  const shown = Math.min(weights?.hidden ?? 0, MAX_TILES);
  c.text(
    shown < (weights?.hidden ?? 0)
      ? `The first ${shown} of ${
        weights!.hidden
      } hidden units' 784 incoming weights`
      : "Each hidden unit's 784 incoming weights",
    { x, y: TOP, font: "bold" },
  );
  if (!weights) {
    c.raster.fill(x, y, w, WEIGHT_BOX.h, COLOURS.track);
    return;
  }
  const scale = weightScale(weights.w1);
  drawWeightTiles(c.raster, watchGrid(weights.hidden), weights.w1, scale);
  // The colour scale, said on screen: right of the heading.
  const barW = 100, right = x + w, by = TOP + 4;
  c.text(signed(scale), {
    x: right,
    y: TOP + 1,
    colour: COLOURS.muted,
    align: "right",
  });
  const bx = right - 44 - barW;
  for (let i = 0; i < barW; i++) {
    c.raster.fill(
      bx + i,
      by,
      1,
      12,
      divergingColour((i / (barW - 1) * 2 - 1) * scale, scale),
    );
  }
  c.raster.frame(bx - 1, by - 1, barW + 2, 14, COLOURS.outline);
  c.text(signed(-scale), {
    x: bx - 6,
    y: TOP + 1,
    colour: COLOURS.muted,
    align: "right",
  });
}

function drawStats(c: Surface, state: WatchState) {
  const r = state.last;
  const ips = state.imagesPerSecond;
  const cells: [string, string][] = [
    ["epoch", r ? `${r.epoch} of ${state.epochs}` : `– of ${state.epochs}`],
    [
      "images per second",
      Number.isFinite(ips) ? Math.round(ips).toLocaleString("en-US") : "–",
    ],
    ["learning rate", r ? rateText(r.rate) : "–"],
    [
      "time left",
      state.phase === "stopped" ? "–" : duration(state.secondsLeft),
    ],
  ];
  const w = RIGHT.w / 2;
  cells.forEach(([caption, value], k) => {
    const x = RIGHT.x + (k % 2) * w, y = RIGHT.y + Math.floor(k / 2) * 44;
    c.text(caption, { x, y, colour: COLOURS.muted });
    c.text(value, { x, y: y + 16, font: "title" });
  });
}

function drawStrip(c: Surface, state: WatchState) {
  const { strip, answers } = state;
  const right = state.stripRight;
  c.text(
    strip.count === 0
      ? "Test digits and the network's answers"
      : answers.length === 0
      ? `${strip.count} test digits and the network's answers`
      : `${strip.count} test digits, the network's answers and how sure it is: ${right} right, ${
        answers.length - right
      } wrong`,
    { x: MARGIN, y: STRIP_TOP, font: "bold" },
  );
  const side = SIDE * STRIP_ZOOM;
  for (let k = 0; k < strip.count; k++) {
    const x = stripX(k);
    const off = k * PIXELS;
    c.raster.image(x, STRIP_Y, SIDE, STRIP_ZOOM, (i) => {
      const g = cellGrey(strip.images[off + i]);
      return g << 16 | g << 8 | g;
    });
    const a = answers[k];
    if (!a) continue;
    const colour = a.right ? COLOURS.right : COLOURS.wrong;
    const ay = STRIP_Y + side + 2;
    if (!a.right) {
      c.raster.frame(x - 1, STRIP_Y - 1, side + 2, side + 2, COLOURS.wrong, 2);
      c.raster.fill(x - 1, ay, side + 2, 20, COLOURS.wrongBack);
    }
    c.text(String(a.digit), {
      x: x + side / 2,
      y: ay,
      font: "bold",
      colour,
      align: "centre",
    });
    // How sure the network is: a bar as wide as the digit at 100 %.
    c.raster.fill(x, ay + 22, side, 4, COLOURS.track);
    c.raster.fill(x, ay + 22, Math.round(a.p * side), 4, colour);
  }
}
