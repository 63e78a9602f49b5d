/**
 * Photo to ink: each step against a naive reference, and the whole against
 * the network (fixture model) on MNIST digits as they are and photographed.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./_assert.ts";
import { paperPhoto } from "./_images.ts";
import {
  extractInk,
  otsu,
  removeSpecks,
  squareFilter,
  toGrey,
} from "../lib/image/photo.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { imageAt, loadMnist, PIXELS } from "../lib/data/mnist.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { argmaxRow } from "../lib/nn/network.ts";
import { Random } from "../lib/random.ts";

const MODEL = join(
  fileURLToPath(new URL(".", import.meta.url)),
  "fixtures",
  "model-784-200-10.safetensors",
);

Deno.test("toGrey() gives luma, and lays transparent pixels over a contrasting ground", () => {
  const opaque = toGrey({
    width: 2,
    height: 1,
    data: new Uint8Array([255, 0, 0, 255, 10, 20, 30, 255]),
  });
  assertEquals(Array.from(opaque.data, (v) => Math.round(v * 100) / 100), [
    76.25,
    18.15,
  ]);
  // Black ink on a transparent ground: the ground becomes white.
  const dark = toGrey({
    width: 2,
    height: 1,
    data: new Uint8Array([0, 0, 0, 255, 0, 0, 0, 0]),
  });
  assertEquals(Array.from(dark.data), [0, 255]);
  const light = toGrey({
    width: 2,
    height: 1,
    data: new Uint8Array([255, 255, 255, 255, 255, 255, 255, 0]),
  });
  assertEquals(Array.from(light.data), [255, 0]);
});

Deno.test("squareFilter() equals a naive minimum and maximum over square windows", () => {
  const rng = new Random(3);
  const w = 23, h = 17;
  const data = new Float32Array(w * h).map(() => rng.nextUint32() % 256);
  for (const r of [1, 2, 5, 30]) {
    for (const max of [false, true]) {
      const got = squareFilter({ width: w, height: h, data }, r, max).data;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let want = max ? -Infinity : Infinity;
          for (
            let yy = Math.max(0, y - r);
            yy <= Math.min(h - 1, y + r);
            yy++
          ) {
            for (
              let xx = Math.max(0, x - r);
              xx <= Math.min(w - 1, x + r);
              xx++
            ) {
              const v = data[yy * w + xx];
              want = max ? Math.max(want, v) : Math.min(want, v);
            }
          }
          assertEquals(got[y * w + x], want, `r=${r} max=${max} at ${x},${y}`);
        }
      }
    }
  }
});

Deno.test("otsu() splits a two-peaked histogram between its peaks", () => {
  const hist = new Float64Array(256);
  for (let i = 0; i < 256; i++) {
    hist[i] = 1000 * Math.exp(-((i - 40) ** 2) / 200) +
      300 * Math.exp(-((i - 200) ** 2) / 300);
  }
  const t = otsu(hist);
  assert(t > 70 && t < 170, `threshold ${t}`);
});

Deno.test("removeSpecks() drops small pieces of ink and keeps large ones", () => {
  const w = 20, h = 10;
  const data = new Uint8Array(w * h);
  for (let y = 2; y < 8; y++) for (let x = 2; x < 8; x++) data[y * w + x] = 200;
  // A piece of a second stroke, diagonal (8-connected), a fifth as heavy.
  for (let k = 0; k < 4; k++) data[(2 + k) * w + 12 + k] = 255;
  data[9 * w + 19] = 255; // a speck
  removeSpecks({ width: w, height: h, data });
  assertEquals(data[9 * w + 19], 0);
  assertEquals(data[5 * w + 15], 255);
  assertEquals(data[4 * w + 4], 200);
});

Deno.test("extractInk() finds no ink on blank, shaded or noisy paper", () => {
  const w = 200, h = 150;
  const rng = new Random(9);
  const pages = [
    new Float32Array(w * h).fill(220),
    new Float32Array(w * h).map((_, i) => 120 + 100 * (i % w) / w),
    new Float32Array(w * h).map(() => 200 + 10 * rng.normal()),
  ];
  for (const data of pages) {
    const ink = extractInk({ width: w, height: h, data });
    assertEquals(ink.data.every((v) => v === 0), true);
  }
});

Deno.test("extractInk() turns dark ink on shaded paper into light ink on black", () => {
  const w = 120, h = 100;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const stroke = x >= 50 && x < 58 && y >= 20 && y < 80;
      data[y * w + x] = stroke ? 40 : 110 + x;
    }
  }
  const ink = extractInk({ width: w, height: h, data });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const stroke = x >= 50 && x < 58 && y >= 20 && y < 80;
      const v = ink.data[y * w + x];
      // The blur of large pictures softens the stroke's edge by a pixel.
      const edge = (x === 49 || x === 50 || x === 57 || x === 58) ||
        (y === 19 || y === 20 || y === 79 || y === 80);
      if (edge) continue;
      assert(stroke ? v === 255 : v === 0, `${v} at ${x},${y}`);
    }
  }
});

const mnist = await loadMnist("test", { limit: 2000 });
const { network } = await loadModel(MODEL);

/** How many of `count` preprocessed images the network reads as their labels. */
function right(pixels: Uint8Array, count: number): number {
  const probs = network.predict(pixels, count);
  let n = 0;
  for (let i = 0; i < count; i++) {
    if (argmaxRow(probs, i) === mnist.labels[i]) n++;
  }
  return n;
}

Deno.test("extractInk() keeps MNIST digits as readable as preprocess() alone", () => {
  const N = 2000;
  const direct = new Uint8Array(N * PIXELS),
    viaInk = new Uint8Array(N * PIXELS);
  for (let i = 0; i < N; i++) {
    const image = imageAt(mnist, i);
    const slot = (a: Uint8Array) => a.subarray(i * PIXELS, (i + 1) * PIXELS);
    preprocess({ width: 28, height: 28, data: image }, { out: slot(direct) });
    const ink = extractInk({
      width: 28,
      height: 28,
      data: Float32Array.from(image),
    });
    preprocess(ink, { out: slot(viaInk) });
  }
  const a = right(direct, N), b = right(viaInk, N);
  assert(b >= a - 10, `${b} right through extractInk(), ${a} directly`);
});

Deno.test("extractInk() reads photographed digits nearly as well as clean ones", () => {
  const N = 100;
  const pixels = new Uint8Array(N * PIXELS);
  for (let i = 0; i < N; i++) {
    const photo = paperPhoto(imageAt(mnist, i), i);
    preprocess(extractInk(toGrey(photo)), {
      out: pixels.subarray(i * PIXELS, (i + 1) * PIXELS),
    });
  }
  const n = right(pixels, N);
  assert(n >= 93, `${n} of ${N} photos read right`);
});
