/**
 * What every view of `deno task inspect` is drawn into: a `Scene`, the RGB
 * pixels of the whole window (a `Raster`) and the lines of text to write over
 * them, as labels. The window writes the labels with the real fonts; `--png`
 * burns them into the raster with its pixel font. Also the layout the views
 * share: the window's size, the tab bar, the margins.
 *
 * @module
 */
import { Raster } from "../../image/raster.ts";
import type { FontName } from "../../ui/fonts.ts";
import { COLOURS } from "../../ui/palette.ts";
import { type TextOptions, textOptions } from "../../ui/text.ts";

/** The window, and every picture --png writes except the backquery digits. */
export const WIDTH = 1200;
export const HEIGHT = 800;
/** The tab bar across the top. */
export const TAB_HEIGHT = 44;
export const TAB_WIDTH = 190;
/** Margin around the content. */
export const MARGIN = 20;
/** The top of a view's content, under the tab bar. */
export const TOP = TAB_HEIGHT + 14;

/**
 * A line of text to write over a view: where and how, as the windows' own
 * text is drawn (`drawText()`), every default filled in.
 */
export interface Label extends Required<TextOptions> {
  text: string;
}

/** A view ready to show: its pixels and the text to write over them. */
export class Scene {
  readonly raster: Raster = new Raster(WIDTH, HEIGHT, COLOURS.panel);
  readonly labels: Label[] = [];

  /** Adds a line of text, placed and styled as `options` say. */
  text(text: string, options: TextOptions): void {
    this.labels.push({ text, ...textOptions(options) });
  }
}

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
