import { placeDigit, redrawAll } from "./_shifted.ts";
import { shiftedCheck, TOLERANCE_POINTS } from "./_shifted_check.ts";
import { imageAt, loadMnist, PIXELS } from "../lib/data/mnist.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { evaluate } from "../lib/nn/evaluate.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";

Deno.test("placeDigit() at the image's own size and place copies it", async () => {
  const test = await loadMnist("test", { limit: 5 });
  const canvas = new Float32Array(PIXELS);
  for (let i = 0; i < test.count; i++) {
    const image = imageAt(test, i);
    placeDigit(image, canvas, 28, 28, 0, 0);
    assertEquals(Uint8Array.from(canvas, (v) => Math.round(v * 255)), image);
  }
});

Deno.test("placeDigit() scales the ink with the frame's area and stays in the frame", async () => {
  const image = imageAt(await loadMnist("test", { limit: 1 }), 0);
  const ink = image.reduce((s, v) => s + v, 0) / 255;
  const side = 112;
  const canvas = new Float32Array(side * side);
  for (const [frame, x, y] of [[56, 10.5, 40], [112, 0, 0], [80.3, 31.7, 2]]) {
    placeDigit(image, canvas, side, frame, x, y);
    const total = canvas.reduce((s, v) => s + v, 0);
    const expected = ink * (frame / 28) ** 2;
    assert(
      Math.abs(total - expected) < 0.02 * expected,
      `frame ${frame}: ink ${total}, expected ${expected}`,
    );
    canvas.forEach((v, k) => {
      const cx = k % side, cy = Math.floor(k / side);
      if (v > 0) {
        assert(
          cx >= Math.floor(x) && cx < x + frame && cy >= Math.floor(y) &&
            cy < y + frame,
          `ink at (${cx}, ${cy}) outside the frame`,
        );
      }
    });
  }
});

/** Mean absolute difference of two 28x28 images, the best over moves of -1..1 pixels. */
function difference(a: Uint8Array, b: Uint8Array): number {
  let best = Infinity;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      let sum = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const sx = x + dx, sy = y + dy;
          const v = sx < 0 || sy < 0 || sx > 27 || sy > 27
            ? 0
            : a[sy * 28 + sx];
          sum += Math.abs(v - b[y * 28 + x]);
        }
      }
      best = Math.min(best, sum / PIXELS);
    }
  }
  return best;
}

Deno.test("placeDigit() redraws that preprocess() brings back close to the original", async () => {
  const test = await loadMnist("test", { limit: 50 });
  const side = 112;
  const canvas = new Float32Array(side * side);
  const empty = new Uint8Array(PIXELS);
  for (let i = 0; i < test.count; i++) {
    const image = imageAt(test, i);
    const frame = 56 + i;
    const x = (side - frame) * (i % 7) / 6, y = (side - frame) * (i % 5) / 4;
    placeDigit(image, canvas, side, frame, x, y);
    // Without pen normalisation, which brings bold or thin digits redrawn
    // large to MNIST's median stroke width: this checks the geometry.
    const { pixels } = preprocess({ width: side, height: side, data: canvas }, {
      pen: false,
    });
    // Resampling blurs a little, and rounding the centre of mass may move
    // the digit by a pixel; a different digit would be far off.
    const d = difference(pixels, image);
    assert(d < 15, `image ${i}: mean difference ${d}`);
    assert(difference(empty, image) > 2 * d, `image ${i}: too faint to tell`);
  }
});

Deno.test("placeDigit() rejects an image or canvas of the wrong size", () => {
  assertThrows(
    () =>
      placeDigit(new Uint8Array(10), new Float32Array(PIXELS), 28, 28, 0, 0),
    RangeError,
    "image has 10 bytes",
  );
});

Deno.test("redrawAll() draws the same digits for the same seed only", async () => {
  const test = await loadMnist("test", { limit: 20 });
  const options = { side: 56, min: 0.5, max: 1, seed: 3 };
  const a = redrawAll(test, options);
  assertEquals(a.length, 20 * PIXELS);
  assertEquals(redrawAll(test, options), a);
  assert(
    redrawAll(test, { ...options, seed: 4 }).some((v, i) => v !== a[i]),
    "another seed, other places",
  );
});

/** The model the tests use: a copy of a trained one, apart from models/. */
const FIXTURE_MODEL =
  new URL("./fixtures/model-784-200-10.safetensors", import.meta.url).pathname;

Deno.test({
  name: "shiftedCheck() measures the accuracy before and after redrawing",
  permissions: { read: true, env: true, ffi: true },
  async fn() {
    const [{ network }, test] = await Promise.all([
      loadModel(FIXTURE_MODEL),
      loadMnist("test", { limit: 1000 }),
    ]);
    const r = shiftedCheck(network, test, { canvas: 112, seed: 1 });
    assertEquals(r.count, 1000);
    assertEquals(r.original, evaluate(network, test).accuracy);
    const redrawn = redrawAll(test, { side: 112, min: 0.5, max: 1, seed: 1 });
    assertEquals(
      r.redrawn,
      evaluate(network, { ...test, images: redrawn }).accuracy,
    );
    assertEquals(r.pass, (r.original - r.redrawn) * 100 <= TOLERANCE_POINTS);
    // Preprocessing undoes place and size: a broken transform loses far more
    // than a few points. How well the shipped model does belongs to
    // `deno task check:shifted`.
    assert(
      r.original - r.redrawn < 0.03,
      `original ${r.original}, redrawn ${r.redrawn}`,
    );
    assert(r.shrunk <= r.original + 0.01, `shrunk ${r.shrunk}`);
  },
});
