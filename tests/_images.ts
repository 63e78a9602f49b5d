/**
 * Image files for the tests: a small PNG encoder (independent of SDL2_image,
 * so that the decoder is checked against something else) and ImageMagick.
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

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
  return concat([
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
