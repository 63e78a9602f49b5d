/**
 * IDX files, the format MNIST is distributed in (http://yann.lecun.com/exdb/mnist/).
 *
 * Layout, all integers big-endian:
 *   bytes 0-1  zero
 *   byte  2    element type (0x08 = unsigned byte, the only type MNIST uses)
 *   byte  3    number of dimensions
 *   then one uint32 per dimension, then the elements, row-major.
 * The magic numbers are therefore 0x00000801 for a vector of labels and
 * 0x00000803 for a stack of images.
 *
 * @module
 */
import { FileFormatError } from "../errors.ts";
import { concatBytes } from "../bytes.ts";

/** A parsed unsigned-byte IDX tensor. */
export interface IdxTensor {
  /** Sizes of each dimension, outermost first. */
  dims: number[];
  /** The elements, row-major; length is the product of `dims`. */
  data: Uint8Array;
}

/** Element type code for unsigned bytes. */
const UBYTE = 0x08;

const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

/**
 * Parses IDX bytes of unsigned-byte elements with `ndims` dimensions.
 *
 * `what` names the file in error messages, e.g. "train images 'data/x'".
 * Throws a `FileFormatError` that says what is wrong when the bytes are not such a file.
 * The returned `data` is a view into `bytes`, not a copy.
 */
export function parseIdx(
  bytes: Uint8Array,
  ndims: number,
  what: string,
): IdxTensor {
  const fail = (why: string): never => {
    throw new FileFormatError(`Cannot load ${what}: ${why}`);
  };
  if (bytes.byteLength < 4) {
    fail(`file is ${bytes.byteLength} bytes, too short for an IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const expected = (UBYTE << 8) | ndims;
  if (magic !== expected) {
    fail(`magic is ${hex(magic)}, expected ${hex(expected)}`);
  }
  const headerSize = 4 + 4 * ndims;
  if (bytes.byteLength < headerSize) {
    fail(`file is ${bytes.byteLength} bytes, header needs ${headerSize}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.byteLength - headerSize;
  if (actual !== count) {
    const shape = dims.join("x");
    fail(
      actual < count
        ? `truncated: header says ${shape} (${count} bytes of data), file has ${actual}`
        : `header says ${shape} (${count} bytes of data), file has ${actual}: ${
          actual - count
        } trailing bytes`,
    );
  }
  return { dims, data: bytes.subarray(headerSize) };
}

/** True when `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip bytes. */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Reads a whole file into a buffer of its size, made up front: half the time
 * of `Deno.readFile()`, which grows its buffer as it reads.
 */
export function readWholeFile(path: string): Uint8Array {
  using file = Deno.openSync(path);
  const bytes = new Uint8Array(file.statSync().size);
  let at = 0;
  while (at < bytes.length) {
    const n = file.readSync(bytes.subarray(at));
    if (n === null) return bytes.subarray(0, at); // it shrank meanwhile
    at += n;
  }
  const rest = readRest(file); // it grew meanwhile, or nothing
  if (rest.length === 0) return bytes;
  const whole = new Uint8Array(at + rest.length);
  whole.set(bytes);
  whole.set(rest, at);
  return whole;
}

/** The bytes left in `file`, read in chunks. */
function readRest(file: Deno.FsFile): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (;;) {
    const chunk = new Uint8Array(1 << 16);
    const n = file.readSync(chunk);
    if (n === null) break;
    chunks.push(chunk.subarray(0, n));
  }
  return concatBytes(chunks);
}

/**
 * Reads and parses an IDX file, raw or gzipped (recognised by its content).
 * `what` describes the file for error messages, e.g. "train images".
 */
export async function readIdxFile(
  path: string,
  ndims: number,
  what: string,
): Promise<IdxTensor> {
  const name = `${what} '${path}'`;
  let bytes: Uint8Array;
  try {
    bytes = readWholeFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot load ${name}: no such file`);
    }
    throw e;
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzip(bytes);
    } catch {
      throw new FileFormatError(`Cannot load ${name}: corrupt gzip data`);
    }
  }
  return parseIdx(bytes, ndims, name);
}

/** Encodes an unsigned-byte IDX tensor (the inverse of `parseIdx`). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new RangeError(
      `IDX data has ${data.length} bytes, shape ${
        dims.join("x")
      } needs ${count}`,
    );
  }
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
