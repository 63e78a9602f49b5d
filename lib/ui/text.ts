/**
 * Text for the windows: the DejaVu fonts of the Debian package
 * fonts-dejavu-core, and drawing a line of text aligned to a point.
 *
 * @module
 */
import { join } from "node:path";
import type { Rgb, Window } from "../native/sdl2.ts";
import { Font, Text } from "../native/sdl2_ttf.ts";

/** Where fonts-dejavu-core installs its fonts. */
export const DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu";
/** Environment variable naming another folder to look for the fonts in. */
export const FONT_DIR_ENV = "MNIST_FONT_DIR";

/** The font faces the windows use. */
export type Face = "regular" | "bold";

const FILES: Record<Face, string> = {
  regular: "DejaVuSans.ttf",
  bold: "DejaVuSans-Bold.ttf",
};

/** The path of a DejaVu face, or `NotFound` naming the package to install. */
export function findFont(face: Face = "regular"): string {
  const dir = Deno.env.get(FONT_DIR_ENV) || DEJAVU_DIR;
  const path = join(dir, FILES[face]);
  try {
    if (Deno.statSync(path).isFile) return path;
  } catch (e) {
    if (
      !(e instanceof Deno.errors.NotFound ||
        e instanceof Deno.errors.NotADirectory)
    ) throw e;
  }
  throw new Deno.errors.NotFound(
    Deno.env.get(FONT_DIR_ENV)
      ? `Cannot find the font '${path}' (${FONT_DIR_ENV} is set to '${dir}'): point it at a folder with the DejaVu fonts, or unset it to use the Debian package fonts-dejavu-core`
      : `Cannot find the font '${path}': install the Debian package fonts-dejavu-core`,
  );
}

/** Opens a DejaVu face at `size` points. */
export function openFont(size: number, face: Face = "regular"): Font {
  return new Font(findFont(face), size);
}

/** A line of text ready to draw: what `renderText()` returns. */
export interface TextLine extends Disposable {
  readonly width: number;
  readonly height: number;
  draw(x: number, y: number): void;
}

/**
 * A surface that renders its own text. The windows' views draw through
 * `renderText()`, which uses it where present: a stand-in window that records
 * what is drawn (for tests without a display) provides it.
 */
interface TextSurface {
  text?(font: Font, text: string, rgb: Rgb): TextLine;
}

/** Renders `text` in `font` and colour `rgb` for drawing in `window`. */
export function renderText(
  window: Window,
  font: Font,
  text: string,
  rgb: Rgb,
): TextLine {
  const own = (window as TextSurface).text;
  return own
    ? own.call(window, font, text, rgb)
    : new Text(window, font, text, rgb);
}

/** Horizontal alignment of `drawText()`: which side of the text is at x. */
export type Align = "left" | "centre" | "right";

/**
 * Draws one line of text with its top at `y` and its left, centre or right at
 * `x`. Returns the text's width and height in pixels.
 */
export function drawText(
  window: Window,
  font: Font,
  text: string,
  x: number,
  y: number,
  rgb: Rgb,
  align: Align = "left",
): { width: number; height: number } {
  using t = renderText(window, font, text, rgb);
  const left = align === "left"
    ? x
    : align === "centre"
    ? x - Math.round(t.width / 2)
    : x - t.width;
  t.draw(left, y);
  return { width: t.width, height: t.height };
}
