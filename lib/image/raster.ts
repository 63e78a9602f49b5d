/**
 * An RGB picture in memory, drawn into with plain TypeScript: rectangles,
 * lines, images of numbers through a colour map, and small labels in a
 * built-in pixel font. `deno task inspect` draws its views into one: its
 * window shows it as one texture (with the real fonts on top), `--png`
 * encodes it as it is (lib/image/png.ts).
 *
 * @module
 */
import { GLYPH_HEIGHT, GLYPH_WIDTH, GLYPHS } from "./_pixel_font.ts";

/** A colour as 0xRRGGBB. */
export type Rgb = number;

/** Horizontal alignment of a line of text: which of its sides is at x. */
export type Align = "left" | "centre" | "right";

/** The left edge of a line `width` pixels wide whose `align` side is at `x`. */
export function alignedLeft(x: number, width: number, align: Align): number {
  return align === "left"
    ? x
    : align === "centre"
    ? x - Math.round(width / 2)
    : x - width;
}

/** An RGB picture, 3 bytes a pixel, row-major. Drawing clips to its edges. */
export class Raster {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;

  constructor(width: number, height: number, background: Rgb = 0xffffff) {
    if (
      !Number.isInteger(width) || !Number.isInteger(height) || width < 1 ||
      height < 1
    ) {
      throw new RangeError(`Raster: ${width}x${height} is not a picture size`);
    }
    this.width = width;
    this.height = height;
    this.rgb = new Uint8Array(width * height * 3);
    this.fill(0, 0, width, height, background);
  }

  /** Fills the rectangle at (x, y) of `w` x `h` pixels, clipped. */
  fill(x: number, y: number, w: number, h: number, rgb: Rgb): void {
    const x0 = Math.max(0, Math.round(x)), y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    if (x1 <= x0 || y1 <= y0) return;
    const r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;
    const px = this.rgb;
    for (let yy = y0; yy < y1; yy++) {
      let i = (yy * this.width + x0) * 3;
      for (let xx = x0; xx < x1; xx++, i += 3) {
        px[i] = r;
        px[i + 1] = g;
        px[i + 2] = b;
      }
    }
  }

  /** Draws the outline of a rectangle, `t` pixels thick, inside its edges. */
  frame(x: number, y: number, w: number, h: number, rgb: Rgb, t = 1): void {
    this.fill(x, y, w, t, rgb);
    this.fill(x, y + h - t, w, t, rgb);
    this.fill(x, y, t, h, rgb);
    this.fill(x + w - t, y, t, h, rgb);
  }

  /** Draws a line `t` pixels thick from (x0, y0) to (x1, y1). */
  line(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    rgb: Rgb,
    t = 1,
  ): void {
    const steps = Math.max(
      1,
      Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))),
    );
    const half = (t - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const x = x0 + (x1 - x0) * s / steps, y = y0 + (y1 - y0) * s / steps;
      this.fill(Math.round(x - half), Math.round(y - half), t, t, rgb);
    }
  }

  /**
   * Draws a `side` x `side` image whose pixel i has colour `colour(i)`, each
   * pixel as a `scale` x `scale` square, top-left at (x, y).
   */
  image(
    x: number,
    y: number,
    side: number,
    scale: number,
    colour: (i: number) => Rgb,
  ): void {
    for (let row = 0; row < side; row++) {
      for (let col = 0; col < side; col++) {
        this.fill(
          x + col * scale,
          y + row * scale,
          scale,
          scale,
          colour(row * side + col),
        );
      }
    }
  }

  /**
   * Writes `text` in the built-in pixel font (capitals, digits and a little
   * punctuation; lower case is shown as capitals, other characters as
   * spaces), each font pixel `scale` x `scale`. Returns the width drawn.
   */
  label(
    text: string,
    x: number,
    y: number,
    rgb: Rgb,
    scale = 2,
    align: Align = "left",
  ): number {
    const w = labelWidth(text, scale);
    let left = alignedLeft(x, w, align);
    for (const ch of text.toUpperCase()) {
      const glyph = GLYPHS[ch];
      if (glyph) {
        for (let row = 0; row < GLYPH_HEIGHT; row++) {
          for (let col = 0; col < GLYPH_WIDTH; col++) {
            if (glyph[row][col] === "#") {
              this.fill(left + col * scale, y + row * scale, scale, scale, rgb);
            }
          }
        }
      }
      left += (GLYPH_WIDTH + 1) * scale;
    }
    return w;
  }

  /**
   * Lays `rgb` over the picture through `ink` (a `width` x `height` image of
   * coverage, 0 none to 255 full, e.g. anti-aliased text), its top-left at
   * (x, y); what falls outside the picture is dropped.
   */
  ink(
    x: number,
    y: number,
    ink: { width: number; height: number; data: Uint8Array },
    rgb: Rgb,
  ): void {
    const r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;
    for (let j = 0; j < ink.height; j++) {
      const py = y + j;
      if (py < 0 || py >= this.height) continue;
      for (let i = 0; i < ink.width; i++) {
        const px = x + i, a = ink.data[j * ink.width + i];
        if (a === 0 || px < 0 || px >= this.width) continue;
        const k = 3 * (py * this.width + px), t = a / 255;
        this.rgb[k] = Math.round(this.rgb[k] + (r - this.rgb[k]) * t);
        this.rgb[k + 1] = Math.round(
          this.rgb[k + 1] + (g - this.rgb[k + 1]) * t,
        );
        this.rgb[k + 2] = Math.round(
          this.rgb[k + 2] + (b - this.rgb[k + 2]) * t,
        );
      }
    }
  }

  /** Copies the picture into 0xAARRGGBB pixels for an SDL texture. */
  toArgb(out: Uint32Array): void {
    if (out.length !== this.width * this.height) {
      throw new RangeError(
        `Raster.toArgb: ${out.length} pixels, the picture has ${
          this.width * this.height
        }`,
      );
    }
    const px = this.rgb;
    for (let i = 0, j = 0; i < out.length; i++, j += 3) {
      out[i] = (0xff000000 | px[j] << 16 | px[j + 1] << 8 | px[j + 2]) >>> 0;
    }
  }
}

/** Width in pixels of `text` in the pixel font at `scale`. */
export function labelWidth(text: string, scale = 2): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * (GLYPH_WIDTH + 1) - 1) * scale;
}
