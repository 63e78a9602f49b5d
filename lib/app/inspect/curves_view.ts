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
import { counted, percent } from "../../ui/format.ts";
import { COLOURS } from "../../ui/palette.ts";
import { drawPlot } from "../../ui/plot.ts";
import { HEIGHT, MARGIN, TOP, WIDTH } from "../../ui/wide_window.ts";
import { type Scene } from "../../ui/scene.ts";
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
    `Training: ${counted(history.length, "epoch")}, ${seconds.toFixed(1)} s`,
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
      format: (v) => String(Number(v.toPrecision(3))),
      colour: COLOURS.accent,
      from: 0,
    },
    {
      title: "Test accuracy after each epoch",
      values: history.map((e) => e.accuracy),
      format: (v) => percent(v, 1),
      colour: COLOURS.right,
    },
    {
      title: "Learning rate (end of epoch)",
      values: history.map((e) => e.rate),
      format: (v) => String(Number(v.toPrecision(2))),
      colour: COLOURS.third,
      from: 0,
    },
  ];
  // The refusal's lines go between the summary and the plots.
  const top = TOP + 80 + (refusal ? REFUSAL_HEIGHT : 0);
  if (refusal) drawRefusal(c, refusal, TOP + 66);
  const w = Math.floor((WIDTH - 2 * MARGIN - 2 * 24) / 3);
  const n = history.length;
  const epochs = history.map((_, i) => i + 1);
  plots.forEach((p, k) =>
    drawPlot(c, {
      x: MARGIN + k * (w + 24),
      y: top,
      w,
      h: HEIGHT - top - 20,
    }, {
      title: p.title,
      xs: epochs,
      ys: p.values,
      x: {
        label: "epoch",
        ticks: [...new Set([1, Math.floor((n + 1) / 2), n])],
        format: String,
      },
      y: { label: p.title, from: p.from, format: p.format },
      colour: p.colour,
      headline: "",
    })
  );
}
