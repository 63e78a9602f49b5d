/**
 * The four views of `deno task inspect`, each drawn into a `Raster` by plain
 * TypeScript: the pixels (weights, images, heat map, curves), plus the text to
 * write over them, as a list of labels. The window writes the labels with the
 * real fonts; `--png` writes them with the raster's pixel font. Layout and hit
 * tests share the same constants, so a click lands where the thing is drawn.
 *
 * @module
 */
import { CLASSES, PIXELS, SIDE } from "../../data/mnist.ts";
import { divergingColour, sequentialColour } from "../../image/colour_map.ts";
import { LOW, SPAN } from "../../nn/backquery.ts";
import type { EpochHistory } from "../../nn/history.ts";
import {
  type Inspection,
  type UiState,
  VIEWS,
  WEIGHT_QUANTILE,
} from "./state.ts";
import { Raster, type Rgb } from "../../image/raster.ts";
import { percent, signed } from "../../ui/format.ts";
import type { FontName } from "../../ui/fonts.ts";
import { COLOURS } from "../../ui/palette.ts";
import { tileAt, type UnitGrid, unitGrid } from "../../ui/unit_grid.ts";
import { type TextOptions, textOptions } from "../../ui/text.ts";

/** The window, and every picture --png writes except the backquery digits. */
export const WIDTH = 1200;
export const HEIGHT = 800;
/** The tab bar across the top. */
export const TAB_HEIGHT = 44;
export const TAB_WIDTH = 190;
/** Margin around the content. */
const MARGIN = 20;
const TOP = TAB_HEIGHT + 14;

/**
 * A line of text to write over a view: where and how, as the windows' own
 * text is drawn (`drawText()`), every default filled in.
 */
export interface Label extends Required<TextOptions> {
  text: string;
}

/** A view ready to show: its pixels and the text to write over them. */
export interface Scene {
  raster: Raster;
  labels: Label[];
}

/** Tab captions, in VIEWS order. */
export const TAB_TITLES: Record<typeof VIEWS[number], string> = {
  units: "1  Hidden units",
  backquery: "2  Backquery",
  test: "3  Test set",
  curves: "4  Training",
};

class Canvas {
  readonly raster = new Raster(WIDTH, HEIGHT, COLOURS.panel);
  readonly labels: Label[] = [];
  text(text: string, options: TextOptions): void {
    this.labels.push({ text, ...textOptions(options) });
  }
}

/** Draws the view `ui` asks for. */
export function renderView(ins: Inspection, ui: UiState): Scene {
  const c = new Canvas();
  drawTabs(c, ins, ui.view);
  switch (ui.viewName) {
    case "units":
      drawUnits(c, ins, ui.unit);
      break;
    case "backquery":
      drawBackquery(c, ins);
      break;
    case "test":
      drawTest(c, ins, ui.cell);
      break;
    case "curves":
      drawCurves(c, ins.history);
      break;
  }
  return { raster: c.raster, labels: c.labels };
}

function drawTabs(c: Canvas, ins: Inspection, view: number) {
  c.raster.fill(0, 0, WIDTH, TAB_HEIGHT, COLOURS.track);
  VIEWS.forEach((name, i) => {
    const x = i * TAB_WIDTH;
    if (i === view) {
      c.raster.fill(x, 0, TAB_WIDTH, TAB_HEIGHT, COLOURS.panel);
      c.raster.fill(x, 0, TAB_WIDTH, 4, COLOURS.accent);
    }
    c.text(TAB_TITLES[name], {
      x: x + 18,
      y: 13,
      font: i === view ? "bold" : "body",
      colour: i === view ? COLOURS.text : COLOURS.muted,
    });
  });
  const file = ins.modelPath.split("/").pop() ?? ins.modelPath;
  c.text(`${file} · TAB next view · ESC quit`, {
    x: WIDTH - MARGIN,
    y: 15,
    colour: COLOURS.muted,
    align: "right",
  });
}

/** The tab at (x, y), or -1. */
export function hitTab(x: number, y: number): number {
  if (y < 0 || y >= TAB_HEIGHT || x < 0) return -1;
  const i = Math.floor(x / TAB_WIDTH);
  return i < VIEWS.length ? i : -1;
}

// ---------------------------------------------------------------- hidden units

/** The box the hidden units' weight tiles fill. */
const WEIGHT_BOX = { x: MARGIN, y: TOP, w: WIDTH - 2 * MARGIN, h: 580 };

/**
 * The grid of `hidden` units' weight tiles: 20 columns, each tile a unit's
 * 28x28 incoming weights at the largest whole zoom that fits.
 */
export function weightGrid(hidden: number): UnitGrid {
  return unitGrid({
    count: hidden,
    box: WEIGHT_BOX,
    gap: 2,
    columns: 20,
    step: SIDE,
  });
}

/**
 * Draws each hidden unit's incoming weights (its row of `w1`, (H, 784)) into
 * its tile of `grid`, on the diverging map that saturates at ±`scale`.
 */
export function drawWeightTiles(
  raster: Raster,
  grid: UnitGrid,
  w1: Float32Array,
  scale: number,
): void {
  const zoom = grid.tile / SIDE;
  for (let u = 0; u < grid.count; u++) {
    const { x, y } = tileAt(grid, u);
    const off = u * PIXELS;
    raster.image(x, y, SIDE, zoom, (i) => divergingColour(w1[off + i], scale));
  }
}

/** How many times its size the chosen unit is shown under the grid. */
export const DETAIL_ZOOM = 5;

/** The top of the strip under the grid that shows the chosen unit. */
export function detailTop(grid: UnitGrid): number {
  return Math.max(grid.y + grid.rows * grid.pitch + 12, HEIGHT - 150);
}

function drawUnits(c: Canvas, ins: Inspection, unit: number) {
  const { w1, b1, w2 } = ins.layers;
  const s = ins.weightScale;
  const g = weightGrid(ins.hidden);
  drawWeightTiles(c.raster, g, w1, s);
  if (unit >= 0) {
    const { x, y } = tileAt(g, unit);
    c.raster.frame(x - 2, y - 2, g.tile + 4, g.tile + 4, COLOURS.select, 2);
  }

  // The detail strip under the grid.
  const top = detailTop(g);
  const zoom = DETAIL_ZOOM;
  if (unit < 0) {
    c.text("Click a unit to enlarge it and see its outgoing weights", {
      x: MARGIN,
      y: top + 10,
      font: "bold",
    });
    c.text(
      `Each tile is one of the ${ins.hidden} hidden units: its ${PIXELS} incoming weights, one per pixel, as a ${SIDE}x${SIDE} image.`,
      { x: MARGIN, y: top + 38, colour: COLOURS.muted },
    );
    c.text(
      "Red pixels push the unit on, blue ones off; white ones do not matter to it.",
      { x: MARGIN, y: top + 60, colour: COLOURS.muted },
    );
  } else {
    const off = unit * PIXELS;
    c.raster.image(
      MARGIN,
      top,
      SIDE,
      zoom,
      (i) => divergingColour(w1[off + i], s),
    );
    c.raster.frame(
      MARGIN - 1,
      top - 1,
      SIDE * zoom + 2,
      SIDE * zoom + 2,
      COLOURS.outline,
    );
    const tx = MARGIN + SIDE * zoom + 18;
    c.text(`Unit ${unit}`, { x: tx, y: top, font: "title" });
    c.text(`bias ${signed(b1[unit], 3)}`, {
      x: tx,
      y: top + 32,
      colour: COLOURS.muted,
    });
    c.text("outgoing weights", { x: tx, y: top + 54, colour: COLOURS.muted });
    c.text("to digits 0-9 →", { x: tx, y: top + 72, colour: COLOURS.muted });

    // Ten bars around a zero line, on one scale for all units (largest |w2|).
    const bx = tx + 150, pitch = 36, barW = 24;
    const mid = top + 62, half = 52;
    c.raster.fill(bx - 6, mid, CLASSES * pitch + 2, 1, COLOURS.outline);
    for (let d = 0; d < CLASSES; d++) {
      const w = w2[d * ins.hidden + unit];
      const h = Math.round(Math.abs(w) / ins.outputScale * half);
      const x = bx + d * pitch;
      c.raster.fill(
        x,
        w >= 0 ? mid - h : mid + 1,
        barW,
        h,
        divergingColour(w, ins.outputScale),
      );
      c.text(String(d), { x: x + barW / 2, y: top + 122, align: "centre" });
    }
    c.text(`bars: ±${ins.outputScale.toFixed(2)} full height`, {
      x: bx,
      y: top - 2,
      colour: COLOURS.muted,
    });
  }

  // The colour scale, said on screen.
  const lx = WIDTH - MARGIN - 300, ly = top + 34;
  for (let i = 0; i < 300; i++) {
    c.raster.fill(lx + i, ly, 1, 16, divergingColour((i / 299 * 2 - 1) * s, s));
  }
  c.raster.frame(lx - 1, ly - 1, 302, 18, COLOURS.outline);
  c.text("weight colour (one scale for all units)", { x: lx, y: top + 8 });
  c.text(signed(-s), { x: lx, y: ly + 22, colour: COLOURS.muted });
  c.text("0", {
    x: lx + 150,
    y: ly + 22,
    colour: COLOURS.muted,
    align: "centre",
  });
  c.text(signed(s), {
    x: lx + 300,
    y: ly + 22,
    colour: COLOURS.muted,
    align: "right",
  });
  c.text(`clipped at the ${WEIGHT_QUANTILE * 100}th percentile of |w|`, {
    x: lx,
    y: ly + 44,
    colour: COLOURS.muted,
  });
}

// ------------------------------------------------------------------ backquery

const BQ_ZOOM = 7;
const BQ_GAP = 28;

function drawBackquery(c: Canvas, ins: Inspection) {
  c.text("What the network imagines for each digit", {
    x: MARGIN,
    y: TOP,
    font: "title",
  });
  c.text(
    "Backquery (Rashid): targets 0.01, and 0.99 for the digit, run backwards: h = rescale(W2ᵀ(logit(t) − b2)), x = rescale(W1ᵀ(logit(h) − b1)).",
    { x: MARGIN, y: TOP + 32, colour: COLOURS.muted },
  );
  c.text(
    "rescale() maps each result to 0.01..0.99; dark = 0.99 (ink), white = 0.01 (blank).",
    { x: MARGIN, y: TOP + 52, colour: COLOURS.muted },
  );
  const side = SIDE * BQ_ZOOM;
  const perRow = 5;
  const x0 = Math.round((WIDTH - (perRow * side + (perRow - 1) * BQ_GAP)) / 2);
  ins.backquery.forEach((b, d) => {
    const x = x0 + (d % perRow) * (side + BQ_GAP);
    const y = TOP + 90 + Math.floor(d / perRow) * (side + 48);
    c.raster.image(x, y, SIDE, BQ_ZOOM, (i) => {
      const g = 255 - Math.round(255 * (b.input[i] - LOW) / SPAN);
      return g << 16 | g << 8 | g;
    });
    c.raster.frame(x - 1, y - 1, side + 2, side + 2, COLOURS.outline);
    c.text(String(d), {
      x: x + side / 2,
      y: y + side + 8,
      font: "bold",
      colour: COLOURS.accent,
      align: "centre",
    });
  });
}

// ------------------------------------------------------------------- test set

/** The confusion matrix: rows are true digits, columns the network's answers. */
export const MATRIX = { x: 100, y: TOP + 80, cell: 40 } as const;
const STRIP_TOP = MATRIX.y + 10 * MATRIX.cell + 30;
const STRIP_ZOOM = 2;

/** The confusion cell (label * 10 + predicted) at (x, y), or -1. */
export function hitCell(x: number, y: number): number {
  const col = Math.floor((x - MATRIX.x) / MATRIX.cell);
  const row = Math.floor((y - MATRIX.y) / MATRIX.cell);
  if (x < MATRIX.x || y < MATRIX.y || col >= CLASSES || row >= CLASSES) {
    return -1;
  }
  return row * CLASSES + col;
}

function drawTest(c: Canvas, ins: Inspection, cell: number) {
  const t = ins.test;
  const n = t.data.count;
  c.text(
    `Test set: ${Math.round(t.accuracy * n)} of ${n} right (${
      percent(t.accuracy, 2)
    })`,
    { x: MARGIN, y: TOP, font: "title" },
  );
  const { x: mx, y: my, cell: cs } = MATRIX;
  c.text("network's answer →", { x: mx, y: my - 50, colour: COLOURS.muted });
  c.text("true", { x: MARGIN, y: my - 26, colour: COLOURS.muted });
  c.text("digit ↓", { x: MARGIN, y: my - 10, colour: COLOURS.muted });
  let max = 0;
  for (const v of t.confusion) max = Math.max(max, v);
  const norm = Math.log1p(max);
  for (let d = 0; d < CLASSES; d++) {
    c.text(String(d), {
      x: mx + d * cs + cs / 2,
      y: my - 26,
      font: "bold",
      align: "centre",
    });
    c.text(String(d), {
      x: mx - 18,
      y: my + d * cs + 11,
      font: "bold",
      align: "centre",
    });
    for (let p = 0; p < CLASSES; p++) {
      const v = t.confusion[d * CLASSES + p];
      const level = norm > 0 ? Math.log1p(v) / norm : 0;
      const x = mx + p * cs, y = my + d * cs;
      c.raster.fill(x, y, cs, cs, sequentialColour(level));
      if (v > 0) {
        c.text(String(v), {
          x: x + cs / 2,
          y: y + 12,
          colour: level > 0.55 ? COLOURS.onDark : COLOURS.text,
          align: "centre",
        });
      }
    }
  }
  c.raster.frame(
    mx - 1,
    my - 1,
    cs * CLASSES + 2,
    cs * CLASSES + 2,
    COLOURS.outline,
  );
  const sx = mx + (cell % CLASSES) * cs,
    sy = my + Math.floor(cell / CLASSES) * cs;
  c.raster.frame(sx - 2, sy - 2, cs + 4, cs + 4, COLOURS.select, 3);
  c.text("colour: log(1 + count)", {
    x: mx,
    y: my + cs * CLASSES + 6,
    colour: COLOURS.muted,
  });

  // Accuracy per true digit, beside the matrix's rows.
  const ax = mx + cs * CLASSES + 60, aw = 380, lo = 0.9;
  c.text("Accuracy per digit (bars from 90 % to 100 %)", {
    x: ax,
    y: my - 50,
    colour: COLOURS.muted,
  });
  for (let d = 0; d < CLASSES; d++) {
    const a = t.classAccuracy[d];
    const y = my + d * cs + 10;
    c.text(String(d), { x: ax, y: y + 1, font: "bold" });
    c.raster.fill(ax + 24, y, aw, cs - 20, COLOURS.track);
    const f = Number.isNaN(a) ? 0 : Math.max(0, (a - lo) / (1 - lo));
    c.raster.fill(
      ax + 24,
      y,
      Math.round(aw * f),
      cs - 20,
      a >= t.accuracy ? COLOURS.right : COLOURS.wrong,
    );
    let total = 0;
    for (let p = 0; p < CLASSES; p++) total += t.confusion[d * CLASSES + p];
    c.text(
      Number.isNaN(a)
        ? "no records"
        : `${percent(a)}  (${t.confusion[d * CLASSES + d]} of ${total})`,
      { x: ax + aw + 36, y: y + 1 },
    );
  }
  c.text("green: at or above the overall accuracy, red: below", {
    x: ax,
    y: my + cs * CLASSES + 6,
    colour: COLOURS.muted,
  });

  // The records of the chosen cell.
  const label = Math.floor(cell / CLASSES), guess = cell % CLASSES;
  const records = t.cells[cell];
  const caption = label === guess
    ? `${label}s read right: ${records.length} records`
    : `${label}s read as ${guess}: ${records.length} record${
      records.length === 1 ? "" : "s"
    }`;
  c.text(caption, {
    x: MARGIN,
    y: STRIP_TOP,
    font: "bold",
    colour: label === guess ? COLOURS.right : COLOURS.wrong,
  });
  c.text("(click a cell of the matrix to choose)", {
    x: MARGIN + 330,
    y: STRIP_TOP + 2,
    colour: COLOURS.muted,
  });
  const side = SIDE * STRIP_ZOOM, pitch = side + 6;
  const perRow = Math.floor((WIDTH - 2 * MARGIN) / pitch);
  const rows = Math.floor((HEIGHT - STRIP_TOP - 34) / pitch);
  const shown = Math.min(records.length, perRow * rows);
  for (let k = 0; k < shown; k++) {
    const x = MARGIN + (k % perRow) * pitch;
    const y = STRIP_TOP + 28 + Math.floor(k / perRow) * pitch;
    const off = records[k] * PIXELS;
    c.raster.image(x, y, SIDE, STRIP_ZOOM, (i) => {
      const g = 255 - t.data.images[off + i];
      return g << 16 | g << 8 | g;
    });
  }
  if (records.length > shown) {
    c.text(`and ${records.length - shown} more`, {
      x: WIDTH - MARGIN,
      y: STRIP_TOP + 2,
      colour: COLOURS.muted,
      align: "right",
    });
  }
}

// ------------------------------------------------------------ training curves

interface Plot {
  title: string;
  values: number[];
  format: (v: number) => string;
  colour: Rgb;
  /** Fixed bottom of the axis, or undefined to fit the data. */
  from?: number;
}

function drawCurves(c: Canvas, history: EpochHistory[] | undefined) {
  if (!history || history.length === 0) {
    c.text("This model has no training history", {
      x: MARGIN,
      y: TOP,
      font: "title",
    });
    c.text(
      "The trainer records loss, test accuracy, time and learning rate per epoch in the model file's metadata ('history').",
      { x: MARGIN, y: TOP + 40, font: "body", colour: COLOURS.muted },
    );
    c.text(
      "This file has none: it was saved before that was recorded. Train a new one with: deno task train",
      { x: MARGIN, y: TOP + 66, font: "body", colour: COLOURS.muted },
    );
    return;
  }
  const seconds = history.reduce((s, e) => s + e.seconds, 0);
  const last = history[history.length - 1];
  c.text(
    `Training: ${history.length} epoch${history.length === 1 ? "" : "s"}, ${
      seconds.toFixed(1)
    } s`,
    { x: MARGIN, y: TOP, font: "title" },
  );
  const hasAccuracy = history.some((e) => !Number.isNaN(e.accuracy));
  c.text(
    `last epoch: loss ${last.loss.toFixed(4)}` +
      (hasAccuracy
        ? `, test accuracy ${percent(last.accuracy, 2)}`
        : ", no test set") +
      `, learning rate ${last.rate.toPrecision(3)}`,
    { x: MARGIN, y: TOP + 32, colour: COLOURS.muted },
  );
  const plots: Plot[] = [
    {
      title: "Training loss (mean per epoch)",
      values: history.map((e) => e.loss),
      format: (v) => v.toPrecision(3),
      colour: COLOURS.accent,
      from: 0,
    },
    {
      title: "Test accuracy after each epoch",
      values: history.map((e) => e.accuracy),
      format: (v) => percent(v, 2),
      colour: COLOURS.right,
    },
    {
      title: "Learning rate (end of epoch)",
      values: history.map((e) => e.rate),
      format: (v) => v.toPrecision(2),
      colour: COLOURS.select,
      from: 0,
    },
  ];
  const w = Math.floor((WIDTH - 2 * MARGIN - 2 * 24) / 3);
  plots.forEach((p, k) =>
    plot(c, p, MARGIN + k * (w + 24), TOP + 80, w, HEIGHT - TOP - 100)
  );
}

function plot(c: Canvas, p: Plot, x: number, y: number, w: number, h: number) {
  c.raster.fill(x, y, w, h, COLOURS.paper);
  c.raster.frame(x, y, w, h, COLOURS.outline);
  c.text(p.title, { x: x + 12, y: y + 10, font: "bold" });
  const finite = p.values.filter((v) => Number.isFinite(v));
  const left = x + 88, right = x + w - 20, top = y + 48, bottom = y + h - 48;
  if (finite.length === 0) {
    c.text("not recorded", {
      x: x + w / 2,
      y: y + h / 2,
      font: "body",
      colour: COLOURS.muted,
      align: "centre",
    });
    return;
  }
  let lo = p.from ?? Math.min(...finite), hi = Math.max(...finite);
  if (hi === lo) {
    hi += Math.abs(hi) * 0.05 || 1;
    if (p.from === undefined) lo -= Math.abs(lo) * 0.05 || 1;
  } else if (p.from === undefined) {
    const pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
  }
  const n = p.values.length;
  const px = (i: number) =>
    n === 1 ? (left + right) / 2 : left + (right - left) * i / (n - 1);
  const py = (v: number) => bottom - (bottom - top) * (v - lo) / (hi - lo);
  // Axes and ticks: three values up the side, first, middle and last epoch along.
  c.raster.fill(left, top, 1, bottom - top + 1, COLOURS.muted);
  c.raster.fill(left, bottom, right - left + 1, 1, COLOURS.muted);
  for (const v of [lo, (lo + hi) / 2, hi]) {
    const ty = Math.round(py(v));
    c.raster.fill(left - 5, ty, 5, 1, COLOURS.muted);
    c.raster.fill(left + 1, ty, right - left, 1, COLOURS.gridline);
    c.text(p.format(v), {
      x: left - 10,
      y: ty - 9,
      colour: COLOURS.muted,
      align: "right",
    });
  }
  for (const i of new Set([0, Math.floor((n - 1) / 2), n - 1])) {
    const tx = Math.round(px(i));
    c.raster.fill(tx, bottom, 1, 5, COLOURS.muted);
    c.text(String(i + 1), {
      x: tx,
      y: bottom + 8,
      colour: COLOURS.muted,
      align: "centre",
    });
  }
  c.text("epoch", {
    x: (left + right) / 2,
    y: bottom + 26,
    colour: COLOURS.muted,
    align: "centre",
  });
  let prev: [number, number] | null = null;
  p.values.forEach((v, i) => {
    if (!Number.isFinite(v)) {
      prev = null;
      return;
    }
    const point: [number, number] = [px(i), py(v)];
    if (prev) c.raster.line(prev[0], prev[1], point[0], point[1], p.colour, 2);
    c.raster.fill(
      Math.round(point[0]) - 3,
      Math.round(point[1]) - 3,
      7,
      7,
      p.colour,
    );
    prev = point;
  });
}

// ------------------------------------------------------------------ pixel font

/**
 * Pixel-font scale and vertical offset standing in for each font inspect
 * uses, for pictures without a window; any other font as `body`.
 */
const PIXEL_FONTS: Partial<Record<FontName, { scale: number; dy: number }>> = {
  small: { scale: 2, dy: 3 },
  body: { scale: 2, dy: 4 },
  bold: { scale: 2, dy: 4 },
  title: { scale: 3, dy: 4 },
};

/** Writes a scene's labels into its raster with the pixel font (for --png). */
export function burnLabels(scene: Scene): Raster {
  for (const l of scene.labels) {
    const s = PIXEL_FONTS[l.font] ?? PIXEL_FONTS.body!;
    scene.raster.label(l.text, l.x, l.y + s.dy, l.colour, s.scale, l.align);
  }
  return scene.raster;
}
