/**
 * `deno task predict`: reads image files of digits and numbers (PNG, JPEG,
 * BMP; photos, scans or MNIST-style pictures) and prints what the network
 * reads in each.
 *
 * Each file goes: header checked (lib/data/image_file.ts), decoded by
 * SDL2_image, its ink found at full resolution and cropped to where it lies
 * (lib/image/photo.ts), then read as a number (lib/read/read_number.ts): the
 * ink is split into digits, each made MNIST-like and read alone, and refused
 * when no output of the network reaches the model's threshold. Files are
 * read `CHUNK` at a time, concurrently, so that a thousand files cost one
 * model load. A file that cannot be read gets its line and the others are
 * still answered; the exit code is then 1.
 *
 * @module
 */
import { counted, percent } from "../ui/format.ts";
import { parseArgs } from "node:util";
import { parseArgsError, UsageError } from "../cli.ts";
import { ImageFileError, readImageFile } from "../data/image_file.ts";
import { boxInPicture, photoInk, type PlacedInk } from "../image/photo.ts";
import type { Box } from "../image/preprocess.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../nn/model_file.ts";
import {
  type DigitReader,
  type NumberReading,
  readerOf,
  readInk,
} from "../read/read_number.ts";
import { decodeImage } from "../native/sdl2_image.ts";
import { SdlError } from "../native/sdl2.ts";
import { ShowDir } from "./predict_show.ts";

export const HELP =
  `Read digits and numbers in image files (PNG, JPEG or BMP: photos or scans
of digits written on paper, or MNIST-style light strokes on black) with the
trained network.

Usage: deno task predict [options] FILE...

For each file prints one line:
  FILE: 7 (99.2%)            one digit, and its probability
  FILE: 42 (4 97%, 2 99%)    a number: its digits, left to right, each with
                             its probability
  FILE: ? (reason)           no number: no ink, a piece of ink that is not a
                             digit (which one, and why), several lines of
                             writing, or a file that cannot be read
The ink is split into digits where they stand apart, and touching digits
are cut where their parts read best. A piece is "not a digit" when none of
the network's ten outputs reaches the threshold stored in the model
(calibrated when it was trained, on digits kept apart; the network also
learnt from letters, scribbles and doodles that it must give no digit); a
dot is not a digit either. The exit code is 1 when a file cannot be read.

Options:
  --model PATH   trained model to use
                 (default models/mnist-784-200-10.safetensors)
  --json         print one JSON object per file instead:
                   {"file": ..., "prediction": 7, "probabilities": [10],
                    "number": "7", "digits": [{"prediction": 7,
                    "probabilities": [10], "outputs": [10],
                    "box": [x, y, w, h]}]}
                 "number" is the digits read ("42"), or null with a "reason";
                 "digits" has one object per piece of ink, left to right,
                 its "box" in the file's pixels ("prediction" null with a
                 "reason" for a piece that is not a digit); "outputs" are the
                 network's ten raw outputs, which the threshold and the
                 reason speak of ("probabilities" are them made to sum to
                 one, so one is high even for what is no digit); "prediction" and
                 "probabilities" are those of the one piece when there is
                 only one, else null; a file that cannot be read has an
                 "error", null "number" and no digits
  --show DIR     also write, for each file, the 28x28 pictures the network
                 read, one per piece of ink: DIR/NAME-1.png, DIR/NAME-2.png,
                 ... (NAME is the file's name less its extension; 8-bit
                 grey, the ink white on black as in MNIST); DIR is made if
                 missing, and must be inside the project folder, which is all
                 the task may write to; with --json each piece says its file
                 ("shown")
  --help         show this help`;

/** What the command line asks for. */
export interface PredictOptions {
  modelPath: string;
  json: boolean;
  /** Write the pictures the network read into this folder. */
  showDir?: string;
  files: string[];
  /** The command line as given, for a command that reruns it. */
  args: string[];
}

/** Parses the command line; `null` means --help. Throws `UsageError`. */
export function parsePredictArgs(args: string[]): PredictOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        model: { type: "string" },
        json: { type: "boolean" },
        show: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    throw parseArgsError(e);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  for (const flag of ["model", "show"] as const) {
    if (values[flag] === "") throw new UsageError(`--${flag} needs a path`);
  }
  if (positionals.length === 0) throw new UsageError("no image files given");
  return {
    modelPath: values.model ?? DEFAULT_MODEL_PATH,
    json: values.json ?? false,
    showDir: values.show,
    files: positionals,
    args,
  };
}

/** The ink of one image file and the size of its picture, or why there is none. */
export type LoadedInk =
  | { ink: PlacedInk; picture: { width: number; height: number } }
  | { error: string };

/** Reads the image file at `path` and finds its ink (see lib/image/photo.ts). */
export async function loadInk(path: string): Promise<LoadedInk> {
  try {
    const file = await readImageFile(path);
    const rgba = decodeImage(file.bytes, file.format);
    return {
      ink: photoInk(rgba),
      picture: { width: rgba.width, height: rgba.height },
    };
  } catch (e) {
    if (e instanceof ImageFileError) return { error: e.reason };
    if (e instanceof SdlError) {
      return { error: `corrupt image data (${e.message})` };
    }
    throw e;
  }
}

/** The answer for one file: what was read, or why the file cannot be read. */
export type FileResult =
  | {
    file: string;
    reading: NumberReading;
    /** Each piece's box in the file's pixels. */
    boxes: Box[];
    /** The pictures --show wrote, one per piece. */
    shown?: string[];
  }
  | { file: string; error: string };

/** Reads the number in a file's ink, the boxes of its pieces in the file's pixels. */
export function readFileInk(
  reader: DigitReader,
  file: string,
  loaded: LoadedInk,
): FileResult {
  if ("error" in loaded) return { file, error: loaded.error };
  const { ink, picture } = loaded;
  const reading = readInk(reader, ink);
  return {
    file,
    reading,
    boxes: reading.digits.map((d) => boxInPicture(ink, d.box, picture)),
  };
}

/** Why a file holds no number, in the words of the output. */
function reasonOf(reading: NumberReading): string {
  return reading.digits.length === 0 ? "no ink" : reading.reason!;
}

/** Probabilities or outputs as JSON numbers, to six decimals. */
const rounded = (probabilities: Float32Array) =>
  Array.from(probabilities, (p) => Number(p.toFixed(6)));

/** The line printed for one file (see HELP). */
export function formatResult(result: FileResult, json: boolean): string {
  if ("error" in result) {
    return json
      ? JSON.stringify({
        file: result.file,
        prediction: null,
        probabilities: null,
        number: null,
        digits: [],
        error: result.error,
      })
      : `${result.file}: ? (${result.error})`;
  }
  const { reading, boxes, shown } = result;
  const { digits, number } = reading;
  if (json) {
    const one = digits.length === 1 ? digits[0].reading : null;
    return JSON.stringify({
      file: result.file,
      prediction: one?.digit ?? null,
      probabilities: one ? rounded(one.probabilities) : null,
      number,
      digits: digits.map(({ reading: r }, k) => ({
        prediction: r.digit,
        probabilities: rounded(r.probabilities),
        outputs: rounded(r.outputs),
        box: [boxes[k].x, boxes[k].y, boxes[k].width, boxes[k].height],
        ...(r.reason === undefined ? {} : { reason: r.reason }),
        ...(shown ? { shown: shown[k] } : {}),
      })),
      ...(number === null ? { reason: reasonOf(reading) } : {}),
    });
  }
  if (number === null) return `${result.file}: ? (${reasonOf(reading)})`;
  if (digits.length === 1) {
    const { digit, probabilities } = digits[0].reading;
    return `${result.file}: ${digit} (${
      percent(probabilities[digit!], 1, "")
    })`;
  }
  const each = digits.map(({ reading: { digit, probabilities } }) =>
    `${digit} ${percent(probabilities[digit!], 0, "")}`
  );
  return `${result.file}: ${number} (${each.join(", ")})`;
}

/** How many files are read at a time. */
export const CHUNK = 256;

/**
 * Answers each of `files` with `reader`, in order, calling `write` with the
 * lines of each chunk of files as they are done; with `show`, writes the
 * pictures the network read there first. Returns the exit code: 1 when a
 * file could not be read, else 0.
 */
export async function predictFiles(
  reader: DigitReader,
  files: string[],
  { json, show }: { json: boolean; show?: ShowDir },
  write: (lines: string[]) => void,
): Promise<number> {
  let code = 0;
  for (let start = 0; start < files.length; start += CHUNK) {
    const chunk = files.slice(start, start + CHUNK);
    // Files are read concurrently, then decoded one after another.
    const loaded = await Promise.all(chunk.map(loadInk));
    const lines: string[] = [];
    for (const [i, image] of loaded.entries()) {
      const result = readFileInk(reader, chunk[i], image);
      if ("error" in result) code = 1;
      else if (show) {
        result.shown = await show.write(
          result.file,
          result.reading.digits.map((d) => d.input.pixels),
        );
      }
      lines.push(formatResult(result, json));
    }
    write(lines);
  }
  return code;
}

/** Loads the model and answers the files; returns the exit code. */
export async function runPredict(options: PredictOptions): Promise<number> {
  // Before the model loads, so that a folder it cannot write to fails fast.
  const show = options.showDir === undefined
    ? undefined
    : await ShowDir.open(options.showDir, options.args);
  const model = await loadModel(options.modelPath, {
    note: (line) => console.error(`predict: ${line}`),
  });
  const code = await predictFiles(
    readerOf(model),
    options.files,
    { json: options.json, show },
    (lines) => console.log(lines.join("\n")),
  );
  if (show) {
    console.error(
      `predict: wrote ${counted(show.written, "picture")} to ${show.dir}`,
    );
  }
  return code;
}
