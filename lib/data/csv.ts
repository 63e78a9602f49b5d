/**
 * MNIST as CSV, the format of "Make Your Own Neural Network" (Rashid): one
 * record a line, `label,p1,...,p784`, the label 0-9 and the pixels 0-255 in
 * row-major order, no header. Lines end with LF or CRLF; the last one may lack
 * its line end. The files are `mnist_train.csv` and `mnist_test.csv`, and the
 * book's small `mnist_train_100.csv` and `mnist_test_10.csv`.
 *
 * The reader is as strict as the IDX one: the first problem ends it with one
 * message that names the file and the line. It parses the bytes as they stream
 * in, straight into the image and label arrays: no string per line or value.
 *
 * @module
 */

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

/** How a byte looks in a message: the character when printable. */
function showByte(c: number): string {
  return c > 0x20 && c < 0x7f
    ? `'${String.fromCharCode(c)}'`
    : `byte 0x${c.toString(16).padStart(2, "0")}`;
}

/**
 * Parses MNIST CSV bytes pushed in chunks of any size. `what` names the file in
 * messages, e.g. "train data 'mnist_train.csv'"; a bad file throws a
 * `SyntaxError` "Cannot load <what>: line N ...".
 */
export class MnistCsvParser {
  #what: string;
  #images: Uint8Array;
  #labels: Uint8Array;
  #count = 0;
  /** The line being read, from 1. */
  #line = 1;
  /** The value being read on the line, from 0 (the label). */
  #field = 0;
  #value = 0;
  #digits = 0;
  /** A CR was just read: only an LF may follow. */
  #cr = false;
  #done = false;

  /** `capacity`: how many records to make room for at first (it grows). */
  constructor(what: string, capacity = 1024) {
    this.#what = what;
    capacity = Math.max(1, capacity);
    this.#images = new Uint8Array(capacity * PIXELS);
    this.#labels = new Uint8Array(capacity);
  }

  #fail(why: string): never {
    throw new SyntaxError(`Cannot load ${this.#what}: ${why}`);
  }

  #grow() {
    const images = new Uint8Array(this.#images.length * 2);
    images.set(this.#images);
    const labels = new Uint8Array(this.#labels.length * 2);
    labels.set(this.#labels);
    this.#images = images;
    this.#labels = labels;
  }

  /** Ends the value being read: checks it and stores it. */
  #endField(line: number, field: number, value: number, digits: number) {
    const where = `line ${line}, value ${field + 1} of ${FIELDS}`;
    if (digits === 0) this.#fail(`${where} is empty`);
    if (field === 0) {
      if (digits > 1) {
        this.#fail(`line ${line}: label ${value} is not a digit 0-9`);
      }
      this.#labels[this.#count] = value;
    } else {
      if (digits > 3 || value > 255) {
        this.#fail(`${where} is ${value}, outside 0-255`);
      }
      this.#images[this.#count * PIXELS + field - 1] = value;
    }
  }

  /** Ends the line being read: checks it has every value, counts the record. */
  #endLine(line: number, field: number) {
    if (field !== FIELDS - 1) {
      this.#fail(
        `line ${line} has ${
          field + 1
        } values, expected ${FIELDS} (a label and ${PIXELS} pixels)`,
      );
    }
    this.#count++;
    if (this.#count === this.#labels.length) this.#grow();
  }

  /** Parses the next bytes of the file. */
  push(chunk: Uint8Array): void {
    if (this.#done) throw new Error("MnistCsvParser: push() after finish()");
    // The state lives in locals while the loop runs: field access is slower.
    let line = this.#line, field = this.#field, value = this.#value;
    let digits = this.#digits, cr = this.#cr;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk[i];
      if (cr && c !== LF) {
        this.#fail(
          `line ${line}: a carriage return not followed by a line feed`,
        );
      }
      if (c >= ZERO && c <= NINE) {
        value = value * 10 + (c - ZERO);
        digits++;
      } else if (c === COMMA) {
        this.#endField(line, field, value, digits);
        field++;
        if (field === FIELDS) {
          this.#fail(
            `line ${line} has more than ${FIELDS} values (a label and ${PIXELS} pixels)`,
          );
        }
        value = 0;
        digits = 0;
      } else if (c === LF) {
        if (field === 0 && digits === 0) this.#fail(`line ${line} is empty`);
        this.#endField(line, field, value, digits);
        this.#endLine(line, field);
        line++;
        field = 0;
        value = 0;
        digits = 0;
        cr = false;
      } else if (c === CR) {
        cr = true;
      } else {
        const expected = field === 0
          ? "a label 0-9"
          : "an integer 0-255 or a comma";
        const header = line === 1 && field === 0
          ? " (the file must not start with a header line)"
          : "";
        this.#fail(
          `line ${line}, value ${field + 1} of ${FIELDS}: found ${
            showByte(c)
          }, expected ${expected}${header}`,
        );
      }
    }
    this.#line = line;
    this.#field = field;
    this.#value = value;
    this.#digits = digits;
    this.#cr = cr;
  }

  /** Ends the file: the last line may lack its line end. Returns the records. */
  finish(): CsvRecords {
    if (!this.#done && (this.#field > 0 || this.#digits > 0)) {
      this.#endField(this.#line, this.#field, this.#value, this.#digits);
      this.#endLine(this.#line, this.#field);
    } else if (this.#cr) {
      this.#fail(`line ${this.#line} is empty`);
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
