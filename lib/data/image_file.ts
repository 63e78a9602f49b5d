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
 * A PNG is checked whole (`checkPng()`), and the decoder sees only the chunks
 * that make its pixels: lib/data/png_file.ts says why and how.
 *
 * @module
 */
import { UserError } from "../errors.ts";
import { checkPngFile } from "./png_file.ts";

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
  if (format === "PNG") {
    const { size, decodable } = checkPngWithin(bytes, fail);
    return { header: { format, ...size }, decodable };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = format === "JPEG"
    ? jpegHeader(bytes, view, fail)
    : bmpHeader(bytes, view, fail);
  return { header: { format, ...size }, decodable: bytes };
}

/**
 * Checks the PNG in `bytes` whole (lib/data/png_file.ts) and against the
 * limits, and returns the PNG that the decoder is to see: the same image with
 * only the chunks that make its pixels. Throws an `ImageFileError` that names
 * `path` and says what is wrong, and where.
 */
export function checkPng(
  bytes: Uint8Array,
  path = "image",
): Uint8Array<ArrayBuffer> {
  const fail = (reason: string): never => {
    throw new ImageFileError(path, reason);
  };
  if (sniffFormat(bytes) !== "PNG") fail("not a PNG image");
  return checkPngWithin(bytes, fail).decodable;
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

/** `checkPngFile()`, with a size over the limits refused before the data. */
function checkPngWithin(bytes: Uint8Array, fail: Fail) {
  return checkPngFile(bytes, fail, (size) => checkSize("PNG", size, fail));
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
