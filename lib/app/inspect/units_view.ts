/**
 * inspect's "Hidden units" view: every hidden unit's incoming weights as a
 * tile of a grid, one colour scale for all, and under the grid the chosen
 * unit enlarged with its bias and outgoing weights. `weightGrid()` and
 * `drawWeightTiles()` draw the grid alone, for any picture of the weights.
 *
 * @module
 */
import { CLASSES, PIXELS, SIDE } from "../../data/mnist.ts";
import { divergingColour, WEIGHT_QUANTILE } from "../../image/colour_map.ts";
import { signed } from "../../ui/format.ts";
import { COLOURS } from "../../ui/palette.ts";
import {
  drawWeightTiles,
  tileAt,
  type UnitGrid,
  unitGrid,
} from "../../ui/unit_grid.ts";
import { HEIGHT, MARGIN, TOP, WIDTH } from "../../ui/wide_window.ts";
import { type Scene } from "../../ui/scene.ts";
import type { Inspection } from "./state.ts";

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

/** How many times its size the chosen unit is shown under the grid. */
export const DETAIL_ZOOM = 5;

/** The top of the strip under the grid that shows the chosen unit. */
export function detailTop(grid: UnitGrid): number {
  return Math.max(grid.y + grid.rows * grid.pitch + 12, HEIGHT - 150);
}

/** Draws the view, with hidden unit `unit` chosen (-1: none). */
export function drawUnits(c: Scene, ins: Inspection, unit: number) {
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
