/**
 * The sweep's charts: test accuracy against each axis swept, in the style of
 * inspect's training curves (the same `drawPlot()`), one PNG per axis and
 * all of them side by side in a window. The learning rate and the hidden
 * units are drawn on log scales, as the book's values spread over decades;
 * the swept values are the ticks.
 *
 * @module
 */
import { join } from "node:path";
import { replaceFile } from "../atomic_file.ts";
import { encodePng } from "../image/png.ts";
import {
  DisplayError,
  Key,
  PixelTexture,
  type SdlEvent,
  Window,
} from "../native/sdl2.ts";
import { EventLoop } from "../ui/event_loop.ts";
import { Fonts } from "../ui/fonts.ts";
import { counted, percent } from "../ui/format.ts";
import { COLOURS } from "../ui/palette.ts";
import { drawPlot } from "../ui/plot.ts";
import { burnLabels, pictureFonts, Scene, showScene } from "../ui/scene.ts";
import type { Box } from "../ui/unit_grid.ts";
import type { Axis, SweepResult } from "./sweep.ts";

/** How each axis is named and drawn. */
const AXIS_LOOK: Record<
  Axis,
  { noun: string; label: string; log: boolean; unit: (v: number) => string }
> = {
  rate: {
    noun: "the learning rate",
    label: "learning rate",
    log: true,
    unit: (v) => `rate ${v}`,
  },
  epochs: {
    noun: "epochs",
    label: "epochs",
    log: false,
    unit: (v) => counted(v, "epoch"),
  },
  hidden: {
    noun: "hidden units",
    label: "hidden units",
    log: true,
    unit: (v) => `${v} hidden units`,
  },
};

/** The size of one axis's picture. */
export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 460;
/** Height of the line of settings above a chart. */
const HEADER = 28;

/** The axes present in `results`, in order, each with its results. */
export function byAxis(
  results: readonly SweepResult[],
): [Axis, SweepResult[]][] {
  const axes = new Map<Axis, SweepResult[]>();
  for (const r of results) {
    if (!axes.has(r.axis)) axes.set(r.axis, []);
    axes.get(r.axis)!.push(r);
  }
  return [...axes];
}

/** The settings held while `axis` was swept, as a line under the title. */
export function heldLine(
  axis: Axis,
  results: readonly SweepResult[],
  recipe: string,
): string {
  const r = results[0];
  const held = (["epochs", "hidden", "rate"] as const)
    .filter((a) => a !== axis)
    .map((a) => AXIS_LOOK[a].unit(r[a]));
  return `${recipe} recipe: ${held.join(", ")} (${
    counted(results.length, "run")
  })`;
}

/** Draws the chart of `axis` into `box` of `scene`. */
export function drawChart(
  scene: Scene,
  box: Box,
  axis: Axis,
  results: readonly SweepResult[],
  recipe: string,
): void {
  const look = AXIS_LOOK[axis];
  scene.text(heldLine(axis, results, recipe), {
    x: box.x,
    y: box.y,
    colour: COLOURS.muted,
  });
  const sorted = [...results].sort((a, b) => a.value - b.value);
  drawPlot(scene, {
    x: box.x,
    y: box.y + HEADER,
    w: box.w,
    h: box.h - HEADER,
  }, {
    title: `Test accuracy against ${look.noun}`,
    headline: "",
    xs: sorted.map((r) => r.value),
    ys: sorted.map((r) => r.accuracy),
    x: {
      label: look.label,
      log: look.log,
      ticks: sorted.map((r) => r.value),
      format: (v) => String(v),
    },
    y: { label: "test accuracy", format: (v) => percent(v, 1) },
    colour: COLOURS.right,
    dots: true,
  });
}

/** One axis's chart as a picture of its own. */
export function chartScene(
  axis: Axis,
  results: readonly SweepResult[],
  recipe: string,
): Scene {
  const scene = new Scene(CHART_WIDTH, CHART_HEIGHT);
  drawChart(
    scene,
    {
      x: 20,
      y: 16,
      w: CHART_WIDTH - 40,
      h: CHART_HEIGHT - 32,
    },
    axis,
    results,
    recipe,
  );
  return scene;
}

/**
 * Writes `DIR/<axis>.png` for each axis in `results`, and removes an earlier
 * sweep's chart of any other axis, which results.csv no longer holds;
 * returns the paths written.
 */
export async function writeCharts(
  dir: string,
  results: readonly SweepResult[],
  recipe: string,
): Promise<string[]> {
  const charts = byAxis(results);
  for (const axis of Object.keys(AXIS_LOOK)) {
    if (charts.some(([a]) => a === axis)) continue;
    try {
      await Deno.remove(join(dir, `${axis}.png`));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const paths: string[] = [];
  using fonts = pictureFonts();
  for (const [axis, rs] of charts) {
    const raster = burnLabels(chartScene(axis, rs, recipe), fonts);
    const path = join(dir, `${axis}.png`);
    await replaceFile(
      path,
      encodePng(raster.width, raster.height, 3, raster.rgb),
    );
    paths.push(path);
  }
  return paths;
}

/**
 * Width of one chart in the window, where they stand side by side: a chart
 * alone as wide as its picture, three narrower, to fit a screen 1400 wide.
 */
const WINDOW_CHART = [CHART_WIDTH, CHART_WIDTH, 600, 460];
/** Height of the line of keys under the charts. */
const KEYS_HEIGHT = 24;

/** Every axis's chart side by side, as the window shows them, the keys under. */
export function chartsScene(
  results: readonly SweepResult[],
  recipe: string,
): Scene {
  const axes = byAxis(results);
  const w = WINDOW_CHART[Math.min(axes.length, 3)];
  const scene = new Scene(
    Math.max(1, axes.length) * w,
    CHART_HEIGHT + KEYS_HEIGHT,
  );
  axes.forEach(([axis, rs], k) =>
    drawChart(
      scene,
      { x: k * w + 16, y: 16, w: w - 32, h: CHART_HEIGHT - 32 },
      axis,
      rs,
      recipe,
    )
  );
  scene.text("ESC close", {
    x: scene.raster.width - 16,
    y: CHART_HEIGHT - 8,
    colour: COLOURS.muted,
    align: "right",
  });
  return scene;
}

/**
 * Shows the charts in a window until ESC or the window is closed. Without a
 * display there is nothing to show: returns false, having opened nothing.
 */
export async function showCharts(
  results: readonly SweepResult[],
  recipe: string,
): Promise<boolean> {
  const scene = chartsScene(results, recipe);
  const { width, height } = scene.raster;
  let win: Window;
  try {
    win = new Window("Sweep: test accuracy", width, height);
  } catch (e) {
    if (e instanceof DisplayError) return false;
    throw e;
  }
  using _win = win;
  using fonts = new Fonts();
  using texture = new PixelTexture(win, width, height);
  const pixels = new Uint32Array(width * height);
  await new EventLoop(win).run({
    draw: () => {
      showScene(win, texture, pixels, fonts, scene);
      win.present();
    },
    handle: (event: SdlEvent) =>
      event.type === "keydown" && event.key === Key.ESCAPE ? "quit" : false,
  });
  return true;
}
