/**
 * The fonts every window draws with: the DejaVu regular and bold faces at the
 * few sizes used, each under a name, opened together and closed together.
 * Where the faces are found is `findFont()`'s business (text.ts).
 *
 * @module
 */
import type { Font } from "../native/sdl2_ttf.ts";
import { type Face, openFont } from "./text.ts";

/** Each font's face and size in points. */
export const FONT_SPECS = {
  /** Captions, key help, the probability bars. */
  small: { face: "regular", size: 14 },
  body: { face: "regular", size: 16 },
  bold: { face: "bold", size: 16 },
  /** A view's heading (inspect). */
  title: { face: "bold", size: 20 },
  /** The network's answer beside a record. */
  digit: { face: "bold", size: 44 },
  /** The network's answer beside a drawing. */
  answer: { face: "bold", size: 72 },
  /** A record's label over the whole digit. */
  huge: { face: "bold", size: 420 },
} as const satisfies Record<string, { face: Face; size: number }>;

/** The name of one of the fonts. */
export type FontName = keyof typeof FONT_SPECS;

/** Every font's name, in `FONT_SPECS` order. */
export const FONT_NAMES = Object.keys(FONT_SPECS) as FontName[];

/**
 * Every font of `FONT_SPECS`, open, under its name. Opening throws
 * `NotFound` saying how to install the fonts when a face is missing; open
 * them before the window, so that this error comes first. `using` closes
 * them.
 */
export class Fonts implements Record<FontName, Font>, Disposable {
  readonly small!: Font;
  readonly body!: Font;
  readonly bold!: Font;
  readonly title!: Font;
  readonly digit!: Font;
  readonly answer!: Font;
  readonly huge!: Font;

  constructor() {
    const fonts = this as { -readonly [N in FontName]: Font };
    try {
      for (const name of FONT_NAMES) {
        const { face, size } = FONT_SPECS[name];
        fonts[name] = openFont(size, face);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Closes every font; later calls do nothing. */
  close(): void {
    for (const name of FONT_NAMES) this[name]?.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
