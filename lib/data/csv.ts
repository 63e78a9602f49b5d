/**
 * MNIST as CSV, the format of "Make Your Own Neural Network" (Rashid): one
 * record a line, `label,p1,...,p784`, the label 0-9 and the pixels 0-255 in
 * row-major order, no header. Lines end with LF or CRLF; the last one may lack
 * its line end. The files are `mnist_train.csv` and `mnist_test.csv`, and the
 * book's small `mnist_train_100.csv` and `mnist_test_10.csv`.
 *
 * The reader is as strict as the IDX one: the first problem ends it with one
 * message that names the file and the line. It parses the bytes as they stream
 * in, straight into the image and label arrays: no string per line or value,
 * and a fast path for well-formed lines; a line it cannot read is read again
 * carefully to say what is wrong with it.
 *
 * @module
 */
import { FileFormatError } from "../errors.ts";

/** Pixels in an image (28x28, as in lib/data/mnist.ts). */
const PIXELS = 28 * 28;
/** Values on a line: the label and the pixels. */
const FIELDS = 1 + PIXELS;
/** The fewest bytes a record takes: one digit a value, the commas and the LF. */
const MIN_RECORD_BYTES = 2 * FIELDS;

const COMMA = 0x2c, LF = 0x0a, CR = 0x0d, ZERO = 0x30, NINE = 0x39;

/** Images and labels read from a CSV file. */
export interface CsvRecords {
  count: number;
  /** `count` images of 784 bytes, row-major. */
  images: Uint8Array;
  /** `count` labels in 0-9. */
  labels: Uint8Array;
}

/** The longest a valid line can be: three digits a pixel, and a CR. */
const MAX_LINE_BYTES = 1 + 4 * PIXELS + 1;

/** How a byte looks in a message: the character when printable. */
function showByte(c: number): string {
  return c > 0x20 && c < 0x7f
    ? `'${String.fromCharCode(c)}'`
    : `byte 0x${c.toString(16).padStart(2, "0")}`;
}

/**
 * Reads one line (without its LF) fast, storing its pixels at
 * `images[at...]`; returns its label, or -1 for anything unusual, which
 * `lineError()` then describes. Reading past the line's end is safe: the byte
 * there is a CR, an LF or undefined, none a digit or a comma.
 */
function readLine(
  b: Uint8Array,
  start: number,
  end: number,
  images: Uint8Array,
  at: number,
): number {
  let p = start;
  const label = b[p++] - ZERO;
  if (!(label >= 0 && label <= 9)) return -1;
  for (let k = 0; k < PIXELS; k++) {
    if (b[p++] !== COMMA) return -1;
    let v = b[p++] - ZERO;
    if (!(v >= 0 && v <= 9)) return -1;
    let d = b[p] - ZERO;
    if (d >= 0 && d <= 9) {
      v = v * 10 + d;
      d = b[++p] - ZERO;
      if (d >= 0 && d <= 9) {
        v = v * 10 + d;
        p++;
        if (v > 255) return -1;
      }
    }
    images[at + k] = v;
  }
  return p === end ? label : -1;
}

/**
 * What is wrong with a line (without its LF), or `undefined` if nothing is:
 * the slow, careful reading behind `readLine()`'s -1.
 */
export function lineError(b: Uint8Array, line: number): string | undefined {
  const n = b.length > 0 && b[b.length - 1] === CR ? b.length - 1 : b.length;
  if (n === 0) return `line ${line} is empty`;
  let field = 0, value = 0, digits = 0;
  const fieldError = () => {
    const where = `line ${line}, value ${field + 1} of ${FIELDS}`;
    if (digits === 0) return `${where} is empty`;
    if (field === 0 && (digits > 1 || value > 9)) {
      return `line ${line}: label ${value} is not a digit 0-9`;
    }
    if (digits > 3 || value > 255) return `${where} is ${value}, outside 0-255`;
  };
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c >= ZERO && c <= NINE) {
      value = value * 10 + (c - ZERO);
      digits++;
    } else if (c === COMMA) {
      const error = fieldError();
      if (error) return error;
      if (++field === FIELDS) {
        return `line ${line} has more than ${FIELDS} values (a label and ${PIXELS} pixels)`;
      }
      value = 0;
      digits = 0;
    } else if (c === CR) {
      return `line ${line}: a carriage return not followed by a line feed`;
    } else {
      const expected = field === 0
        ? "a label 0-9"
        : "an integer 0-255 or a comma";
      const header = line === 1 && field === 0
        ? " (the file must not start with a header line)"
        : "";
      return `line ${line}, value ${field + 1} of ${FIELDS}: found ${
        showByte(c)
      }, expected ${expected}${header}`;
    }
  }
  const error = fieldError();
  if (error) return error;
  if (field !== FIELDS - 1) {
    return `line ${line} has ${
      field + 1
    } values, expected ${FIELDS} (a label and ${PIXELS} pixels)`;
  }
}

/**
 * Parses MNIST CSV bytes pushed in chunks of any size. `what` names the file in
 * messages, e.g. "train data 'mnist_train.csv'"; a bad file throws a
 * `FileFormatError` "Cannot load <what>: line N ...".
 *
 * Whole lines are read where they lie in the chunk; only a line cut by the
 * chunk's end is copied, to be finished with the next chunk.
 */
export class MnistCsvParser {
  #what: string;
  #images: Uint8Array;
  #labels: Uint8Array;
  #count = 0;
  /** The start of a line the last chunk cut, without an LF yet. */
  #carry: Uint8Array = new Uint8Array(0);
  #done = false;

  /** `capacity`: how many records to make room for at first (it grows). */
  constructor(what: string, capacity = 1024) {
    this.#what = what;
    capacity = Math.max(1, capacity);
    this.#images = new Uint8Array(capacity * PIXELS);
    this.#labels = new Uint8Array(capacity);
  }

  #fail(why: string): never {
    throw new FileFormatError(`Cannot load ${this.#what}: ${why}`);
  }

  #grow() {
    const images = new Uint8Array(this.#images.length * 2);
    images.set(this.#images);
    const labels = new Uint8Array(this.#labels.length * 2);
    labels.set(this.#labels);
    this.#images = images;
    this.#labels = labels;
  }

  /** Reads the line `b[start..end)` (no LF; a final CR is its line end). */
  #line(b: Uint8Array, start: number, end: number) {
    const stop = end > start && b[end - 1] === CR ? end - 1 : end;
    if (this.#count === this.#labels.length) this.#grow();
    const label = readLine(b, start, stop, this.#images, this.#count * PIXELS);
    if (label < 0) {
      const line = this.#count + 1;
      this.#fail(
        lineError(b.subarray(start, end), line) ??
          `line ${line} could not be read`,
      );
    }
    this.#labels[this.#count++] = label;
  }

  /** Parses the next bytes of the file. */
  push(chunk: Uint8Array): void {
    if (this.#done) throw new Error("MnistCsvParser: push() after finish()");
    let start = 0;
    if (this.#carry.length > 0) {
      const lf = chunk.indexOf(LF);
      const head = chunk.subarray(0, lf < 0 ? chunk.length : lf);
      const joined = new Uint8Array(this.#carry.length + head.length);
      joined.set(this.#carry);
      joined.set(head, this.#carry.length);
      if (lf < 0) {
        this.#keep(joined);
        return;
      }
      this.#carry = new Uint8Array(0);
      this.#line(joined, 0, joined.length);
      start = lf + 1;
    }
    for (;;) {
      const lf = chunk.indexOf(LF, start);
      if (lf < 0) break;
      this.#line(chunk, start, lf);
      start = lf + 1;
    }
    if (start < chunk.length) this.#keep(chunk.slice(start));
  }

  /** Keeps the start of a cut line; no valid line is that long. */
  #keep(bytes: Uint8Array) {
    if (bytes.length > MAX_LINE_BYTES) {
      const line = this.#count + 1;
      this.#fail(
        lineError(bytes, line) ??
          `line ${line} is longer than a record can be (${MAX_LINE_BYTES} bytes)`,
      );
    }
    this.#carry = bytes;
  }

  /** Ends the file: the last line may lack its line end. Returns the records. */
  finish(): CsvRecords {
    if (!this.#done && this.#carry.length > 0) {
      this.#line(this.#carry, 0, this.#carry.length);
      this.#carry = new Uint8Array(0);
    }
    this.#done = true;
    if (this.#count === 0) this.#fail("the file holds no images");
    return {
      count: this.#count,
      images: this.#images.subarray(0, this.#count * PIXELS),
      labels: this.#labels.subarray(0, this.#count),
    };
  }
}

/** Parses a whole MNIST CSV file held in memory (see `MnistCsvParser`). */
export function parseMnistCsv(bytes: Uint8Array, what: string): CsvRecords {
  const parser = new MnistCsvParser(
    what,
    Math.floor((bytes.length + 1) / MIN_RECORD_BYTES),
  );
  parser.push(bytes);
  return parser.finish();
}

/**
 * Reads an MNIST CSV file, streaming it in chunks. `what` describes the file
 * for messages, e.g. "train data".
 */
export async function readMnistCsv(
  path: string,
  what: string,
): Promise<CsvRecords> {
  const name = `${what} '${path}'`;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`Cannot load ${name}: no such file`);
    }
    throw e;
  }
  try {
    const { size } = await file.stat();
    // Room for as many records as the file can hold: it never has to grow.
    const parser = new MnistCsvParser(
      name,
      Math.floor((size + 1) / MIN_RECORD_BYTES),
    );
    const buffer = new Uint8Array(1 << 20);
    for (;;) {
      const n = await file.read(buffer);
      if (n === null) break;
      parser.push(buffer.subarray(0, n));
    }
    return parser.finish();
  } finally {
    file.close();
  }
}

/** The decimal digits of 0..255 as bytes. */
const DIGITS = Array.from(
  { length: 256 },
  (_, v) => new TextEncoder().encode(String(v)),
);

/**
 * Encodes images and labels as MNIST CSV, LF line ends (the inverse of
 * `parseMnistCsv`).
 */
export function encodeMnistCsv(
  images: Uint8Array,
  labels: Uint8Array,
): Uint8Array {
  const count = labels.length;
  if (images.length !== count * PIXELS) {
    throw new RangeError(
      `encodeMnistCsv: ${images.length} image bytes for ${count} labels, expected ${
        count * PIXELS
      }`,
    );
  }
  let size = 0;
  for (let i = 0; i < count; i++) {
    if (labels[i] > 9) {
      throw new RangeError(`encodeMnistCsv: label ${labels[i]} at record ${i}`);
    }
    size += 1 + FIELDS; // label, commas, LF
  }
  for (let i = 0; i < images.length; i++) size += DIGITS[images[i]].length;
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    out[at++] = ZERO + labels[i];
    for (let p = i * PIXELS, end = p + PIXELS; p < end; p++) {
      out[at++] = COMMA;
      const d = DIGITS[images[p]];
      for (let k = 0; k < d.length; k++) out[at++] = d[k];
    }
    out[at++] = LF;
  }
  return out;
}
