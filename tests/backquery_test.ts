/** Backquery against NumPy, and its pieces against their definitions. */
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import {
  backquery,
  backqueryAll,
  type Layers,
  logit,
  rescale,
  toGrey,
} from "../lib/nn/backquery.ts";
import { loadModel } from "../lib/nn/model_file.ts";

const FIXTURE =
  new URL("./fixtures/model-784-200-10.safetensors", import.meta.url)
    .pathname;

/**
 * Backquery of every digit computed by NumPy in float64 from the same float32
 * weights, written straight from the formulas: (10, 784) inputs.
 */
async function numpyBackquery(layers: Layers): Promise<Float64Array> {
  const dir = await Deno.makeTempDir({ prefix: "backquery-test-" });
  try {
    for (const [name, a] of Object.entries(layers)) {
      await Deno.writeFile(`${dir}/${name}`, new Uint8Array(a.buffer));
    }
    const script = `
import numpy as np, sys
d = sys.argv[1]
ld = lambda n: np.fromfile(d + "/" + n, dtype="<f4").astype(np.float64)
b1, b2 = ld("b1"), ld("b2")
w1 = ld("w1").reshape(len(b1), -1); w2 = ld("w2").reshape(len(b2), len(b1))
logit = lambda y: np.log(y / (1 - y))
def rescale(v): return (v - v.min()) / (v.max() - v.min()) * 0.98 + 0.01
out = []
for d_ in range(len(b2)):
    t = np.full(len(b2), 0.01); t[d_] = 0.99
    h = rescale(w2.T @ (logit(t) - b2))
    out.append(rescale(w1.T @ (logit(h) - b1)))
np.asarray(out, dtype="<f8").tofile(d + "/x")
`;
    const out = await new Deno.Command("python3", {
      args: ["-c", script, dir],
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(new TextDecoder().decode(out.stderr));
    }
    const bytes = await Deno.readFile(`${dir}/x`);
    return new Float64Array(bytes.buffer);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("backquery() matches NumPy for every digit of the fixture model", async () => {
  const { network } = await loadModel(FIXTURE);
  const reference = await numpyBackquery(network.params);
  const ours = backqueryAll(network.params);
  assertEquals(ours.length, 10);
  let worst = 0;
  ours.forEach((b, d) => {
    assertEquals(b.input.length, 784);
    for (let i = 0; i < 784; i++) {
      worst = Math.max(worst, Math.abs(b.input[i] - reference[d * 784 + i]));
    }
  });
  assert(worst < 1e-9, `largest difference from NumPy is ${worst}`);
});

Deno.test("backquery() subtracts the biases before going back", () => {
  // One input, two hidden units, two outputs, small enough to do by hand.
  const l: Layers = {
    w1: Float32Array.of(1, 1), // (2 hidden, 1 input)
    b1: Float32Array.of(0, 0),
    w2: Float32Array.of(1, 0, 0, 1), // (2 outputs, 2 hidden)
    b2: Float32Array.of(0, 0),
  };
  // Without biases, z2 = logit(t) = (+-4.595), h = rescale(z2) = (0.99, 0.01)
  // for label 0, and x has one element: rescale of a constant is 0.5.
  const plain = backquery(l, 0);
  assertAlmostEquals(plain.hidden[0], 0.99, 1e-12);
  assertAlmostEquals(plain.hidden[1], 0.01, 1e-12);
  // A bias larger than the logit flips the order of the hidden values.
  const biased = backquery({ ...l, b2: Float32Array.of(10, 0) }, 0);
  assertAlmostEquals(biased.hidden[0], 0.01, 1e-12);
  assertAlmostEquals(biased.hidden[1], 0.99, 1e-12);
  assertEquals(biased.input[0], 0.5);
});

Deno.test("backquery() rejects a label that is not an output", () => {
  const l: Layers = {
    w1: new Float32Array(4),
    b1: new Float32Array(2),
    w2: new Float32Array(20),
    b2: new Float32Array(10),
  };
  assertThrows(() => backquery(l, 10), RangeError, "label must be");
  assertThrows(
    () => backquery({ ...l, w2: new Float32Array(3) }, 0),
    RangeError,
    "do not make",
  );
});

Deno.test("rescale() maps the minimum to 0.01 and the maximum to 0.99", () => {
  const v = rescale(Float64Array.of(-3, 1, 5));
  assertAlmostEquals(v[0], 0.01, 1e-15);
  assertAlmostEquals(v[1], 0.5, 1e-15);
  assertAlmostEquals(v[2], 0.99, 1e-15);
  assertEquals([...rescale(Float64Array.of(7, 7))], [0.5, 0.5]);
});

Deno.test("logit() inverts the sigmoid", () => {
  for (const z of [-6, -0.5, 0, 2, 4.5]) {
    assertAlmostEquals(logit(1 / (1 + Math.exp(-z))), z, 1e-9);
  }
});

Deno.test("toGrey() maps 0.01..0.99 to 0..255", () => {
  assertEquals([...toGrey(Float64Array.of(0.01, 0.5, 0.99))], [0, 128, 255]);
});
