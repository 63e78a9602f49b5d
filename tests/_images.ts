/**
 * Image files for the tests: a small PNG encoder (independent of SDL2_image,
 * so that the decoder is checked against something else, and able to write
 * crafted headers) and ImageMagick.
 */
import { deflateSync } from "node:zlib";
import { concatBytes } from "../lib/bytes.ts";
import { Canvas } from "../lib/image/canvas.ts";
import { pngChunk } from "../lib/image/png.ts";
import { Random } from "../lib/random.ts";
import { DIGITS } from "./_sample_drawings.ts";

/**
 * An 8-bit PNG of `channels` (1 grey, 3 RGB, 4 RGBA) values per pixel,
 * row-major in `data`. `claim`, if given, is the size the header states
 * instead of the real one (for crafted files).
 */
export function encodePng(
  width: number,
  height: number,
  data: Uint8Array,
  channels: 1 | 3 | 4 = 1,
  claim?: { width: number; height: number },
): Uint8Array<ArrayBuffer> {
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `${data.length} values for ${width}x${height}x${channels}`,
    );
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, claim?.width ?? width);
  view.setUint32(4, claim?.height ?? height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = { 1: 0, 3: 2, 4: 6 }[channels]; // colour type
  // Each row starts with its filter type, 0 = none.
  const row = width * channels;
  const raw = new Uint8Array((row + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(data.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  }
  return concatBytes([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

/** Runs ImageMagick's `convert` with `args`; throws with its stderr on failure. */
export async function magick(...args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("convert", {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `convert ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`,
    );
  }
}

/**
 * A "photo" of the 28x28 MNIST digit `digit` written in dark ink on paper:
 * 360x300 RGB, the digit about 250 pixels high, on warm grey paper lit
 * unevenly (a gradient and a slow wave), blurred, with Gaussian noise and a
 * few dark specks. Returned as RGBA bytes, like a decoded file.
 */
export function paperPhoto(
  digit: Uint8Array,
  seed: number,
): { width: number; height: number; data: Uint8Array } {
  const W = 360, H = 300, S = 9;
  const rng = new Random(seed);
  const ox = 40 + rng.nextUint32() % 60, oy = 10 + rng.nextUint32() % 20;
  const grey = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Bilinear sample of the digit (pixel centres at integer + 0.5).
      const u = (x - ox) / S - 0.5, v = (y - oy) / S - 0.5;
      const x0 = Math.floor(u), y0 = Math.floor(v), fx = u - x0, fy = v - y0;
      const at = (c: number, r: number) =>
        c < 0 || r < 0 || c >= 28 || r >= 28 ? 0 : digit[r * 28 + c] / 255;
      const ink = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
        fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
      const paper = 125 + 60 * x / W + 35 * y / H +
        18 * Math.sin(x / 45) * Math.cos(y / 60);
      grey[y * W + x] = paper * (1 - ink) + 35 * ink;
    }
  }
  // A 5x5 box blur, then noise and specks.
  const blurred = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sum = 0, count = 0;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const xx = x + dx, yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
          sum += grey[yy * W + xx];
          count++;
        }
      }
      blurred[y * W + x] = sum / count;
    }
  }
  for (let i = 0; i < W * H; i++) blurred[i] += 12 * rng.normal();
  for (let k = 0; k < 40; k++) {
    const x = rng.nextUint32() % (W - 2), y = rng.nextUint32() % (H - 2);
    for (const d of [0, 1, W, W + 1]) blurred[y * W + x + d] = 40;
  }
  const data = new Uint8Array(W * H * 4);
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let i = 0; i < W * H; i++) {
    data[4 * i] = byte(blurred[i]);
    data[4 * i + 1] = byte(blurred[i] * 0.96);
    data[4 * i + 2] = byte(blurred[i] * 0.88);
    data[4 * i + 3] = 255;
  }
  return { width: W, height: H, data };
}

/** Where and how `pageWithDigit()` writes its digit, and how the page is lit. */
export interface PageOptions {
  width: number;
  height: number;
  /** The digit's top-left corner, in pixels of the page. */
  x: number;
  y: number;
  /** The digit's height in pixels. */
  size: number;
  /** The pen's width in pixels. */
  pen: number;
  /** The light at each pixel, 1 = full (a shadow or gradient is less). */
  light?: (x: number, y: number) => number;
  /** Standard deviation of the noise, in grey levels. */
  noise?: number;
  seed?: number;
}

/**
 * A page with the digit `digit` written on it (the strokes of
 * tests/_sample_drawings.ts), photographed or scanned: dark ink (level 30
 * in full light) on white paper (235), both times the light, with Gaussian
 * noise. Returned as RGBA bytes, like a decoded file, with the box of the
 * pixels that the pen inked at least half.
 */
export function pageWithDigit(digit: number, options: PageOptions): {
  image: { width: number; height: number; data: Uint8Array };
  box: { x: number; y: number; width: number; height: number };
} {
  const { width: W, height: H, x, y, size, pen } = options;
  const { light = () => 1, noise = 0, seed = 1 } = options;
  const canvas = new Canvas(W, H, { radius: pen / 2, softness: 1 });
  for (const line of DIGITS[digit]) {
    for (let i = 0; i < line.length; i++) {
      const [xa, ya] = line[Math.max(0, i - 1)], [xb, yb] = line[i];
      canvas.stroke(x + size * xa, y + size * ya, x + size * xb, y + size * yb);
    }
  }
  const rng = new Random(seed);
  const data = new Uint8Array(W * H * 4);
  let x0 = W, x1 = -1, y0 = H, y1 = -1;
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < W; px++) {
      const i = py * W + px, a = canvas.data[i];
      if (a >= 0.5) {
        x0 = Math.min(x0, px);
        x1 = Math.max(x1, px);
        y0 = Math.min(y0, py);
        y1 = Math.max(y1, py);
      }
      const v = light(px, py) * (235 * (1 - a) + 30 * a) +
        (noise > 0 ? noise * rng.normal() : 0);
      data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = Math.max(
        0,
        Math.min(255, Math.round(v)),
      );
      data[4 * i + 3] = 255;
    }
  }
  return {
    image: { width: W, height: H, data },
    box: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 },
  };
}

/**
 * A page `width` x `height` with `ink` (amounts 0..1, as `compose()` of
 * tests/_numbers.ts lays out a number) written on it, its top-left corner at
 * (`x`, `y`): dark ink (level 30) on white paper (235), with Gaussian noise
 * of `noise` grey levels. Returned as RGBA bytes, like a decoded file.
 */
export function inkOnPage(
  ink: { width: number; height: number; data: Float32Array },
  { width = ink.width, height = ink.height, x = 0, y = 0, noise = 0, seed = 1 }:
    {
      width?: number;
      height?: number;
      x?: number;
      y?: number;
      noise?: number;
      seed?: number;
    } = {},
): { width: number; height: number; data: Uint8Array } {
  if (x < 0 || y < 0 || x + ink.width > width || y + ink.height > height) {
    throw new RangeError(
      `inkOnPage: ${ink.width}x${ink.height} at (${x}, ${y}) is off a ${width}x${height} page`,
    );
  }
  const rng = new Random(seed);
  const data = new Uint8Array(width * height * 4);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const i = px - x, j = py - y;
      const a = i >= 0 && j >= 0 && i < ink.width && j < ink.height
        ? ink.data[j * ink.width + i]
        : 0;
      const v = 235 * (1 - a) + 30 * a + (noise > 0 ? noise * rng.normal() : 0);
      const k = 4 * (py * width + px);
      data[k] = data[k + 1] = data[k + 2] = Math.max(
        0,
        Math.min(255, Math.round(v)),
      );
      data[k + 3] = 255;
    }
  }
  return { width, height, data };
}
