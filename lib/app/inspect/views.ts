/**
 * The four views of `deno task inspect`, each drawn by plain TypeScript into
 * a `Scene` (scene.ts): the pixels (weights, images, heat map, curves) and
 * the text to write over them. This module draws the tab bar and the view the
 * state asks for; each view is in a module of its own. Layout and hit tests
 * share the same constants, so a click lands where the thing is drawn.
 *
 * @module
 */
import { COLOURS } from "../../ui/palette.ts";
import { drawBackquery } from "./backquery_view.ts";
import { drawCurves } from "./curves_view.ts";
import {
  HEIGHT,
  MARGIN,
  TAB_HEIGHT,
  TAB_WIDTH,
  WIDTH,
} from "../../ui/wide_window.ts";
import { Scene } from "../../ui/scene.ts";
import { type Inspection, type UiState, VIEWS } from "./state.ts";
import { drawTest } from "./test_view.ts";
import { drawUnits } from "./units_view.ts";

/** Tab captions, in VIEWS order. */
export const TAB_TITLES: Record<typeof VIEWS[number], string> = {
  units: "1  Hidden units",
  backquery: "2  Backquery",
  test: "3  Test set",
  curves: "4  Training",
};

/** Draws the view `ui` asks for. */
export function renderView(ins: Inspection, ui: UiState): Scene {
  const c = new Scene(WIDTH, HEIGHT);
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
  return c;
}

function drawTabs(c: Scene, ins: Inspection, view: number) {
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
