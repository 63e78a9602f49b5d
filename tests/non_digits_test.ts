/** The examples that are no digit: what they are, and that a seed makes them again. */
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  type Dataset,
  loadMnist,
  NOT_A_DIGIT,
  PIXELS,
  SIDE,
} from "../lib/data/mnist.ts";
import {
  NON_DIGIT_CHARACTERS,
  NON_DIGIT_KINDS,
  nonDigits,
} from "../lib/image/non_digits.ts";
import { renderGlyphs } from "../lib/app/glyphs.ts";
import { Random } from "../lib/random.ts";

const glyphs = renderGlyphs(NON_DIGIT_CHARACTERS, ["DejaVuSans.ttf"]);
const digits = await loadMnist("train", { limit: 500 });

/** The ink box of a 28x28 image: width and height, 0 when empty. */
function inkSize(pixels: Uint8Array): { width: number; height: number } {
  let x0 = SIDE, x1 = -1, y0 = SIDE, y1 = -1;
  pixels.forEach((v, k) => {
    if (v === 0) return;
    const x = k % SIDE, y = Math.floor(k / SIDE);
    [x0, x1, y0, y1] = [
      Math.min(x0, x),
      Math.max(x1, x),
      Math.min(y0, y),
      Math.max(y1, y),
    ];
  });
  return x1 < 0
    ? { width: 0, height: 0 }
    : { width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

Deno.test("nonDigits() makes MNIST-style images labelled NOT_A_DIGIT, of every kind", () => {
  for (const kind of NON_DIGIT_KINDS) {
    const set = nonDigits(40, new Random(3), { glyphs, digits }, {
      kinds: [kind],
    });
    assertEquals(set.count, 40);
    assertEquals(set.images.length, 40 * PIXELS);
    assert(set.labels.every((l) => l === NOT_A_DIGIT), kind);
    for (let i = 0; i < set.count; i++) {
      const { width, height } = inkSize(
        set.images.subarray(i * PIXELS, (i + 1) * PIXELS),
      );
      // Fitted to MNIST's 20x20 box, as a drawing is; rarely a bar.
      assert(Math.max(width, height) >= 18, `${kind} ${i}: ${width}x${height}`);
      assert(Math.max(width, height) <= 22, `${kind} ${i}: ${width}x${height}`);
    }
  }
});

Deno.test("nonDigits() gives the same examples for the same seed, others for another", () => {
  const a = nonDigits(50, new Random(1), { glyphs, digits });
  const b = nonDigits(50, new Random(1), { glyphs, digits });
  const c = nonDigits(50, new Random(2), { glyphs, digits });
  assertEquals(a.images, b.images);
  assert(a.images.some((v, i) => v !== c.images[i]));
});

Deno.test("nonDigits() leaves out pieces and pairs without the digits to make them", () => {
  const none: Dataset = {
    split: "train",
    count: 0,
    images: new Uint8Array(0),
    labels: new Uint8Array(0),
  };
  const set = nonDigits(30, new Random(1), { glyphs, digits: none });
  assertEquals(set.count, 30);
  assertThrows(
    () =>
      nonDigits(5, new Random(1), { glyphs, digits: none }, {
        kinds: ["pieces", "pairs"],
      }),
    RangeError,
    "no digits",
  );
  assertThrows(
    () =>
      nonDigits(5, new Random(1), { glyphs: [], digits }, {
        kinds: ["letters"],
      }),
    RangeError,
    "letters need glyphs",
  );
});
