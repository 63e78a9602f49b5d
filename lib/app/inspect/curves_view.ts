/**
 * inspect's "Training" view: loss, test accuracy and learning rate per epoch,
 * from the history the trainer keeps in the model file; and, for a model
 * that says so in its metadata, how it was taught to say "not a digit": the
 * examples that are no digit mixed into training and the threshold
 * calibrated on images held out.
 *
 * @module
 */
import type { Rgb } from "../../image/raster.ts";
import { percent } from "../../ui/format.ts";
import { COLOURS } from "../../ui/palette.ts";
import { HEIGHT, MARGIN, type Scene, TOP, WIDTH } from "./scene.ts";
import type { RefusalTraining, TrainingRecord } from "./state.ts";

interface Plot {
  title: string;
  values: number[];
  format: (v: number) => string;
  colour: Rgb;
  /** Fixed bottom of the axis, or undefined to fit the data. */
  from?: number;
}

/**
 * The two lines that say how a model learnt to refuse: what it learnt from,
 * and the threshold an answer must reach.
 */
export function refusalLines(r: RefusalTraining): [string, string] {
  const examples = r.kinds.length === 0 || r.share === 0
    ? "Not a digit: trained on digits alone, with no examples that are no digit"
    : `Not a digit: ${
      Number.isFinite(r.share) ? percent(r.share, 0) : "part"
    } of each epoch were examples that are no digit: ${r.kinds.join(", ")}`;
  const threshold = `Threshold ${r.threshold}`;
  const how = !r.stored
    ? `${threshold}, the default: the model stores none`
    : r.holdout > 0
    ? `${threshold}, calibrated on ${r.holdout} training images held out: an answer counts when an output reaches it`
    : `${threshold}, fixed: no training images were held out to calibrate it`;
  return [examples, how];
}

/** Height of the lines that say how a model learnt to refuse. */
const REFUSAL_HEIGHT = 56;

/** Draws the lines of `refusal` from `y` down. */
function drawRefusal(c: Scene, refusal: RefusalTraining, y: number) {
  const [examples, threshold] = refusalLines(refusal);
  c.text(examples, { x: MARGIN, y, font: "body" });
  c.text(threshold, { x: MARGIN, y: y + 24, font: "body" });
}

/**
 * Draws the view of `training`: its curves (a model without a history says
 * so) and, when the model says how it learnt to refuse, two lines on that.
 */
export function drawCurves(c: Scene, training: TrainingRecord) {
  const { epochs: history, refusal } = training;
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
    if (refusal) drawRefusal(c, refusal, TOP + 110);
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
  // The refusal's lines go between the summary and the plots.
  const top = TOP + 80 + (refusal ? REFUSAL_HEIGHT : 0);
  if (refusal) drawRefusal(c, refusal, TOP + 66);
  const w = Math.floor((WIDTH - 2 * MARGIN - 2 * 24) / 3);
  plots.forEach((p, k) =>
    plot(c, p, MARGIN + k * (w + 24), top, w, HEIGHT - top - 20)
  );
}

function plot(c: Scene, p: Plot, x: number, y: number, w: number, h: number) {
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
