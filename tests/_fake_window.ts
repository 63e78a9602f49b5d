/**
 * A stand-in for `Window` that records what is drawn instead of drawing it, so
 * that views can be tested without SDL or a display: each filled rectangle
 * with its colour, each line of text with its place and colour.
 *
 * @module
 */
import type { Window } from "../lib/native/sdl2.ts";
import type { Font } from "../lib/native/sdl2_ttf.ts";
import { FONT_SPECS, type Fonts } from "../lib/ui/fonts.ts";

/** A filled rectangle and its colour. */
export interface DrawnRect {
  x: number;
  y: number;
  w: number;
  h: number;
  rgb: number;
  alpha: number;
}

/** A line of text: where its top-left went, its colour and font size. */
export interface DrawnText {
  text: string;
  x: number;
  y: number;
  rgb: number;
  size: number;
}

/** Records the calls a view makes; `window` is it, typed as a `Window`. */
export class FakeWindow {
  readonly rects: DrawnRect[] = [];
  readonly texts: DrawnText[] = [];
  presented = 0;
  #rgb = 0;
  #alpha = 255;

  get window(): Window {
    return this as unknown as Window;
  }

  setColour(rgb: number, alpha = 255): void {
    this.#rgb = rgb;
    this.#alpha = alpha;
  }

  fillRect(x: number, y: number, w: number, h: number): void {
    this.rects.push({ x, y, w, h, rgb: this.#rgb, alpha: this.#alpha });
  }

  /** Text is 0.6 of the font size wide per character, 1.2 of it high. */
  text(font: Font, text: string, rgb: number) {
    const width = Math.round(text.length * font.size * 0.6);
    const height = Math.round(font.size * 1.2);
    const texts = this.texts;
    return {
      width,
      height,
      draw(x: number, y: number) {
        texts.push({ text, x, y, rgb, size: font.size });
      },
      [Symbol.dispose]() {},
    };
  }

  present(): void {
    this.presented++;
  }

  /** The drawn text lines that include `fragment`. */
  textsWith(fragment: string): DrawnText[] {
    return this.texts.filter((t) => t.text.includes(fragment));
  }
}

/** Stand-ins for the fonts: only their sizes matter to a `FakeWindow`. */
export function fakeFonts(): Fonts {
  const fonts: Record<string, { size: number; path: string }> = {};
  for (const [name, spec] of Object.entries(FONT_SPECS)) {
    fonts[name] = { size: spec.size, path: `fake-${name}` };
  }
  return fonts as unknown as Fonts;
}
