/**
 * `deno task predict`: reads image files of digits (PNG, JPEG, BMP; photos,
 * scans or MNIST-style pictures) and prints what the network reads in each.
 *
 * Each file goes: header checked (lib/data/image_file.ts), decoded by
 * SDL2_image, turned into grey ink on black (lib/image/photo.ts), normalised
 * like a drawing (lib/image/preprocess.ts); the network then reads the files
 * in batches of `CHUNK`, so that a thousand files cost one model load and a
 * few matrix products. A file that cannot be read gets its line and the others
 * are still answered; the exit code is then 1.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "../cli.ts";
import { PIXELS } from "../data/mnist.ts";
import { ImageFileError, readImageFile } from "../data/image_file.ts";
import { photoInk } from "../image/photo.ts";
import { preprocess, type Preprocessed } from "../image/preprocess.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../nn/model_file.ts";
import type { Network } from "../nn/network.ts";
import { readDigit, type Reading } from "../read/read_digit.ts";
import { decodeImage } from "../native/sdl2_image.ts";
import { SdlError } from "../native/sdl2.ts";

export const HELP =
  `Read digits in image files (PNG, JPEG or BMP: photos or scans of a digit
on paper, or MNIST-style light strokes on black) with the trained network.

Usage: deno task predict [options] FILE...

For each file prints "FILE: D (P%)", the digit and its probability, or
"FILE: ? (reason)" when there is no digit to read or the file cannot be read.
The exit code is 1 when a file cannot be read.

Options:
  --model PATH   trained model to use
                 (default models/mnist-784-200-10.safetensors)
  --json         print one JSON object per file instead:
                 {"file": ..., "prediction": 7, "probabilities": [10 numbers]};
                 "prediction" is null with a "reason" when there is no digit,
                 and with an "error" (and null probabilities) when the file
                 cannot be read
  --help         show this help`;

/** What the command line asks for. */
export interface PredictOptions {
  modelPath: string;
  json: boolean;
  files: string[];
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
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  if (values.model === "") throw new UsageError("--model needs a path");
  if (positionals.length === 0) throw new UsageError("no image files given");
  return {
    modelPath: values.model ?? DEFAULT_MODEL_PATH,
    json: values.json ?? false,
    files: positionals,
  };
}

/** The answer for one file: a reading, or why the file cannot be read. */
export type FileResult =
  | { file: string; reading: Reading }
  | { file: string; error: string };

/** The network's input for one image file, or why there is none. */
export type LoadedImage = Preprocessed | { error: string };

/**
 * Reads the image file at `path` and normalises it to the network's 28x28
 * input, written into `out`. A file that cannot be read gives its reason.
 */
export async function loadImage(
  path: string,
  out: Uint8Array = new Uint8Array(PIXELS),
): Promise<LoadedImage> {
  try {
    const file = await readImageFile(path);
    const rgba = decodeImage(file.bytes, file.format);
    return preprocess(photoInk(rgba), { out });
  } catch (e) {
    if (e instanceof ImageFileError) return { error: e.reason };
    if (e instanceof SdlError) {
      return { error: `corrupt image data (${e.message})` };
    }
    throw e;
  }
}

/**
 * The verdict on each loaded image: the digit the network reads, or why it
 * reads none (no ink, not a digit: see `readDigit()`).
 */
export function readDigits(
  network: Network,
  images: Preprocessed[],
): Reading[] {
  return images.map((pre) =>
    pre.empty
      ? { ...readDigit(network, pre), reason: "no ink" }
      : readDigit(network, pre)
  );
}

/** The line printed for one file (see HELP). */
export function formatResult(result: FileResult, json: boolean): string {
  if (json) {
    if ("error" in result) {
      return JSON.stringify({
        file: result.file,
        prediction: null,
        probabilities: null,
        error: result.error,
      });
    }
    const { digit, probabilities, reason } = result.reading;
    return JSON.stringify({
      file: result.file,
      prediction: digit,
      probabilities: Array.from(probabilities, (p) => Number(p.toFixed(6))),
      ...(reason === undefined ? {} : { reason }),
    });
  }
  if ("error" in result) return `${result.file}: ? (${result.error})`;
  const { digit, probabilities, reason } = result.reading;
  return digit === null
    ? `${result.file}: ? (${reason})`
    : `${result.file}: ${digit} (${(probabilities[digit] * 100).toFixed(1)}%)`;
}

/** How many files are read and sent to the network at a time. */
export const CHUNK = 256;

/**
 * Answers each of `files` with `network`, in order, calling `write` with the
 * lines of each chunk of files as they are done. Returns the exit code: 1 when
 * a file could not be read, else 0.
 */
export async function predictFiles(
  network: Network,
  files: string[],
  json: boolean,
  write: (lines: string[]) => void,
): Promise<number> {
  const pixels = new Uint8Array(CHUNK * PIXELS);
  let code = 0;
  for (let start = 0; start < files.length; start += CHUNK) {
    const chunk = files.slice(start, start + CHUNK);
    // Files are read concurrently, then decoded one after another.
    const loaded = await Promise.all(
      chunk.map((file, i) =>
        loadImage(file, pixels.subarray(i * PIXELS, (i + 1) * PIXELS))
      ),
    );
    const readings = readDigits(
      network,
      loaded.filter((image): image is Preprocessed => !("error" in image)),
    );
    const results: FileResult[] = [];
    let next = 0;
    loaded.forEach((image, i) => {
      if ("error" in image) {
        code = 1;
        results.push({ file: chunk[i], error: image.error });
      } else {
        results.push({ file: chunk[i], reading: readings[next++] });
      }
    });
    write(results.map((r) => formatResult(r, json)));
  }
  return code;
}

/** Loads the model and answers the files; returns the exit code. */
export async function runPredict(options: PredictOptions): Promise<number> {
  const { network } = await loadModel(options.modelPath, {
    note: (line) => console.error(`predict: ${line}`),
  });
  return await predictFiles(
    network,
    options.files,
    options.json,
    (lines) => console.log(lines.join("\n")),
  );
}
