/**
 * Checks a PNG file whole, because libpng, SDL2_image's decoder, prints its
 * own errors and warnings to stderr: chunk lengths and CRCs, IHDR's fields,
 * the order of the chunks, and the image data, which must inflate to exactly
 * what IHDR's size implies, every row with a known filter. The decoder then
 * sees only the chunks that make the pixels (IHDR, PLTE, tRNS, IDAT, IEND):
 * the others (colour profiles, gamma, text, times) change nothing that it
 * decodes, but a bad one makes libpng warn.
 *
 * This module knows PNG's structure and nothing else: lib/data/image_file.ts
 * names the file in its errors (`checkPng()`) and holds the size limits,
 * which `checkPngFile()` applies through a callback before it inflates
 * anything.
 *
 * @module
 */
import { crc32, inflateSync } from "node:zlib";
import { concatBytes } from "../bytes.ts";

type Fail = (reason: string) => never;
type Size = { width: number; height: number };

const chunkType = (bytes: Uint8Array, at: number) =>
  String.fromCharCode(...bytes.subarray(at, at + 4));
const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, "0");

/** PNG's colour types: channels per pixel and the bit depths allowed. */
const PNG_COLOUR_TYPES: Record<number, { channels: number; depths: number[] }> =
  {
    0: { channels: 1, depths: [1, 2, 4, 8, 16] }, // grey
    2: { channels: 3, depths: [8, 16] }, // RGB
    3: { channels: 1, depths: [1, 2, 4, 8] }, // palette index
    4: { channels: 2, depths: [8, 16] }, // grey and alpha
    6: { channels: 4, depths: [8, 16] }, // RGB and alpha
  };
const PALETTE = 3;

/** Adam7 interlacing's seven passes: first column and row, then their steps. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * The rows of a PNG's image data, pass by pass (one pass when not
 * interlaced): how many, and the bytes of each after its filter-type byte.
 * A pass with no pixels has no rows.
 */
export function pngRows(
  width: number,
  height: number,
  bitsPerPixel: number,
  interlaced: boolean,
): { rows: number; bytes: number }[] {
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  return passes.map(([x0, y0, dx, dy]) => {
    const columns = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const rows = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    return columns === 0
      ? { rows: 0, bytes: 0 }
      : { rows, bytes: Math.ceil(columns * bitsPerPixel / 8) };
  });
}

/** PNG's five row filters: none, sub, up, average, Paeth. */
const PNG_FILTERS = 5;

/**
 * Checks the PNG in `bytes`, whose signature the caller has seen, as the
 * module comment says, and returns its size and the PNG that the decoder is
 * to see: the same image with only the chunks that make its pixels. IHDR's
 * size goes to `checkSize` before anything else is read, so that a file
 * claiming a huge picture is refused before its data are inflated. Calls
 * `fail` with what is wrong, and where.
 *
 * PNG (ISO 15948): the signature, then chunks of { u32 length, 4-byte type,
 * data, u32 CRC of type and data }, big-endian; IHDR first ({ u32 width, u32
 * height, u8 bit depth, u8 colour type, u8 compression, u8 filter method, u8
 * interlace }), IEND last, the image data in consecutive IDAT chunks: one zlib
 * stream of the rows, each after a byte naming its filter. A palette image
 * (colour type 3) has its palette (PLTE) before the data; tRNS, before the
 * data too, makes a colour or palette entries transparent. A chunk whose type
 * starts with a capital letter is critical: a decoder that does not know it
 * must refuse the file.
 */
export function checkPngFile(
  bytes: Uint8Array,
  fail: Fail,
  checkSize: (size: Size) => void,
): { size: Size; decodable: Uint8Array<ArrayBuffer> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 + 8 + 13 + 4) {
    fail(`truncated PNG: ${bytes.length} bytes, too short for its header`);
  }
  if (view.getUint32(8) !== 13 || chunkType(bytes, 12) !== "IHDR") {
    fail("corrupt PNG: the first chunk is not a 13-byte IHDR");
  }
  const crcFails = (at: number, length: number) =>
    crc32(bytes.subarray(at + 4, at + 8 + length)) !==
      view.getUint32(at + 8 + length);
  if (crcFails(8, 13)) {
    fail("corrupt PNG: chunk 'IHDR' at byte 8 fails its CRC check");
  }
  const size = { width: view.getUint32(16), height: view.getUint32(20) };
  checkSize(size);
  const [depth, colour, compression, filter, interlace] = bytes.subarray(
    24,
    29,
  );
  const kind = PNG_COLOUR_TYPES[colour];
  if (!kind) fail(`corrupt PNG: IHDR gives colour type ${colour}`);
  if (!kind.depths.includes(depth)) {
    fail(
      `corrupt PNG: IHDR gives bit depth ${depth} for colour type ${colour}`,
    );
  }
  if (compression !== 0 || filter !== 0) {
    fail(
      `corrupt PNG: IHDR gives compression method ${compression} and filter method ${filter}, both should be 0`,
    );
  }
  if (interlace > 1) {
    fail(`corrupt PNG: IHDR gives interlace method ${interlace}`);
  }

  // The chunks kept for the decoder, in the order it wants them.
  let plte: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  let sawTrns = false;
  const idats: Uint8Array[] = [];
  const data: Uint8Array[] = [];
  let at = 33, previous = "IHDR";
  for (;;) {
    if (at + 8 > bytes.length) {
      fail(`truncated PNG: the file ends at byte ${bytes.length} without IEND`);
    }
    const length = view.getUint32(at);
    const type = chunkType(bytes, at + 4);
    if (!/^[A-Za-z]{4}$/.test(type)) {
      fail(
        `corrupt PNG: the chunk at byte ${at} has no valid type (bytes ${
          [...bytes.subarray(at + 4, at + 8)].map(hex).join(" ")
        })`,
      );
    }
    if (length > 0x7fffffff) {
      fail(`corrupt PNG: chunk '${type}' at byte ${at} claims ${length} bytes`);
    }
    const end = at + 12 + length;
    if (end > bytes.length) {
      fail(
        `truncated PNG: chunk '${type}' at byte ${at} needs ${length} bytes, the file ends at byte ${bytes.length}`,
      );
    }
    if (crcFails(at, length)) {
      fail(`corrupt PNG: chunk '${type}' at byte ${at} fails its CRC check`);
    }
    const chunk = bytes.subarray(at, end);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === "IEND") break;
    if (type === "IDAT") {
      if (colour === PALETTE && !plte) {
        fail(
          "corrupt PNG: a palette image without a palette (PLTE) before its data",
        );
      }
      if (idats.length > 0 && previous !== "IDAT") {
        fail(
          `corrupt PNG: the image data (IDAT) are split by chunk '${previous}'`,
        );
      }
      idats.push(chunk);
      data.push(body);
    } else if (type === "IHDR") {
      fail(`corrupt PNG: a second IHDR at byte ${at}`);
    } else if (type === "PLTE") {
      if (idats.length > 0) {
        fail(
          `corrupt PNG: the palette (PLTE) at byte ${at} follows the image data`,
        );
      }
      if (plte) fail(`corrupt PNG: a second palette (PLTE) at byte ${at}`);
      if (length === 0 || length % 3 !== 0 || length > 3 * 256) {
        fail(
          `corrupt PNG: the palette (PLTE) at byte ${at} has ${length} bytes, not 1 to 256 RGB entries`,
        );
      }
      // Other colour types may suggest a palette for small screens; the
      // decoder needs it only for palette images.
      if (colour === PALETTE) plte = chunk;
    } else if (type === "tRNS") {
      // One that is out of place or does not fit the image is ignored, as
      // libpng ignores it (with a warning).
      const fits = !sawTrns && idats.length === 0 &&
        trnsFits(body, colour, depth, plte ? (plte.length - 12) / 3 : 0);
      sawTrns = true;
      if (fits) trns = chunk;
    } else if (!(bytes[at + 4] & 0x20)) {
      fail(`corrupt PNG: unknown critical chunk '${type}' at byte ${at}`);
    }
    previous = type;
    at = end;
  }
  if (idats.length === 0) fail("corrupt PNG: no image data (IDAT chunk)");
  checkPngData(
    data.length === 1 ? data[0] : concatBytes(data),
    pngRows(
      size.width,
      size.height,
      depth * kind.channels,
      interlace === 1,
    ),
    `${size.width}x${size.height}`,
    fail,
  );
  const decodable = concatBytes([
    bytes.subarray(0, 33),
    ...(plte ? [plte] : []),
    ...(trns ? [trns] : []),
    ...idats,
    PNG_IEND,
  ]);
  return { size, decodable };
}

/** An IEND chunk: no data, then the CRC of its type. */
const PNG_IEND = new Uint8Array(12);
PNG_IEND.set(new TextEncoder().encode("IEND"), 4);
new DataView(PNG_IEND.buffer).setUint32(8, crc32(PNG_IEND.subarray(4, 8)));

/**
 * Whether tRNS data `body` fit an image of `colour` type and `depth` bits
 * with `paletteSize` palette entries: one grey or RGB sample per channel,
 * each within the bit depth; for a palette image, one alpha for each of at
 * most `paletteSize` entries. Images with an alpha channel have none.
 */
function trnsFits(
  body: Uint8Array,
  colour: number,
  depth: number,
  paletteSize: number,
): boolean {
  if (colour === PALETTE) {
    return body.length >= 1 && body.length <= Math.min(paletteSize, 1 << depth);
  }
  const channels = colour === 0 ? 1 : colour === 2 ? 3 : 0;
  if (channels === 0 || body.length !== 2 * channels) return false;
  for (let c = 0; c < channels; c++) {
    if (((body[2 * c] << 8) | body[2 * c + 1]) >= 2 ** depth) return false;
  }
  return true;
}

/**
 * Checks that the zlib stream `compressed` inflates to exactly the rows of
 * `passes` (an image of `dimensions` pixels), each row after a known filter
 * type, and that nothing follows the stream.
 */
function checkPngData(
  compressed: Uint8Array,
  passes: { rows: number; bytes: number }[],
  dimensions: string,
  fail: Fail,
) {
  const expected = passes.reduce((n, p) => n + p.rows * (1 + p.bytes), 0);
  const need = `the ${expected} bytes of IHDR's ${dimensions} pixels`;
  let rows: Uint8Array, consumed: number;
  try {
    // windowBits 0: the window size the stream's header gives, as libpng uses.
    const out = inflateSync(compressed, {
      windowBits: 0,
      maxOutputLength: expected,
      info: true,
    }) as unknown as { buffer: Uint8Array; engine: { bytesWritten: number } };
    rows = out.buffer;
    consumed = out.engine.bytesWritten;
  } catch (e) {
    const error = e as Error & { code?: string };
    return fail(
      error.code === "ERR_BUFFER_TOO_LARGE"
        ? `corrupt PNG: the image data inflate to more than ${need}`
        : `corrupt PNG: the image data do not inflate (${error.message})`,
    );
  }
  if (rows.length < expected) {
    fail(
      `corrupt PNG: the image data inflate to ${rows.length} bytes, not ${need}`,
    );
  }
  if (consumed < compressed.length) {
    fail(
      `corrupt PNG: ${
        compressed.length - consumed
      } bytes follow the end of the compressed image data`,
    );
  }
  let at = 0, row = 0;
  for (const { rows: count, bytes } of passes) {
    for (let y = 0; y < count; y++, row++, at += 1 + bytes) {
      if (rows[at] >= PNG_FILTERS) {
        fail(
          `corrupt PNG: row ${row} of the image data has filter type ${
            rows[at]
          }`,
        );
      }
    }
  }
}
