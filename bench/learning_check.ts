/**
 * Whether the draw window learns from corrections: a handwriting the network
 * misreads (tests/_own_style.ts) is corrected once per digit, as in the
 * window (the drawing read as the window reads it, then learnt by the
 * window's `Learner`); then fresh drawings in that handwriting must read
 * right at least 80% of the time, and the tuned network must still read at
 * least 98.3% of the MNIST test set right.
 *
 * Usage: deno task check:learning [--model PATH] [--data DIR]
 *
 * Exits with code 1 when a target is missed.
 *
 * @module
 */
import { parseFlags, run } from "../lib/cli.ts";
import { DEFAULT_DATA_DIR, loadMnist } from "../lib/data/mnist.ts";
import { evaluate } from "../lib/nn/evaluate.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../lib/nn/model_file.ts";
import type { Network } from "../lib/nn/network.ts";
import {
  type DigitReader,
  readDrawing,
  readerOf,
} from "../lib/read/read_number.ts";
import {
  FINE_TUNING,
  Learner,
  modelLoss,
  modelNegativesShare,
} from "../lib/app/draw/learning.ts";
import { Random } from "../lib/random.ts";
import { styleDrawing } from "../tests/_own_style.ts";
import { Canvas } from "../lib/image/canvas.ts";
import {
  DOODLES,
  drawAt,
  LETTERS,
  type Strokes,
} from "../tests/_sample_drawings.ts";
import { percent } from "../lib/ui/format.ts";

/** The targets. */
export const TARGETS = { styleRight: 0.8, mnistAccuracy: 0.983 };

/** Fresh drawings per digit read before and after the corrections. */
const FRESH = 30;

/** How many of `drawings` (FRESH per digit, in order) `reader` reads right. */
function readRight(reader: DigitReader, drawings: ReturnType<typeof fresh>) {
  const wrong: string[] = [];
  let right = 0;
  drawings.forEach(({ digit, canvas }) => {
    const n = readDrawing(reader, canvas).number;
    if (n === String(digit)) right++;
    else wrong.push(`${digit}:${n ?? "?"}`);
  });
  return { right, share: right / drawings.length, wrong };
}

/** Letters and doodles drawn by hand, each at two sizes. */
function notDigits(): Canvas[] {
  const all: Strokes[] = [...Object.values(LETTERS), ...Object.values(DOODLES)];
  return all.flatMap((strokes) =>
    [90, 240].map((size) => {
      const canvas = new Canvas();
      drawAt(canvas, strokes, 150, (672 - size) / 2, size);
      return canvas;
    })
  );
}

/** How many of `canvases` `reader` says are no number. */
function refused(reader: DigitReader, canvases: Canvas[]): number {
  return canvases.filter((c) => readDrawing(reader, c).number === null).length;
}

function fresh(rng: Random) {
  return Array.from({ length: 10 * FRESH }, (_, i) => {
    const digit = Math.floor(i / FRESH);
    return { digit, canvas: styleDrawing(digit, rng) };
  });
}

async function main(args: string[]): Promise<number> {
  const flags = parseFlags(args, {
    model: { type: "string" },
    data: { type: "string" },
  });
  const model = await loadModel(flags.model ?? DEFAULT_MODEL_PATH);
  const dir = flags.data ?? DEFAULT_DATA_DIR;
  const testSet = await loadMnist("test", { dir });
  const base = readerOf(model);
  const drawings = fresh(new Random(2));
  const before = readRight(base, drawings);
  console.log(
    `Fresh drawings in a handwriting of our own, before any correction: ${before.right}/${drawings.length} read right (${
      percent(before.share, 1, "")
    })`,
  );

  let tuned: Network = base.network;
  const learner = new Learner(base.network, {
    dataDir: dir,
    negativesShare: modelNegativesShare(model.metadata),
    loss: modelLoss(model.metadata),
    onTuned: (t) => void (tuned = t.network),
    onError: (e) => {
      throw e;
    },
  });
  const rng = new Random(1);
  const seconds: number[] = [];
  try {
    for (let digit = 0; digit < 10; digit++) {
      const reading = readDrawing(base, styleDrawing(digit, rng));
      if (reading.digits.length !== 1) {
        throw new Error(`the correction of ${digit} is not one piece`);
      }
      const started = performance.now();
      learner.learn(reading.digits[0].input.pixels, digit);
      await learner.idle();
      seconds.push((performance.now() - started) / 1000);
    }
  } finally {
    learner.close();
  }
  console.log(
    `Corrected once per digit: each correction learnt in ${
      Math.min(...seconds).toFixed(1)
    }-${
      Math.max(...seconds).toFixed(1)
    } s in the background (the first also reads MNIST and makes the examples that are no digit to replay): ${FINE_TUNING.epochs} passes over ${FINE_TUNING.replay} MNIST images, ${
      100 * FINE_TUNING.ownShare
    }% own drawings besides`,
  );

  const after = readRight({ ...base, network: tuned }, drawings);
  const ok = after.share >= TARGETS.styleRight;
  console.log(
    `Fresh drawings after: ${after.right}/${drawings.length} read right (${
      percent(after.share, 1, "")
    }; target >= ${100 * TARGETS.styleRight}%: ${ok ? "ok" : "MISSED"})`,
  );
  if (after.wrong.length) console.log(`  wrong: ${after.wrong.join(" ")}`);
  const others = notDigits();
  console.log(
    `Letters and doodles refused: ${
      refused({ ...base, network: tuned }, others)
    }/${others.length} (${refused(base, others)} before)`,
  );
  const was = evaluate(base.network, testSet).accuracy;
  const accuracy = evaluate(tuned, testSet).accuracy;
  const kept = accuracy >= TARGETS.mnistAccuracy;
  console.log(
    `MNIST test set: ${percent(accuracy, 2, "")} read right (${
      percent(was, 2, "")
    } before; target >= ${100 * TARGETS.mnistAccuracy}%: ${
      kept ? "ok" : "MISSED"
    })`,
  );
  return ok && kept ? 0 : 1;
}

if (import.meta.main) {
  await run("check:learning", async () => {
    const code = await main(Deno.args);
    if (code !== 0) Deno.exit(code);
  });
}
