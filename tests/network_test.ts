import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import {
  Batch,
  gatherScaled,
  INPUTS,
  Network,
  OUTPUTS,
  type Parameters,
  scaleInputs,
  zeroParameters,
} from "../lib/nn/network.ts";
import { Random } from "../lib/random.ts";
import { NOT_A_DIGIT } from "../lib/data/mnist.ts";
import { sigmoidForward } from "../lib/nn/layers.ts";
import { fakeImages } from "./_fixtures.ts";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Independent float64 forward pass and loss, written from the definitions. */
function referenceLoss(
  p: Parameters,
  x: Float32Array,
  labels: number[],
  fromLogits = false,
): {
  loss: number;
  outputs: number[][];
} {
  const H = p.b1.length;
  let loss = 0;
  const outputs: number[][] = [];
  labels.forEach((label, r) => {
    const h = Array.from({ length: H }, (_, j) => {
      let s = p.b1[j];
      for (let i = 0; i < INPUTS; i++) {
        s += p.w1[j * INPUTS + i] * x[r * INPUTS + i];
      }
      return sigmoid(s);
    });
    const logits = Array.from({ length: OUTPUTS }, (_, k) => {
      let s = p.b2[k];
      for (let j = 0; j < H; j++) s += p.w2[k * H + j] * h[j];
      return s;
    });
    const out = logits.map(sigmoid);
    outputs.push(out);
    out.forEach((a, k) => {
      const t = k === label ? 1 : 0;
      // -log(s(z)) = log(1 + e^-z); -log(1 - s(z)) = log(1 + e^z)
      const z = logits[k];
      loss += fromLogits
        ? Math.log1p(Math.exp(t ? -z : z))
        : -(t * Math.log(a) + (1 - t) * Math.log(1 - a));
    });
  });
  return { loss: loss / labels.length, outputs };
}

function setup(hidden: number, n: number, seed = 3) {
  const rng = new Random(seed);
  const net = Network.random(hidden, rng);
  // Non-zero biases, so their gradients matter too.
  for (const b of [net.params.b1, net.params.b2]) {
    for (let i = 0; i < b.length; i++) b[i] = rng.normal() * 0.5;
  }
  const batch = new Batch(n, hidden);
  scaleInputs(fakeImages(n, seed), batch.x);
  // Digits, and 10 (NOT_A_DIGIT) for a row whose targets are all 0.
  const labels = Array.from({ length: n }, (_, i) => (i * 7 + seed) % 11);
  return { net, batch, labels };
}

Deno.test("scaleInputs() maps 0..255 to 0.01..1.0", () => {
  const out = new Float32Array(3);
  scaleInputs(new Uint8Array([0, 255, 51]), out);
  assertAlmostEquals(out[0], 0.01, 1e-7);
  assertAlmostEquals(out[1], 1.0, 1e-7);
  assertAlmostEquals(out[2], 51 / 255 * 0.99 + 0.01, 1e-7);
  assertThrows(
    () => scaleInputs(new Uint8Array(4), out),
    RangeError,
    "output has 3",
  );
});

Deno.test("Network.forward() and loss() match a float64 reference", () => {
  const { net, batch, labels } = setup(12, 5);
  assert(labels.includes(NOT_A_DIGIT), "a row that is no digit");
  net.forward(batch, 5);
  const ref = referenceLoss(net.params, batch.x, labels);
  for (let r = 0; r < 5; r++) {
    for (let k = 0; k < OUTPUTS; k++) {
      assertAlmostEquals(batch.a2[r * OUTPUTS + k], ref.outputs[r][k], 1e-5);
    }
  }
  assertAlmostEquals(net.loss(batch, labels, 5), ref.loss, 1e-4);
});

/**
 * Checks backward() against central differences of the float64 reference loss,
 * for a batch of `size` rows of which the first `n` are used.
 */
function gradientCheck(hidden: number, size: number, n: number) {
  const { net, batch, labels } = setup(hidden, size);
  // Rows past n hold other inputs and stale activations: they must not count.
  net.forward(batch, size);
  net.forward(batch, n);
  const used = labels.slice(0, n);
  const grads = zeroParameters(hidden);
  grads.w1.fill(7); // beta = 0 must overwrite, not add
  net.backward(batch, labels, n, grads);
  const x = batch.x.subarray(0, n * INPUTS);
  // Central differences in float64 on a float64 copy of the parameters. The
  // float32 forward pass differs from float64 by ~1e-7 relative, so the
  // truncation and rounding errors of h = 1e-4 stay far below the tolerance.
  const h = 1e-4;
  const rng = new Random(11);
  for (const key of ["w1", "b1", "w2", "b2"] as const) {
    // All of the small tensors, a sample of w1's weights (those on bright pixels too).
    const indices = key === "w1"
      ? Array.from(
        { length: 60 },
        () => Math.floor(rng.next() * net.params.w1.length),
      )
      : Array.from({ length: net.params[key].length }, (_, i) => i);
    for (const i of indices) {
      const p64 = Object.fromEntries(
        (["w1", "b1", "w2", "b2"] as const).map((
          k,
        ) => [k, Float64Array.from(net.params[k])]),
      ) as unknown as Parameters;
      const orig = p64[key][i];
      p64[key][i] = orig + h;
      const up = referenceLoss(p64, x, used).loss;
      p64[key][i] = orig - h;
      const down = referenceLoss(p64, x, used).loss;
      const numeric = (up - down) / (2 * h);
      const analytic = grads[key][i];
      const tol = 1e-4 + 1e-3 * Math.abs(numeric);
      assertAlmostEquals(analytic, numeric, tol, `${key}[${i}] n=${n}`);
    }
  }
}

Deno.test("Network.backward() matches finite differences of the loss", () => {
  gradientCheck(6, 4, 4);
});

Deno.test("Network.backward() matches finite differences for a partial last batch", () => {
  // 3 of 8 rows: the mean is over 3, and rows 3..7 play no part.
  gradientCheck(6, 8, 3);
});

Deno.test("Network.backward() folds momentum in: grads = gradient + beta * grads", () => {
  const { net, batch, labels } = setup(5, 3);
  net.forward(batch, 3);
  const g = zeroParameters(5);
  net.backward(batch, labels, 3, g);
  const v = zeroParameters(5);
  for (const k of ["w1", "b1", "w2", "b2"] as const) v[k].fill(0.5);
  net.backward(batch, labels, 3, v, { beta: 0.9 });
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    for (let i = 0; i < v[k].length; i += 37) {
      assertAlmostEquals(v[k][i], g[k][i] + 0.45, 1e-6);
    }
  }
});

Deno.test("Network.predict() gives probabilities that sum to one per image", () => {
  const { net } = setup(8, 1);
  const images = fakeImages(1203); // more than one internal batch of 1000
  const probs = net.predict(images, 1203);
  assertEquals(probs.length, 1203 * OUTPUTS);
  for (let r = 0; r < 1203; r += 101) {
    let s = 0;
    for (let k = 0; k < OUTPUTS; k++) s += probs[r * OUTPUTS + k];
    assertAlmostEquals(s, 1, 1e-5);
  }
  // The same image gives the same answer wherever it sits in the input.
  const last = net.predict(images.subarray(1202 * INPUTS), 1);
  for (let k = 0; k < OUTPUTS; k++) {
    assertAlmostEquals(last[k], probs[1202 * OUTPUTS + k], 1e-6);
  }
  assertThrows(() => net.predict(images, 3), RangeError, "3 images need 2352");
});

Deno.test("Network rejects mismatched shapes with both in the message", () => {
  const p = zeroParameters(4);
  assertThrows(
    () => new Network({ ...p, w2: new Float32Array(39) }),
    RangeError,
    "w2 has 39 elements, a 784-4-10 network needs 40",
  );
  const net = new Network(p);
  assertThrows(
    () => net.forward(new Batch(2, 5), 2),
    RangeError,
    "batch buffers are for 5 hidden units, the network has 4",
  );
  assertThrows(
    () => net.forward(new Batch(2, 4), 3),
    RangeError,
    "3 rows do not fit a batch of 2",
  );
  assertThrows(
    () => new Batch(0, 4),
    RangeError,
    "batch size must be a positive integer",
  );
  assertThrows(
    () => zeroParameters(0),
    RangeError,
    "hidden size must be an integer",
  );
});

Deno.test("Network.random() is seeded: the same seed gives the same weights", () => {
  const a = Network.random(10, new Random(5)).params;
  const b = Network.random(10, new Random(5)).params;
  const c = Network.random(10, new Random(6)).params;
  assertEquals(a.w1, b.w1);
  assertEquals(a.w2, b.w2);
  assert(
    a.w1.some((v, i) => v !== c.w1[i]),
    "another seed gives other weights",
  );
  // Uniform in +-4 sqrt(6 / (784 + 10)): within the bounds, standard deviation limit / sqrt(3).
  const limit = 4 * Math.sqrt(6 / (784 + 10));
  assert(a.w1.every((v) => Math.abs(v) <= limit), "within the bounds");
  const sd = Math.sqrt(a.w1.reduce((s, v) => s + v * v, 0) / a.w1.length);
  assertAlmostEquals(sd, limit / Math.sqrt(3), 0.003);
  assert(a.b1.every((v) => v === 0), "biases start at zero");
});

Deno.test("sigmoidForward() is within 3e-7 of the exact sigmoid and keeps NaN", () => {
  const zs = Array.from({ length: 40001 }, (_, i) => -20 + i * 0.001);
  const a = Float32Array.from(zs);
  sigmoidForward(a, a.length);
  zs.forEach((z, i) =>
    assertAlmostEquals(a[i], sigmoid(Math.fround(z)), 3e-7, `z=${z}`)
  );
  const b = new Float32Array([NaN, Infinity, -Infinity]);
  sigmoidForward(b, 3);
  assert(Number.isNaN(b[0]));
  assertAlmostEquals(b[1], 1, 2e-7);
  assertAlmostEquals(b[2], 0, 2e-7);
});

Deno.test("gatherScaled() gathers rows in the given order, scaled", () => {
  const images = fakeImages(5);
  const order = Uint32Array.from([4, 0, 3, 1, 2]);
  const out = new Float32Array(3 * INPUTS);
  gatherScaled(images, order, 1, 3, out);
  const expected = new Float32Array(INPUTS);
  [0, 3, 1].forEach((image, row) => {
    scaleInputs(
      images.subarray(image * INPUTS, (image + 1) * INPUTS),
      expected,
    );
    assertEquals(out.subarray(row * INPUTS, (row + 1) * INPUTS), expected);
  });
  assertThrows(
    () => gatherScaled(images, order, 3, 3, out),
    RangeError,
    "3 rows from 3",
  );
  assertThrows(
    () => gatherScaled(images, Uint32Array.from([5]), 0, 1, out),
    RangeError,
    "image 5 of 5",
  );
});

Deno.test("zeroParameters() lays the tensors back to back in one buffer", () => {
  const p = zeroParameters(3);
  let end = 0;
  for (const t of [p.w1, p.b1, p.w2, p.b2]) {
    assert(t.buffer === p.w1.buffer, "one buffer");
    assertEquals(t.byteOffset, end);
    end += t.byteLength;
  }
  assertEquals(end, p.w1.buffer.byteLength);
});

Deno.test("Network.step() adds alpha * delta, contiguous or not", () => {
  const rng = new Random(3);
  const fill = (p: Parameters) => {
    for (const t of [p.w1, p.b1, p.w2, p.b2]) {
      for (let i = 0; i < t.length; i++) t[i] = rng.next() - 0.5;
    }
    return p;
  };
  const start = fill(zeroParameters(4));
  const delta = fill(zeroParameters(4));
  // Separate arrays: the step falls back to one saxpy per tensor.
  const copy = (p: Parameters): Parameters => ({
    w1: p.w1.slice(),
    b1: p.b1.slice(),
    w2: p.w2.slice(),
    b2: p.b2.slice(),
  });
  const a = new Network(copy(start)), b = new Network(fill(zeroParameters(4)));
  for (const k of ["w1", "b1", "w2", "b2"] as const) b.params[k].set(start[k]);
  a.step(copy(delta), -0.5);
  b.step(delta, -0.5);
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    const want = start[k].map((v, i) => Math.fround(v - 0.5 * delta[k][i]));
    assertEquals(a.params[k], want);
    assertEquals(b.params[k], want);
  }
  assertThrows(
    () => b.step(zeroParameters(5), 1),
    RangeError,
    "step: delta w1 has 3920 elements, a 784-4-10 network needs 3136",
  );
});

Deno.test("Network.loss() stays exact for saturated outputs", () => {
  const { net, batch, labels } = setup(12, 5);
  // Large output weights saturate the sigmoids: some outputs round to 0 or 1.
  for (let i = 0; i < net.params.w2.length; i++) net.params.w2[i] *= 40;
  net.forward(batch, 5);
  assert(batch.a2.some((a) => a === 1 || a === 0), "saturated outputs");
  const ref = referenceLoss(net.params, batch.x, labels, true);
  assertAlmostEquals(net.loss(batch, labels, 5), ref.loss, 1e-4 * ref.loss);
});

Deno.test("Network.loss() and backward() reject n larger than the batch", () => {
  const { net, batch, labels } = setup(4, 3);
  net.forward(batch, 3);
  const g = zeroParameters(4);
  assertThrows(
    () => net.loss(batch, [...labels, 1], 4),
    RangeError,
    "loss: 4 rows do not fit a batch of 3",
  );
  assertThrows(
    () => net.backward(batch, [...labels, 1], 4, g),
    RangeError,
    "backward: 4 rows do not fit a batch of 3",
  );
  for (const n of [0, 1.5, -1, NaN]) {
    assertThrows(
      () => net.loss(batch, labels, n),
      RangeError,
      `loss: n is ${n}, expected an integer from 1 to the batch size 3`,
    );
  }
});

Deno.test("Network.loss() and backward() reject missing labels", () => {
  const { net, batch } = setup(4, 3);
  net.forward(batch, 3);
  assertThrows(
    () => net.loss(batch, [1, 2], 3),
    RangeError,
    "loss: 2 labels for 3 rows",
  );
  assertThrows(
    () => net.backward(batch, new Uint8Array(0), 3, zeroParameters(4)),
    RangeError,
    "backward: 0 labels for 3 rows",
  );
});

Deno.test("Network.loss() and backward() reject labels that are not digits, naming them", () => {
  const { net, batch } = setup(4, 3);
  net.forward(batch, 3);
  const g = zeroParameters(4), before = g.w2.slice();
  for (const bad of [11, -1, 2.5, NaN]) {
    const labels = [0, bad, 3];
    for (
      const e of [
        assertThrows(() => net.loss(batch, labels, 3), RangeError, "loss: "),
        assertThrows(
          () => net.backward(batch, labels, 3, g),
          RangeError,
          "backward: ",
        ),
      ]
    ) {
      assert(
        e.message.endsWith(
          `labels[1] is ${bad}, expected a digit 0-9 or 10 for none`,
        ),
        e.message,
      );
      assert(!e.message.includes("diverged"), e.message);
    }
  }
  assertEquals(g.w2, before, "a refused backward() leaves the gradients");
  // Labels past n are not looked at.
  assert(Number.isFinite(net.loss(batch, [0, 1, 2, 99], 3)));
});

Deno.test("Network.backward() rejects gradients of another shape", () => {
  const { net, batch, labels } = setup(4, 3);
  net.forward(batch, 3);
  assertThrows(
    () => net.backward(batch, labels, 3, zeroParameters(5)),
    RangeError,
    "backward: gradient w1 has 3920 elements, a 784-4-10 network needs 3136",
  );
});

Deno.test("Network.decayWeights() shrinks the weights and leaves the biases", () => {
  const { net } = setup(5, 1);
  const before = Object.fromEntries(
    (["w1", "b1", "w2", "b2"] as const).map((k) => [k, net.params[k].slice()]),
  ) as unknown as Parameters;
  net.decayWeights(0.1);
  for (const k of ["w1", "w2"] as const) {
    before[k].forEach((v, i) =>
      assertEquals(net.params[k][i], Math.fround(v * Math.fround(0.9)))
    );
  }
  assertEquals(net.params.b1, before.b1);
  assertEquals(net.params.b2, before.b2);
  net.decayWeights(0);
  for (const bad of [1, -0.1, NaN]) {
    assertThrows(
      () => net.decayWeights(bad),
      RangeError,
      `decayWeights: factor must be in [0, 1), got ${bad}`,
    );
  }
});

Deno.test("Network.outputs() gives the raw sigmoid outputs that predict() normalises", () => {
  const { net } = setup(8, 1);
  const images = fakeImages(1003);
  const raw = net.outputs(images, 1003);
  const probs = net.predict(images, 1003);
  assertEquals(raw.length, 1003 * OUTPUTS);
  // Against the float64 reference, on the scaled inputs.
  const x = new Float32Array(INPUTS);
  for (const r of [0, 999, 1000, 1002]) {
    scaleInputs(images.subarray(r * INPUTS, (r + 1) * INPUTS), x);
    const ref = referenceLoss(net.params, x, [0]).outputs[0];
    let sum = 0;
    for (let k = 0; k < OUTPUTS; k++) {
      assertAlmostEquals(raw[r * OUTPUTS + k], ref[k], 1e-5, `row ${r}`);
      sum += raw[r * OUTPUTS + k];
    }
    for (let k = 0; k < OUTPUTS; k++) {
      assertAlmostEquals(
        probs[r * OUTPUTS + k],
        raw[r * OUTPUTS + k] / sum,
        1e-6,
      );
    }
  }
  assert(raw.every((v) => v > 0 && v < 1), "sigmoid outputs");
  assertThrows(
    () => net.outputs(images, 2),
    RangeError,
    "2 images need 1568",
  );
});
