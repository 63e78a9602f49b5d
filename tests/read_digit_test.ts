import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import { imageAt, loadMnist, PIXELS, SIDE } from "../lib/data/mnist.ts";
import { Canvas } from "../lib/image/canvas.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { Network, zeroParameters } from "../lib/nn/network.ts";
import {
  inkShape,
  MIN_OUTPUT,
  notDigitReason,
  readDigit,
} from "../lib/read/read_digit.ts";
import { DIGITS, drawStrokes, HEIGHTS, nonDigits } from "./_sample_drawings.ts";

const FIXTURE =
  new URL("./fixtures/model-784-200-10.safetensors", import.meta.url)
    .pathname;

/** A network that ignores its input: output j is sigmoid(bias[j]). */
function constantNetwork(bias: number[]): Network {
  const p = zeroParameters(4);
  p.b2.set(bias);
  return new Network(p);
}

/** A 28x28 image with a bar from (x0, y0) to (x1, y1), 2 pixels wide. */
function barImage(x0: number, y0: number, x1: number, y1: number) {
  const canvas = new Canvas(SIDE, SIDE, { radius: 1, softness: 0.5 });
  canvas.stroke(x0, y0, x1, y1);
  return Uint8Array.from(canvas.data, (v) => Math.round(v * 255));
}

Deno.test("notDigitReason() refuses a dot, a blob, a scribble and lone bars", () => {
  const shapes = nonDigits();
  const reasons = Object.fromEntries(
    Object.entries(shapes).map(([name, canvas]) => {
      const pre = preprocess(canvas);
      return [name, notDigitReason(pre.pixels, pre)];
    }),
  );
  assertEquals(reasons["a dot"], "too small: a dot, not a digit");
  assertEquals(reasons["a filled blob"], "too much ink: a filled blob");
  assertEquals(reasons["a scribble"], "too many strokes: a scribble");
  for (
    const bar of ["a horizontal bar", "a bar slanted 24 degrees", "a short bar"]
  ) {
    assertEquals(reasons[bar], "a lone line, not a digit", bar);
  }
  // From the pixels alone the dot cannot be told from a blob.
  const dot = preprocess(shapes["a dot"]).pixels;
  assertEquals(notDigitReason(dot), "too much ink: a filled blob");
});

Deno.test("notDigitReason() accepts drawn digits, upright bars and nearly all MNIST digits", async () => {
  for (const [d, strokes] of Object.entries(DIGITS)) {
    for (const h of HEIGHTS.filter((h) => h >= 160)) {
      const pre = preprocess(drawStrokes(strokes, h));
      assertEquals(
        notDigitReason(pre.pixels, pre),
        undefined,
        `${d} at ${h} px`,
      );
    }
  }
  assertEquals(notDigitReason(barImage(14, 4, 13, 24)), undefined);
  assertEquals(notDigitReason(barImage(10, 4, 17, 24)), undefined);
  const test = await loadMnist("test", { limit: 2000 });
  let refused = 0;
  for (let i = 0; i < test.count; i++) {
    if (notDigitReason(imageAt(test, i)) !== undefined) refused++;
  }
  assert(refused <= 0.005 * test.count, `${refused} of ${test.count} refused`);
});

Deno.test("notDigitReason() says nothing of an empty image", () => {
  assertEquals(notDigitReason(new Uint8Array(PIXELS)), undefined);
});

Deno.test("inkShape() measures the lean and elongation of bars", () => {
  const upright = inkShape(barImage(14, 4, 14, 24));
  assertAlmostEquals(upright.lean, 0, 1);
  assert(upright.elongation < 0.02, `upright ${upright.elongation}`);
  const flat = inkShape(barImage(4, 14, 24, 14));
  assertAlmostEquals(flat.lean, 90, 1);
  const diagonal = inkShape(barImage(4, 4, 24, 24));
  assertAlmostEquals(diagonal.lean, 45, 1);
  // Mass is the pixels' sum over 255; a cross is less elongated than a bar.
  const cross = barImage(4, 14, 24, 14);
  barImage(14, 4, 14, 24).forEach((v, k) => cross[k] = Math.max(cross[k], v));
  const shape = inkShape(cross);
  assertAlmostEquals(shape.mass, cross.reduce((s, v) => s + v, 0) / 255, 1e-9);
  assert(shape.elongation > 0.5, `cross ${shape.elongation}`);
});

Deno.test("readDigit() refuses when no output reaches MIN_OUTPUT, whatever the shape", async () => {
  const test = await loadMnist("test", { limit: 1 });
  const digit = imageAt(test, 0);
  const low = Math.log(MIN_OUTPUT / 2 / (1 - MIN_OUTPUT / 2)); // sigmoid = MIN_OUTPUT / 2
  const reading = readDigit(
    constantNetwork([low, low, low, low + 0.5, low, low, low, low, low, low]),
    digit,
  );
  assertEquals(reading.digit, null);
  const highest = 1 / (1 + Math.exp(-(low + 0.5)));
  assertEquals(
    reading.reason,
    `no digit is likely: highest output ${highest.toFixed(2)}`,
  );
  const sure = readDigit(
    constantNetwork([low, low, low, 3, low, low, low, low, low, low]),
    digit,
  );
  assertEquals(sure.digit, 3);
  assertEquals(sure.reason, undefined);
});

Deno.test("readDigit() gives the raw outputs and probabilities that sum to one", async () => {
  const { network } = await loadModel(FIXTURE);
  const test = await loadMnist("test", { limit: 20 });
  const probs = network.predict(test.images, test.count);
  for (let i = 0; i < test.count; i++) {
    const r = readDigit(network, imageAt(test, i));
    let sum = 0;
    for (let j = 0; j < 10; j++) {
      assertAlmostEquals(r.probabilities[j], probs[i * 10 + j], 1e-6);
      assertAlmostEquals(
        r.outputs[j] / r.probabilities[j],
        r.outputs[0] / r.probabilities[0],
        1e-3,
      );
      assert(r.outputs[j] > 0 && r.outputs[j] < 1);
      sum += r.probabilities[j];
    }
    assertAlmostEquals(sum, 1, 1e-5);
  }
});

Deno.test("readDigit() reads MNIST digits and refuses few of them", async () => {
  const { network } = await loadModel(FIXTURE);
  const test = await loadMnist("test", { limit: 1000 });
  let refused = 0, right = 0;
  for (let i = 0; i < test.count; i++) {
    const r = readDigit(network, imageAt(test, i));
    if (r.digit === null) refused++;
    else if (r.digit === test.labels[i]) right++;
  }
  assert(refused <= 0.02 * test.count, `${refused} refused`);
  assert(right >= 0.95 * (test.count - refused), `${right} right`);
});

Deno.test("readDigit() says nothing drawn for an empty canvas", async () => {
  const { network } = await loadModel(FIXTURE);
  const r = readDigit(network, preprocess(new Canvas()));
  assertEquals(r.digit, null);
  assertEquals(r.reason, "nothing drawn");
  assertEquals(
    readDigit(network, new Uint8Array(PIXELS)).reason,
    "nothing drawn",
  );
});

Deno.test("readDigit() rejects an image of the wrong size", () => {
  assertThrows(
    () => readDigit(constantNetwork(new Array(10).fill(0)), new Uint8Array(10)),
    RangeError,
    "Image has 10 pixels, expected 784",
  );
});
