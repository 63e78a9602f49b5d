/**
 * A small PNG encoder (https://www.w3.org/TR/png/): 8-bit greyscale or RGB,
 * not interlaced, every row with filter type 0 (none), the image data
 * compressed with zlib's deflate. Enough for pictures the scripts write; it
 * reads nothing.
 *
 *   8 bytes    signature 89 50 4E 47 0D 0A 1A 0A
 *   chunks     length (4 bytes, big-endian), type (4 ASCII letters), data,
 *              CRC-32 of type and data
 *   IHDR       width, height, bit depth 8, colour type 0 (grey) or 2 (RGB),
 *              compression 0, filter 0, interlace 0
 *   IDAT       zlib stream of the rows, each prefixed by its filter type byte
 *   IEND       empty
 *
 * @module
 */
import { deflateSync } from "node:zlib";
import { concatBytes } from "../bytes.ts";

/** Channels per pixel: 1 grey, 3 RGB. */
export type PngChannels = 1 | 3;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** IHDR colour types by channel count. */
const COLOUR_TYPE: Record<PngChannels, number> = { 1: 0, 3: 2 };
/** The format's limit on width and height, 2^31 - 1. */
const MAX_SIDE = 0x7fffffff;

// CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected), one table entry a byte.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of `bytes`, as PNG chunks and zip files use it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    c = CRC_TABLE[(c ^ bytes[i]) & 255] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** One chunk: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes an 8-bit image as PNG. `pixels` holds `height` rows of `width`
 * pixels, `channels` bytes each (grey, or red, green, blue), row-major.
 */
export function encodePng(
  width: number,
  height: number,
  channels: PngChannels,
  pixels: Uint8Array,
): Uint8Array {
  for (const [name, side] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(side) || side < 1 || side > MAX_SIDE) {
      throw new RangeError(
        `encodePng: ${name} must be a whole number from 1, got ${side}`,
      );
    }
  }
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`encodePng: channels must be 1 or 3, got ${channels}`);
  }
  const stride = width * channels;
  if (pixels.length !== stride * height) {
    throw new RangeError(
      `encodePng: ${pixels.length} bytes of pixels, a ${width}x${height} image with ${channels} channel(s) has ${
        stride * height
      }`,
    );
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = COLOUR_TYPE[channels];
  // compression, filter method and interlace are all 0.

  // Each row is its filter type (0, none) then its bytes.
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(
      pixels.subarray(y * stride, (y + 1) * stride),
      y * (stride + 1) + 1,
    );
  }
  return concatBytes([
    Uint8Array.from(SIGNATURE),
    pngChunk("IHDR", header),
    pngChunk("IDAT", new Uint8Array(deflateSync(raw))),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}
