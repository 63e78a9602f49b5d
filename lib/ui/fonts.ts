/**
 * The fonts both windows draw with: the DejaVu regular and bold faces at the
 * few sizes used, opened together and closed together.
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
  /** The network's answer beside a record. */
  digit: { face: "bold", size: 44 },
  /** The network's answer beside a drawing. */
  answer: { face: "bold", size: 72 },
  /** A record's label over the whole digit. */
  huge: { face: "bold", size: 420 },
} as const satisfies Record<string, { face: Face; size: number }>;

/** The name of one of the fonts. */
export type FontName = keyof typeof FONT_SPECS;

/**
 * Every font of `FONT_SPECS`, open. Opening throws `NotFound` naming the
 * package to install when a face is missing; open them before the window, so
 * that this error comes first. `using` closes them.
 */
export class Fonts implements Disposable {
  readonly small: Font;
  readonly body: Font;
  readonly bold: Font;
  readonly digit: Font;
  readonly answer: Font;
  readonly huge: Font;

  constructor() {
    const opened: Font[] = [];
    const open = (name: FontName) => {
      const { face, size } = FONT_SPECS[name];
      const font = openFont(size, face);
      opened.push(font);
      return font;
    };
    try {
      this.small = open("small");
      this.body = open("body");
      this.bold = open("bold");
      this.digit = open("digit");
      this.answer = open("answer");
      this.huge = open("huge");
    } catch (e) {
      for (const f of opened) f.close();
      throw e;
    }
  }

  /** Closes every font; later calls do nothing. */
  close(): void {
    for (
      const f of [
        this.small,
        this.body,
        this.bold,
        this.digit,
        this.answer,
        this.huge,
      ]
    ) {
      f.close();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
