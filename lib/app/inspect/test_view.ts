/**
 * inspect's "Test set" view: the overall accuracy, the confusion matrix as a
 * heat map, the accuracy per digit, and the records of the chosen cell.
 *
 * @module
 */
import { CLASSES, PIXELS, SIDE } from "../../data/mnist.ts";
import { sequentialColour } from "../../image/colour_map.ts";
import { counted, percent } from "../../ui/format.ts";
import { COLOURS } from "../../ui/palette.ts";
import { HEIGHT, MARGIN, TOP, WIDTH } from "../../ui/wide_window.ts";
import { type Scene } from "../../ui/scene.ts";
import type { Inspection } from "./state.ts";

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

/** Draws the view, with confusion cell `cell` chosen. */
export function drawTest(c: Scene, ins: Inspection, cell: number) {
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
    : `${label}s read as ${guess}: ${counted(records.length, "record")}`;
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
