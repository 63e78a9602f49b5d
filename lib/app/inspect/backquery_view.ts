/**
 * inspect's "Backquery" view: the input the network imagines for each digit,
 * the network run backwards (lib/nn/backquery.ts).
 *
 * @module
 */
import { SIDE } from "../../data/mnist.ts";
import { LOW, SPAN } from "../../nn/backquery.ts";
import { COLOURS } from "../../ui/palette.ts";
import { MARGIN, TOP, WIDTH } from "../../ui/wide_window.ts";
import { type Scene } from "../../ui/scene.ts";
import type { Inspection } from "./state.ts";

const BQ_ZOOM = 7;
const BQ_GAP = 28;

/** Draws the view. */
export function drawBackquery(c: Scene, ins: Inspection) {
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
