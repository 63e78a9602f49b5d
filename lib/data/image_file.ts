/**
 * Reads image files safely before anything decodes them: the format is told
 * from the first bytes, and the size from the header (PNG's IHDR chunk, a
 * JPEG's SOFn frame header, a BMP's info header), so that a file claiming a
 * picture of many gigabytes is refused before a decoder allocates it. The
 * structure is checked as far as it is cheap: a JPEG's segments must lie
 * inside the file and its scan must end with an EOI marker, a BMP must hold
 * all its rows. A corrupt JPEG or BMP is still found only by the decoder,
 * which says so in its error, silently.
 *
 * A PNG is checked whole (`checkPng()`), because libpng, SDL2_image's decoder,
 * prints its own errors and warnings to stderr: chunk lengths and CRCs, IHDR's
 * fields, the order of the chunks, and the image data, which must inflate to
 * exactly what IHDR's size implies, every row with a known filter. The decoder
 * then sees only the chunks that make the pixels (IHDR, PLTE, tRNS, IDAT,
 * IEND): the others (colour profiles, gamma, text, times) change nothing that
 * it decodes, but a bad one makes libpng warn.
 *
 * @module
 */
import { crc32, inflateSync } from "node:zlib";
import { concatBytes } from "../bytes.ts";
import { UserError } from "../errors.ts";

/** The formats `deno task predict` reads. */
export type ImageFormat = "PNG" | "JPEG" | "BMP";

/** What a header says about an image. */
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** An image file, read and checked. */
export interface ImageFile extends ImageHeader {
  /**
   * The bytes to decode: the file's own, but for a PNG only the chunks that
   * make its pixels (see the module comment).
   */
  bytes: Uint8Array<ArrayBuffer>;
}

/** The longest side accepted, in pixels. */
export const MAX_SIDE = 20_000;
/** The most pixels accepted (50 megapixels). */
export const MAX_PIXELS = 50_000_000;
/** The largest file accepted: more than any image within the limits needs. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** The reason given for a file in none of the formats. */
export const NOT_AN_IMAGE = "not a PNG, JPEG or BMP image";

/**
 * An image file that cannot be read: `reason` says why in a few words, the
 * message names the file too.
 */
export class ImageFileError extends UserError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string) {
    super(`Cannot read image '${path}': ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format the first bytes announce, or `null`. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (
    bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)
  ) return "PNG";
  if (
    bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 &&
    bytes[2] === 0xff
  ) return "JPEG";
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) {
    return "BMP";
  }
  return null;
}

/**
 * Reads the format and size of the image in `bytes`, checks them against the
 * limits and checks the file's structure (see the module comment). Throws an
 * `ImageFileError` that names `path` and says what is wrong.
 */
export function readImageHeader(
  bytes: Uint8Array,
  path = "image",
): ImageHeader {
  return checkImage(bytes, path).header;
}

/**
 * `readImageHeader()`, and the bytes the decoder is to see: for a PNG, those
 * of `checkPng()`.
 */
function checkImage<B extends Uint8Array>(
  bytes: B,
  path: string,
): { header: ImageHeader; decodable: B | Uint8Array<ArrayBuffer> } {
  const fail = (reason: string): never => {
    throw new ImageFileError(path, reason);
  };
  if (bytes.length === 0) fail("empty file");
  const format = sniffFormat(bytes);
  if (format === null) return fail(NOT_AN_IMAGE);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === "PNG") {
    const { size, decodable } = pngFile(bytes, view, fail);
    return { header: { format, ...size }, decodable };
  }
  const size = format === "JPEG"
    ? jpegHeader(bytes, view, fail)
    : bmpHeader(bytes, view, fail);
  return { header: { format, ...size }, decodable: bytes };
}

/**
 * Checks the PNG in `bytes` as the module comment says, and returns the PNG
 * that the decoder is to see: the same image with only the chunks that make
 * its pixels. Throws an `ImageFileError` that names `path` and says what is
 * wrong, and where.
 */
export function checkPng(
  bytes: Uint8Array,
  path = "image",
): Uint8Array<ArrayBuffer> {
  const fail = (reason: string): never => {
    throw new ImageFileError(path, reason);
  };
  if (sniffFormat(bytes) !== "PNG") fail("not a PNG image");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return pngFile(bytes, view, fail).decodable;
}

type Fail = (reason: string) => never;
type Size = { width: number; height: number };

/** Refuses a size of zero or one over the limits. */
function checkSize(format: ImageFormat, size: Size, fail: Fail): Size {
  const { width, height } = size;
  if (width <= 0 || height <= 0) {
    fail(`corrupt ${format}: the header says ${width}x${height} pixels`);
  }
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    fail(
      `too large: ${width}x${height} pixels (the limit is ${MAX_SIDE} a side and ${
        MAX_PIXELS / 1e6
      } megapixels)`,
    );
  }
  return size;
}

const chunkType = (bytes: Uint8Array, at: number) =>
  String.fromCharCode(...bytes.subarray(at, at + 4));

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
function pngFile(
  bytes: Uint8Array,
  view: DataView,
  fail: Fail,
): { size: Size; decodable: Uint8Array<ArrayBuffer> } {
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
  const size = checkSize(
    "PNG",
    { width: view.getUint32(16), height: view.getUint32(20) },
    fail,
  );
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

/**
 * JPEG (ITU T.81): SOI (FF D8), then segments of { FF, marker, u16 length
 * counting itself, data }, big-endian. A SOFn frame header (C0-CF but C4, C8,
 * CC) holds { u8 precision, u16 height, u16 width }. The entropy-coded data
 * follow SOS (DA) and end with EOI (FF D9); a byte FF inside them is always
 * followed by 00 or a restart marker, so FF D9 after SOS is the end.
 */
function jpegHeader(bytes: Uint8Array, view: DataView, fail: Fail): Size {
  let at = 2;
  let size: Size | null = null;
  for (;;) {
    // Markers may be preceded by any number of fill bytes FF.
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) {
      at++;
    }
    if (at + 2 > bytes.length) {
      fail(`truncated JPEG: the file ends at byte ${bytes.length} before SOS`);
    }
    if (bytes[at] !== 0xff) {
      fail(`corrupt JPEG: no marker at byte ${at}`);
    }
    const marker = bytes[at + 1];
    // Markers without a length: TEM and the restart markers RST0-7.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd8 || marker === 0xd9) {
      fail(`corrupt JPEG: marker FF${hex(marker)} at byte ${at} before SOS`);
    }
    if (at + 4 > bytes.length) {
      fail(`truncated JPEG: the file ends at byte ${bytes.length} before SOS`);
    }
    const length = view.getUint16(at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) {
      fail(
        `truncated JPEG: segment FF${
          hex(marker)
        } at byte ${at} needs ${length} bytes, the file ends at byte ${bytes.length}`,
      );
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 &&
      marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8) fail(`corrupt JPEG: frame header at byte ${at} is short`);
      const height = view.getUint16(at + 5);
      const width = view.getUint16(at + 7);
      if (height === 0) {
        fail("unsupported JPEG: the height is given after the scan (DNL)");
      }
      size = checkSize("JPEG", { width, height }, fail);
    }
    if (marker === 0xda) {
      if (size === null) {
        fail("corrupt JPEG: the scan (SOS) comes before a frame header (SOFn)");
      }
      // Search for EOI backwards: files may carry a few bytes after it.
      for (let i = bytes.length - 2; i >= end; i--) {
        if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return size;
      }
      fail(
        `truncated JPEG: the image data from byte ${end} do not end with EOI (FF D9)`,
      );
    }
    at = end;
  }
}

const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, "0");

/**
 * BMP: a 14-byte file header { "BM", u32 file size, u32 reserved, u32 offset
 * of the pixels }, then an info header whose u32 size says which: 12 bytes
 * (OS/2: u16 width, u16 height, u16 planes, u16 bits) or 40 and more
 * (Windows: i32 width, i32 height (negative: top-down), u16 planes, u16 bits,
 * u32 compression), little-endian. Rows are padded to 4 bytes.
 */
function bmpHeader(bytes: Uint8Array, view: DataView, fail: Fail): Size {
  if (bytes.length < 26) {
    fail(`truncated BMP: ${bytes.length} bytes, too short for its header`);
  }
  const offset = view.getUint32(10, true);
  const infoSize = view.getUint32(14, true);
  let width, height, bits, compression;
  // OS/2 headers have no compression and no data size field.
  if (infoSize === 12) {
    width = view.getUint16(18, true);
    height = view.getUint16(20, true);
    bits = view.getUint16(24, true);
    compression = 0;
  } else if (infoSize >= 40 && infoSize <= 124) {
    if (bytes.length < 14 + infoSize) {
      fail(`truncated BMP: ${bytes.length} bytes, too short for its header`);
    }
    width = view.getInt32(18, true);
    height = Math.abs(view.getInt32(22, true));
    bits = view.getUint16(28, true);
    compression = view.getUint32(30, true);
  } else {
    return fail(`corrupt BMP: unknown info header size ${infoSize}`);
  }
  const size = checkSize("BMP", { width, height }, fail);
  if (![1, 4, 8, 16, 24, 32].includes(bits)) {
    fail(`corrupt BMP: ${bits} bits per pixel`);
  }
  // 0 = BI_RGB, 3 = BI_BITFIELDS, 6 = BI_ALPHABITFIELDS: rows of plain pixels;
  // 1 and 2 = run-length encoded (8 and 4 bits).
  if (compression === 0 || compression === 3 || compression === 6) {
    const rowBytes = Math.ceil(width * bits / 32) * 4;
    const need = offset + rowBytes * height;
    if (need > bytes.length) {
      fail(
        `truncated BMP: ${width}x${height} pixels need ${need} bytes, the file has ${bytes.length}`,
      );
    }
  } else if (compression === 1 || compression === 2) {
    // Run-length encoded rows: the header's u32 @34 gives their size.
    const dataBytes = view.getUint32(34, true);
    if (offset + dataBytes > bytes.length) {
      fail(
        `truncated BMP: its pixels need ${
          offset + dataBytes
        } bytes, the file has ${bytes.length}`,
      );
    }
  } else {
    fail(`unsupported BMP: compression method ${compression}`);
  }
  if (offset >= bytes.length) {
    fail(`truncated BMP: the pixels would start at byte ${offset}`);
  }
  return size;
}

/**
 * Reads the image file at `path` and checks it (`readImageHeader()`; a PNG
 * whole, `checkPng()`). Every way the file can be unusable (missing, a folder,
 * empty, too large, not an image, truncated, corrupt where checked) is an
 * `ImageFileError` saying why.
 */
export async function readImageFile(path: string): Promise<ImageFile> {
  const fail = (reason: string): never => {
    throw new ImageFileError(path, reason);
  };
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return fail("no such file");
    if (e instanceof Deno.errors.PermissionDenied) {
      return fail("permission denied");
    }
    if (e instanceof Deno.errors.NotADirectory) {
      return fail("no such file (a part of the path is not a folder)");
    }
    throw e;
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const info = await file.stat();
    if (info.isDirectory) fail("a folder, not a file");
    if (!info.isFile) fail("not a regular file");
    if (info.size === 0) fail("empty file");
    if (info.size > MAX_FILE_BYTES) {
      fail(
        `too large: ${info.size} bytes (the limit is ${
          MAX_FILE_BYTES / 1024 / 1024
        } MiB)`,
      );
    }
    // Read what the size said and no more, should the file grow meanwhile.
    bytes = new Uint8Array(info.size);
    let got = 0;
    while (got < bytes.length) {
      const n = await file.read(bytes.subarray(got));
      if (n === null) break;
      got += n;
    }
    bytes = bytes.subarray(0, got);
  } finally {
    file.close();
  }
  const { header, decodable } = checkImage(bytes, path);
  return { ...header, bytes: decodable };
}
