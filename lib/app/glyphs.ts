/**
 * Letters and symbols rendered from the DejaVu fonts, as ink, for the
 * examples that are no digit (lib/image/non_digits.ts). Rendering needs
 * SDL2_ttf and the fonts, but no display.
 *
 * @module
 */
import type { GreyImage } from "../image/preprocess.ts";
import { Font, hasGlyph, renderInk } from "../native/sdl2_ttf.ts";
import { findFont } from "../ui/text.ts";

/**
 * The fonts training draws letters from: the sans-serif and serif faces of
 * Debian's fonts-dejavu-core. Its monospaced faces are kept for checking
 * letters that training never saw.
 */
export const TRAINING_FONTS = [
  "DejaVuSans.ttf",
  "DejaVuSans-Bold.ttf",
  "DejaVuSerif.ttf",
  "DejaVuSerif-Bold.ttf",
];

/** Size, in points, letters are rendered at: large enough for a fine pen. */
const GLYPH_SIZE = 48;

/**
 * Each character of `characters` in each font of `fonts` (file names, found
 * where the windows look for fonts), as ink; a font without a character is
 * passed over (its stand-in box would be a 0).
 */
export function renderGlyphs(
  characters: string,
  fonts: readonly string[] = TRAINING_FONTS,
): GreyImage[] {
  const glyphs: GreyImage[] = [];
  for (const file of fonts) {
    using font = new Font(findFont(file), GLYPH_SIZE);
    for (const ch of characters) {
      if (hasGlyph(font, ch.codePointAt(0)!)) glyphs.push(renderInk(font, ch));
    }
  }
  return glyphs;
}
