import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import { imageAt, loadMnist, PIXELS } from "../lib/data/mnist.ts";
import { Canvas } from "../lib/image/canvas.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { Network, zeroParameters } from "../lib/nn/network.ts";
import {
  calibrateThreshold,
  DEFAULT_THRESHOLD,
  modelThreshold,
  readDigit,
  THRESHOLD_KEY,
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

/** The logit whose sigmoid is `p`. */
const logit = (p: number) => Math.log(p / (1 - p));

Deno.test("readDigit() refuses when no output reaches the threshold, whatever the shape", async () => {
  const test = await loadMnist("test", { limit: 1 });
  const digit = imageAt(test, 0);
  const low = logit(DEFAULT_THRESHOLD / 2);
  const reading = readDigit(
    constantNetwork([low, low, low, low + 0.5, low, low, low, low, low, low]),
    digit,
  );
  assertEquals(reading.digit, null);
  const highest = 1 / (1 + Math.exp(-(low + 0.5)));
  assertEquals(
    reading.reason,
    `not a digit: highest output ${highest.toFixed(2)}`,
  );
  const sure = readDigit(
    constantNetwork([low, low, low, 3, low, low, low, low, low, low]),
    digit,
  );
  assertEquals(sure.digit, 3);
  assertEquals(sure.reason, undefined);
  // The model's own threshold: an output of 0.5 passes 0.4, not 0.6.
  const half = constantNetwork([
    low,
    low,
    0,
    low,
    low,
    low,
    low,
    low,
    low,
    low,
  ]);
  assertEquals(readDigit(half, digit, { threshold: 0.4 }).digit, 2);
  assertEquals(readDigit(half, digit, { threshold: 0.6 }).digit, null);
});

Deno.test("readDigit() refuses a dot by its shape, not bold strokes or small digits", () => {
  const network = constantNetwork(new Array(10).fill(3)); // reads anything
  const dot = preprocess(nonDigits()["a dot"]);
  assertEquals(readDigit(network, dot).reason, "too small: a dot, not a digit");
  // Digits drawn with the default brush at every height, the smallest bold.
  for (const [d, strokes] of Object.entries(DIGITS)) {
    for (const h of HEIGHTS) {
      const r = readDigit(network, preprocess(drawStrokes(strokes, h)));
      assert(r.digit !== null, `${d} at ${h} px: ${r.reason}`);
    }
  }
});

Deno.test("modelThreshold() reads the calibrated threshold from a model's metadata", () => {
  assertEquals(modelThreshold({ [THRESHOLD_KEY]: "0.271" }), 0.271);
  assertEquals(modelThreshold({}), DEFAULT_THRESHOLD);
  for (const bad of ["", "x", "0", "1", "-0.2"]) {
    assertEquals(modelThreshold({ [THRESHOLD_KEY]: bad }), DEFAULT_THRESHOLD);
  }
});

Deno.test("calibrateThreshold() refuses the asked share of the digits it is given", async () => {
  const { network } = await loadModel(FIXTURE);
  const digits = await loadMnist("test", { limit: 2000 });
  for (const share of [0.01, 0.05]) {
    const threshold = calibrateThreshold(network, digits, share);
    let refused = 0;
    for (let i = 0; i < digits.count; i++) {
      if (
        readDigit(network, imageAt(digits, i), { threshold }).digit === null
      ) {
        refused++;
      }
    }
    // Rounded down to 3 decimals: at most the share, and nearly all of it.
    assert(refused <= share * digits.count, `${share}: ${refused} refused`);
    assert(refused >= 0.8 * share * digits.count, `${share}: ${refused}`);
  }
  assertThrows(
    () => calibrateThreshold(network, { ...digits, count: 0 }),
    RangeError,
    "no digits",
  );
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
