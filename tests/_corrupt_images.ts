/**
 * Damaged image files for the tests of lib/data/image_file.ts and of
 * `deno task predict`: PNGs broken in each way that made libpng print its own
 * error or warning beside ours, each with the reason we give instead, and
 * PNGs whose damage is only in chunks that do not make the pixels.
 */
import { deflateSync } from "node:zlib";
import { concatBytes } from "../lib/bytes.ts";
import { pngChunk } from "../lib/image/png.ts";

/** A damaged file: its name, its bytes, and the reason it is refused. */
export interface BadImage {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  reason: string;
}

/** A damaged file that still decodes: its name and bytes. */
export interface DamagedImage {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

const SIGNATURE = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
]);
const W = 12, H = 10;

/** IHDR's data: W x H, 8-bit grey (colour type 0) unless told otherwise. */
function ihdr(
  { depth = 8, colour = 0, interlace = 0, compression = 0 } = {},
): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, W);
  view.setUint32(4, H);
  data.set([depth, colour, compression, 0, interlace], 8);
  return pngChunk("IHDR", data);
}

/** The rows of a W x H 8-bit grey gradient, each after filter type 0. */
function rows(height = H): Uint8Array {
  const raw = new Uint8Array((W + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < W; x++) {
      raw[y * (W + 1) + 1 + x] = (x * 20 + y * 5) & 255;
    }
  }
  return raw;
}

const deflate = (b: Uint8Array) => new Uint8Array(deflateSync(b));
const IEND = pngChunk("IEND", new Uint8Array(0));
const png = (...chunks: Uint8Array[]) => concatBytes([SIGNATURE, ...chunks]);

/** The compressed rows of the gradient: a good IDAT's data. */
const DATA = deflate(rows());

/** The gradient as a good PNG. */
export function goodPng(): Uint8Array<ArrayBuffer> {
  return png(ihdr(), pngChunk("IDAT", DATA), IEND);
}

/** `chunk` with the last byte of its CRC changed. */
function badCrc(chunk: Uint8Array): Uint8Array {
  const copy = chunk.slice();
  copy[copy.length - 1] ^= 1;
  return copy;
}

/** A chunk of type `type` (any 4 bytes) with a right CRC. */
function rawChunk(type: number[], data: Uint8Array): Uint8Array {
  return pngChunk(String.fromCharCode(...type), data);
}

/**
 * PNGs that libpng refused or warned about, printing "libpng error: ..." or
 * "libpng warning: ..." on stderr (its words in each comment), and our reason.
 */
export function corruptPngs(): BadImage[] {
  const idat = pngChunk("IDAT", DATA);
  const palette = pngChunk("PLTE", new Uint8Array([0, 0, 0, 255, 255, 255]));
  const scrambled = DATA.slice();
  for (let i = 2; i < 12; i++) scrambled[i] ^= 0x5a;
  const badAdler = DATA.slice();
  badAdler[badAdler.length - 1] ^= 0xff;
  const badHeader = DATA.slice();
  badHeader[0] = 0;
  const badFilter = rows();
  badFilter[3 * (W + 1)] = 9;
  const cases: [string, Uint8Array, string][] = [
    // "IHDR: CRC error"
    [
      "crc-ihdr",
      png(badCrc(ihdr()), idat, IEND),
      "chunk 'IHDR' at byte 8 fails its CRC check",
    ],
    // "IDAT: CRC error"
    [
      "crc-idat",
      png(ihdr(), badCrc(idat), IEND),
      "chunk 'IDAT' at byte 33 fails its CRC check",
    ],
    // "tEXt: CRC error" (a warning; the image decoded)
    [
      "crc-text",
      png(
        ihdr(),
        badCrc(pngChunk("tEXt", new TextEncoder().encode("a\0b"))),
        idat,
        IEND,
      ),
      "chunk 'tEXt' at byte 33 fails its CRC check",
    ],
    // "a[31]b[32]: invalid chunk type"
    [
      "chunk-type",
      png(
        ihdr(),
        rawChunk([0x61, 0x31, 0x62, 0x32], new Uint8Array(1)),
        idat,
        IEND,
      ),
      "the chunk at byte 33 has no valid type (bytes 61 31 62 32)",
    ],
    // "ABCD: unhandled critical chunk"
    [
      "critical",
      png(ihdr(), pngChunk("ABCD", new Uint8Array(4)), idat, IEND),
      "unknown critical chunk 'ABCD' at byte 33",
    ],
    // "IHDR: out of place"
    ["two-ihdr", png(ihdr(), ihdr(), idat, IEND), "a second IHDR at byte 33"],
    // "Invalid color type in IHDR", "Invalid IHDR data"
    [
      "colour-type",
      png(ihdr({ colour: 5 }), idat, IEND),
      "IHDR gives colour type 5",
    ],
    // "Invalid color type/bit depth combination in IHDR", "Invalid IHDR data"
    [
      "bit-depth",
      png(ihdr({ depth: 16, colour: 3 }), palette, idat, IEND),
      "IHDR gives bit depth 16 for colour type 3",
    ],
    // "Unknown interlace method in IHDR", "Invalid IHDR data"
    [
      "interlace",
      png(ihdr({ interlace: 2 }), idat, IEND),
      "IHDR gives interlace method 2",
    ],
    // "Unknown compression method in IHDR", "Invalid IHDR data"
    [
      "compression",
      png(ihdr({ compression: 1 }), idat, IEND),
      "IHDR gives compression method 1 and filter method 0",
    ],
    // "IDAT: Missing PLTE before IDAT"
    [
      "no-palette",
      png(ihdr({ colour: 3 }), idat, IEND),
      "a palette image without a palette (PLTE) before its data",
    ],
    // "PLTE: invalid"
    [
      "palette-length",
      png(ihdr({ colour: 3 }), pngChunk("PLTE", new Uint8Array(4)), idat, IEND),
      "the palette (PLTE) at byte 33 has 4 bytes, not 1 to 256 RGB entries",
    ],
    // "Not enough image data": the data split by another chunk
    [
      "split-data",
      png(
        ihdr(),
        pngChunk("IDAT", DATA.subarray(0, 10)),
        pngChunk("tEXt", new TextEncoder().encode("a\0b")),
        pngChunk("IDAT", DATA.subarray(10)),
        IEND,
      ),
      "the image data (IDAT) are split by chunk 'tEXt'",
    ],
    // "Not enough image data": the compressed stream cut short
    [
      "cut-stream",
      png(ihdr(), pngChunk("IDAT", DATA.subarray(0, DATA.length >> 1)), IEND),
      "the image data do not inflate (unexpected end of file)",
    ],
    // "Not enough image data": a whole stream of too few rows
    [
      "few-rows",
      png(ihdr(), pngChunk("IDAT", deflate(rows(H - 3))), IEND),
      `the image data inflate to ${(W + 1) * (H - 3)} bytes, not the ${
        (W + 1) * H
      } bytes of IHDR's ${W}x${H} pixels`,
    ],
    // "IDAT: Too much image data" (a warning; the image decoded)
    [
      "many-rows",
      png(ihdr(), pngChunk("IDAT", deflate(rows(H + 3))), IEND),
      `the image data inflate to more than the ${(W + 1) * H} bytes`,
    ],
    // "IDAT: Extra compressed data" (a warning; the image decoded)
    [
      "extra-data",
      png(
        ihdr(),
        pngChunk("IDAT", concatBytes([DATA, new Uint8Array([1, 2, 3])])),
        IEND,
      ),
      "3 bytes follow the end of the compressed image data",
    ],
    // "IDAT: invalid stored block lengths"
    [
      "scrambled",
      png(ihdr(), pngChunk("IDAT", scrambled), IEND),
      "the image data do not inflate (invalid stored block lengths)",
    ],
    // "IDAT: incorrect data check"
    [
      "adler",
      png(ihdr(), pngChunk("IDAT", badAdler), IEND),
      "the image data do not inflate (incorrect data check)",
    ],
    // "IDAT: incorrect header check"
    [
      "zlib-header",
      png(ihdr(), pngChunk("IDAT", badHeader), IEND),
      "the image data do not inflate (incorrect header check)",
    ],
    // "bad adaptive filter value"
    [
      "filter",
      png(ihdr(), pngChunk("IDAT", deflate(badFilter)), IEND),
      "row 3 of the image data has filter type 9",
    ],
  ];
  return cases.map(([name, bytes, reason]) => ({
    name: `${name}.png`,
    bytes: bytes as Uint8Array<ArrayBuffer>,
    reason: `corrupt PNG: ${reason}`,
  }));
}

/**
 * PNGs with bad chunks that do not make the pixels, which libpng ignored
 * with a warning (its words in each comment): the image decodes.
 */
export function damagedPngs(): DamagedImage[] {
  const idat = pngChunk("IDAT", DATA);
  const cases: [string, Uint8Array[]][] = [
    // "gAMA: gamma value out of range"
    ["gamma", [pngChunk("gAMA", new Uint8Array(4))]],
    // "sRGB: profile 'sRGB': 9h: invalid sRGB rendering intent"
    ["srgb", [pngChunk("sRGB", new Uint8Array([9]))]],
    // "iCCP: too short"
    ["iccp", [pngChunk("iCCP", new Uint8Array([0x78, 0, 0]))]],
    // "pHYs: invalid"
    ["phys", [pngChunk("pHYs", new Uint8Array(3))]],
    // "Ignoring invalid time value"
    ["time", [pngChunk("tIME", new Uint8Array([0, 0, 13, 40, 70, 70, 70]))]],
    // "tRNS: invalid"
    ["trns-length", [pngChunk("tRNS", new Uint8Array(4))]],
    // "tRNS chunk has out-of-range samples for bit_depth"
    ["trns-range", [pngChunk("tRNS", new Uint8Array([1, 0]))]],
    // "PLTE: ignored in grayscale PNG"
    ["grey-palette", [pngChunk("PLTE", new Uint8Array(6))]],
  ];
  return cases.map(([name, extra]) => ({
    name: `${name}.png`,
    bytes: png(ihdr(), ...extra, idat, IEND),
  }));
}
