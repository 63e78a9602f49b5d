/**
 * Photo to ink: each step against a naive reference, and the whole against
 * the network (fixture model) on MNIST digits as they are and photographed,
 * and on digits written on large pages: small with a thin pen, across a
 * shadow's edge, under a strong gradient.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { type PageOptions, pageWithDigit, paperPhoto } from "./_images.ts";
import { DIGITS, drawStrokes } from "./_sample_drawings.ts";
import {
  boxInPicture,
  CROP_MARGIN,
  extractInk,
  MAX_INK_SIDE,
  photoInk,
  removeSpecks,
  toGrey,
} from "../lib/image/photo.ts";
import {
  innerFilterInPlace,
  medianFilter,
  openAndClose,
  padOdd,
  squareFilter,
  wholeLevel,
} from "../lib/image/grey_filters.ts";
import { type Box, inkBox, preprocess } from "../lib/image/preprocess.ts";
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
  // 9 and 12 end on a whole block of 2r+1 for r = 1, 2, 4 and 5, so that
  // windows cut by the end lie in one block.
  for (const [w, h] of [[23, 17], [9, 12], [12, 9], [1, 5]]) {
    const data = new Float32Array(w * h).map(() => rng.nextUint32() % 256);
    for (const r of [1, 2, 4, 5, 30]) {
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
            assertEquals(
              got[y * w + x],
              want,
              `${w}x${h} r=${r} max=${max} at ${x},${y}`,
            );
          }
        }
      }
    }
  }
});

/**
 * The naive minimum (or maximum) of `data` (rows `w` long) over the
 * `side` x `side` window whose top-left corner is (x, y).
 */
function windowExtreme(
  data: Float32Array,
  w: number,
  x: number,
  y: number,
  side: number,
  max: boolean,
): number {
  let want = max ? -Infinity : Infinity;
  for (let yy = y; yy < y + side; yy++) {
    for (let xx = x; xx < x + side; xx++) {
      const v = data[yy * w + xx];
      want = max ? Math.max(want, v) : Math.min(want, v);
    }
  }
  return want;
}

Deno.test("innerFilterInPlace() equals a naive minimum and maximum over the whole windows", () => {
  const rng = new Random(4);
  // Sizes where the windows' blocks of 2r+1 end on the last window, and
  // where they do not; a single window; windows as wide as the picture.
  for (const [w, h] of [[23, 17], [9, 12], [12, 9], [3, 40], [61, 61]]) {
    const data = new Float32Array(w * h).map(() =>
      rng.nextUint32() % 256 - 40 + rng.next()
    );
    for (const r of [1, 2, 4, 5, 30]) {
      if (2 * r + 1 > Math.min(w, h)) continue;
      for (const max of [false, true]) {
        const work = data.slice();
        const got = innerFilterInPlace(
          { width: w, height: h, data: work },
          r,
          max,
        );
        const width = w - 2 * r, height = h - 2 * r;
        assertEquals([got.width, got.height], [width, height]);
        // The result is the start of the picture's own data.
        assertEquals(got.data.buffer, work.buffer);
        assertEquals(got.data.length, width * height);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            assertEquals(
              got.data[y * width + x],
              windowExtreme(data, w, x, y, 2 * r + 1, max),
              `${w}x${h} r=${r} max=${max} at ${x},${y}`,
            );
          }
        }
      }
    }
  }
});

Deno.test("openAndClose() equals a naive opening and closing with whole windows", () => {
  const rng = new Random(6);
  for (const [w, h] of [[20, 15], [7, 30], [1, 1]]) {
    const data = new Float32Array(w * h).map(() => rng.nextUint32() % 256);
    for (const r of [1, 3, 6]) {
      const { open, close } = openAndClose({ width: w, height: h, data }, r);
      // Each window whole: both filters run over the picture extended by 2r.
      const padded = padOdd({ width: w, height: h, data }, 2 * r);
      const pw = padded.width, side = 2 * r + 1;
      const first = (max: boolean) => {
        const out = new Float32Array(pw * padded.height);
        for (let y = 0; y + side <= padded.height; y++) {
          for (let x = 0; x + side <= pw; x++) {
            out[y * pw + x] = windowExtreme(padded.data, pw, x, y, side, max);
          }
        }
        return out;
      };
      const [lows, highs] = [first(false), first(true)];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const at = `${w}x${h} r=${r} at ${x},${y}`;
          assertEquals(
            open[y * w + x],
            windowExtreme(lows, pw, x, y, side, true),
            `opening ${at}`,
          );
          assertEquals(
            close[y * w + x],
            windowExtreme(highs, pw, x, y, side, false),
            `closing ${at}`,
          );
        }
      }
    }
  }
});

Deno.test("wholeLevel() rounds to the nearest level and clamps to 0-255", () => {
  const rng = new Random(8);
  const values = [-1e9, -300, -1.5, -0.5, -0, 0, 0.49, 0.5, 1.5, 127.5, 254.49];
  values.push(254.5, 255, 255.2, 300, 1e9, NaN);
  for (let i = 0; i < 1000; i++) values.push(rng.next() * 400 - 70);
  for (const v of values) {
    const want = !(v > 0) ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5);
    assertEquals(wholeLevel(v), want, `${v}`);
  }
});

Deno.test("medianFilter() equals a naive median over square windows", () => {
  const rng = new Random(5);
  for (const [w, h] of [[19, 13], [4, 9], [1, 1], [30, 24]]) {
    const data = new Float32Array(w * h).map(() => rng.nextUint32() % 256);
    // Levels between whole ones and beyond 0-255 are rounded and clamped.
    const rough = data.map((v) => 1.3 * v - 40 + rng.next());
    const level = (v: number) =>
      v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5);
    for (const r of [1, 3, 20]) {
      const got = medianFilter({ width: w, height: h, data: rough }, r);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const window: number[] = [];
          for (let yy = y - r; yy <= y + r; yy++) {
            for (let xx = x - r; xx <= x + r; xx++) {
              if (xx >= 0 && yy >= 0 && xx < w && yy < h) {
                window.push(level(rough[yy * w + xx]));
              }
            }
          }
          window.sort((a, b) => a - b);
          // Of an even count, the upper of the two middle values.
          const want = window[window.length >> 1];
          assertEquals(got[y * w + x], want, `${w}x${h} r=${r} at ${x},${y}`);
        }
      }
    }
  }
});

Deno.test("medianFilter() refuses windows too large to count in 16 bits", () => {
  const image = { width: 3, height: 3, data: new Float32Array(9) };
  assertEquals(medianFilter(image, 127).length, 9);
  assertThrows(() => medianFilter(image, 128), RangeError, "over 127");
});

Deno.test("removeSpecks() drops small pieces of ink and keeps large ones", () => {
  const w = 20, h = 10;
  const data = new Uint8Array(w * h);
  for (let y = 2; y < 8; y++) for (let x = 2; x < 8; x++) data[y * w + x] = 200;
  // A piece of a second stroke, diagonal (8-connected), a fifth as heavy.
  for (let k = 0; k < 4; k++) data[(2 + k) * w + 12 + k] = 255;
  data[9 * w + 19] = 255; // a speck
  // The longest side of what is kept: the square's.
  assertEquals(removeSpecks({ width: w, height: h, data }), 6);
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

Deno.test("extractInk() finds no ink in specks of dust on a blank page", () => {
  const w = 640, h = 480;
  const rng = new Random(11);
  const data = new Float32Array(w * h).map(() => 230 + 3 * rng.normal());
  for (const [x, y] of [[100, 100], [400, 300], [600, 50]]) {
    for (const d of [0, 1, w, w + 1]) data[y * w + x + d] = 60;
  }
  const ink = extractInk({ width: w, height: h, data });
  assertEquals(ink.data.every((v) => v === 0), true);
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
      // Full ink to within a level or two: the background under the stroke
      // follows the shading's slope.
      assert(stroke ? v >= 250 : v === 0, `${v} at ${x},${y}`);
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

/** The 8-connected pieces of the pixels of a 28x28 image at `level` or above. */
function pieces(pixels: Uint8Array, level = 64): number {
  const seen = new Uint8Array(PIXELS);
  let count = 0;
  for (let p = 0; p < PIXELS; p++) {
    if (pixels[p] < level || seen[p]) continue;
    count++;
    const stack = [p];
    seen[p] = 1;
    while (stack.length) {
      const q = stack.pop()!, x = q % 28, y = (q - x) / 28;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(27, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(27, x + 1); xx++) {
          const k = yy * 28 + xx;
          if (pixels[k] >= level && !seen[k]) {
            seen[k] = 1;
            stack.push(k);
          }
        }
      }
    }
  }
  return count;
}

/** Intersection over union of the pixels at `level` or above of two 28x28 images. */
function overlap(a: Uint8Array, b: Uint8Array, level = 64): number {
  let both = 0, either = 0;
  for (let k = 0; k < PIXELS; k++) {
    if (a[k] >= level && b[k] >= level) both++;
    if (a[k] >= level || b[k] >= level) either++;
  }
  return both / either;
}

/** Checks that each edge of box `found` lies within `near` of `want`'s. */
function assertNear(found: Box, want: Box, near: number, name: string) {
  const edges = (b: Box) => [b.x, b.y, b.x + b.width, b.y + b.height];
  const [a, b] = [edges(found), edges(want)];
  assert(
    a.every((v, k) => Math.abs(v - b[k]) <= near),
    `${name}: ink at ${JSON.stringify(found)}, written at ${
      JSON.stringify(want)
    }`,
  );
}

/**
 * Checks that the digit `digit` written on a page as `options` say comes out
 * of photoInk() and preprocess() whole: one piece, the shape of the same
 * digit drawn large on the canvas, read right by the network, and found
 * where it was written, in the page's own pixels.
 */
function assertReadWhole(digit: number, options: PageOptions, name: string) {
  const { image, box } = pageWithDigit(digit, options);
  const ink = photoInk(image);
  const pre = preprocess(ink);
  assert(!pre.empty, `${name}: no ink`);
  const large = preprocess(drawStrokes(DIGITS[digit], 420)).pixels;
  assertEquals(pieces(pre.pixels), 1, `${name}: pieces`);
  const iou = overlap(pre.pixels, large);
  assert(iou >= 0.8, `${name}: ${iou.toFixed(2)} of the large digit's ink`);
  assertEquals(argmaxRow(network.predict(pre.pixels, 1), 0), digit, name);
  // Where the ink lies: each edge within the pen's soft edge, the blur and
  // a crop pixel.
  assertNear(boxInPicture(ink, inkBox(ink)!, image), box, 2 + ink.scale, name);
}

Deno.test("photoInk() finds a digit written small with a thin pen on a large white page", () => {
  for (const digit of [1, 5, 2]) {
    for (const pen of [1, 2]) {
      assertReadWhole(
        digit,
        { width: 2000, height: 1500, x: 1400, y: 300, size: 120, pen },
        `${digit} with a ${pen}-pixel pen`,
      );
    }
  }
});

Deno.test("photoInk() keeps every stroke across a shadow's edge or under a strong gradient", () => {
  const width = 1200, height = 900;
  const lights: [string, number, (x: number, y: number) => number][] = [
    ["light from a fifth to full", 500, (x) => 0.2 + 0.8 * x / width],
    ["the left half in shadow", 560, (x) => x < 600 ? 0.4 : 1],
    ["the left 60% in shadow", 680, (x) => x < 720 ? 0.4 : 1],
    ["the top left in shadow", 500, (x, y) => x + y < 950 ? 0.4 : 1],
    // A phone's round shadow, darkest over the digit.
    [
      "a round shadow over the digit",
      500,
      (x, y) => 1 - 0.2 * Math.exp(-((x - 575) ** 2 + (y - 425) ** 2) / 45000),
    ],
  ];
  for (const digit of [2, 5]) {
    for (const [name, x, light] of lights) {
      // The shadows' edges cross the digit.
      assertReadWhole(
        digit,
        { width, height, x, y: 350, size: 150, pen: 3, light, noise: 3 },
        `${digit}, ${name}`,
      );
    }
  }
});

Deno.test("photoInk() shrinks only a crop larger than MAX_INK_SIDE, and says where it lies", () => {
  const { image, box } = pageWithDigit(3, {
    width: 2400,
    height: 1800,
    x: 700,
    y: 200,
    size: 1400,
    pen: 60,
  });
  const ink = photoInk(image);
  assertEquals(ink.scale, 2);
  assert(Math.max(ink.width, ink.height) <= MAX_INK_SIDE);
  // The crop keeps a margin around the ink.
  const margin = Math.round(CROP_MARGIN * box.height);
  assert(Math.abs(ink.y - (box.y - margin)) <= 3, `crop from row ${ink.y}`);
  assertNear(boxInPicture(ink, inkBox(ink)!, image), box, 4, "a large 3");
});

Deno.test("boxInPicture() scales a box of the crop into the picture, clipped to its edge", () => {
  const ink = {
    width: 10,
    height: 10,
    data: new Uint8Array(100),
    x: 40,
    y: 7,
    scale: 3,
  };
  const picture = { width: 68, height: 100 };
  assertEquals(
    boxInPicture(ink, { x: 1, y: 2, width: 4, height: 5 }, picture),
    { x: 43, y: 13, width: 12, height: 15 },
  );
  assertEquals(
    boxInPicture(ink, { x: 6, y: 0, width: 4, height: 1 }, picture),
    { x: 58, y: 7, width: 10, height: 3 },
  );
});
