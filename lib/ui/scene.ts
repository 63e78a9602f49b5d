/**
 * What a view is drawn into before it is shown: a `Scene`, the RGB pixels of
 * the picture (a `Raster`) and the lines of text to write over them, as
 * labels. A window writes the labels with the real fonts (`showScene()`); a
 * PNG file gets them burnt into the pixels (`burnLabels()`), in the same
 * fonts rendered in memory, or the raster's pixel font where those are
 * missing. inspect's views, the training window and the sweep's
 * charts are all drawn this way, so a window and its pictures match.
 *
 * @module
 */
import { alignedLeft, Raster } from "../image/raster.ts";
import type { PixelTexture, Window } from "../native/sdl2.ts";
import { renderInk } from "../native/sdl2_ttf.ts";
import { isUserError } from "../errors.ts";
import { type FontName, Fonts } from "./fonts.ts";
import { COLOURS } from "./palette.ts";
import { drawText, type TextOptions, textOptions } from "./text.ts";

/**
 * A line of text to write over a view: where and how, as the windows' own
 * text is drawn (`drawText()`), every default filled in.
 */
export interface Label extends Required<TextOptions> {
  text: string;
}

/** A view ready to show: its pixels and the text to write over them. */
export class Scene {
  readonly raster: Raster;
  readonly labels: Label[] = [];

  /** An empty scene of `width` x `height` pixels, on the panel's colour. */
  constructor(width: number, height: number) {
    this.raster = new Raster(width, height, COLOURS.panel);
  }

  /** Adds a line of text, placed and styled as `options` say. */
  text(text: string, options: TextOptions): void {
    this.labels.push({ text, ...textOptions(options) });
  }
}

/**
 * Pixel-font scale and vertical offset standing in for each font the views
 * use, for pictures without a window; any other font as `body`.
 */
const PIXEL_FONTS: Partial<Record<FontName, { scale: number; dy: number }>> = {
  small: { scale: 2, dy: 3 },
  body: { scale: 2, dy: 4 },
  bold: { scale: 2, dy: 4 },
  title: { scale: 3, dy: 4 },
};

/**
 * Writes a scene's labels into its raster, for a picture file: in the
 * windows' `fonts`, rendered in memory (no window needed), so that the file
 * looks as the window does; without them, in the raster's pixel font.
 */
export function burnLabels(scene: Scene, fonts?: Fonts): Raster {
  for (const l of scene.labels) {
    if (fonts) {
      if (l.text === "") continue;
      const ink = renderInk(fonts[l.font], l.text);
      scene.raster.ink(
        alignedLeft(l.x, ink.width, l.align),
        l.y,
        ink,
        l.colour,
      );
    } else {
      const s = PIXEL_FONTS[l.font] ?? PIXEL_FONTS.body!;
      scene.raster.label(l.text, l.x, l.y + s.dy, l.colour, s.scale, l.align);
    }
  }
  return scene.raster;
}

/**
 * The windows' fonts for writing pictures, or undefined where they cannot be
 * opened (the fonts or SDL2_ttf missing): the pictures then get the pixel
 * font, and are written all the same.
 */
export function pictureFonts(): Fonts | undefined {
  try {
    return new Fonts();
  } catch (e) {
    if (isUserError(e)) return undefined;
    throw e;
  }
}

/**
 * Shows `scene` in `win` at its top-left: its pixels through `texture` (as
 * large as the scene), then its labels in the real fonts. `pixels` is the
 * scene's size of scratch space. The caller presents the window.
 */
export function showScene(
  win: Window,
  texture: PixelTexture,
  pixels: Uint32Array,
  fonts: Fonts,
  scene: Scene,
): void {
  scene.raster.toArgb(pixels);
  texture.update(null, pixels);
  texture.draw(0, 0);
  for (const { text, ...options } of scene.labels) {
    drawText(win, fonts, text, options);
  }
}
