import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import { Canvas } from "../lib/image/canvas.ts";
import { Random } from "../lib/random.ts";
import { imageAt, loadMnist, PIXELS, SIDE } from "../lib/data/mnist.ts";
import {
  FIT,
  inkBox,
  measureStrokeWidth,
  PEN_FAT,
  PEN_TARGET,
  PEN_TOLERANCE,
  penChange,
  preprocess,
} from "../lib/image/preprocess.ts";
import { distanceTransform, repen, strokeWidth } from "../lib/image/strokes.ts";
import { BOLD, DIGITS, drawStrokes, HEIGHTS } from "./_sample_drawings.ts";

/** Centre of mass of a 28x28 byte image in index coordinates. */
function centreOfMass(pixels: Uint8Array): [number, number] {
  let m = 0, x = 0, y = 0;
  pixels.forEach((v, k) => {
    m += v;
    x += (k % SIDE) * v;
    y += Math.floor(k / SIDE) * v;
  });
  return [x / m, y / m];
}

/** Width and height of the non-zero pixels of a 28x28 byte image. */
function extent(pixels: Uint8Array): [number, number] {
  const cols = new Set<number>(), rows = new Set<number>();
  pixels.forEach((v, k) => {
    if (v > 0) {
      cols.add(k % SIDE);
      rows.add(Math.floor(k / SIDE));
    }
  });
  return [
    Math.max(...cols) - Math.min(...cols) + 1,
    Math.max(...rows) - Math.min(...rows) + 1,
  ];
}

/** Draws a polyline of [x, y] points, scaled by `k` and moved by (ox, oy). */
function draw(
  canvas: Canvas,
  points: number[][],
  k = 1,
  ox = 0,
  oy = 0,
) {
  for (let i = 1; i < points.length; i++) {
    canvas.stroke(
      ox + k * points[i - 1][0],
      oy + k * points[i - 1][1],
      ox + k * points[i][0],
      oy + k * points[i][1],
    );
  }
}

/** A seeded source of uniform numbers in [0, 1). */
function random(seed: number): () => number {
  const rng = new Random(seed);
  return () => rng.next();
}

const SEVEN = [[150, 140], [480, 130], [300, 560]];
const TWO = [[180, 220], [250, 140], [380, 130], [450, 220], [420, 320], [
  190,
  540,
], [500, 540]];

Deno.test("preprocess() returns zeros and empty for a blank canvas or image", () => {
  const fromCanvas = preprocess(new Canvas());
  assertEquals(fromCanvas.empty, true);
  assertEquals(fromCanvas.box, null);
  assertEquals(fromCanvas.pixels, new Uint8Array(PIXELS));
  const bytes = new Uint8Array(PIXELS);
  const fromBytes = preprocess({ width: SIDE, height: SIDE, data: bytes });
  assertEquals(fromBytes.empty, true);
  assertEquals(fromBytes.pixels, new Uint8Array(PIXELS));
});

Deno.test("preprocess() clears the output array it is given", () => {
  const out = new Uint8Array(PIXELS).fill(7);
  const result = preprocess(new Canvas(50, 50), { out });
  assertEquals(result.pixels, out);
  assertEquals(out, new Uint8Array(PIXELS));
});

Deno.test("inkBox() finds the bounding box of the non-zero pixels", () => {
  const data = new Uint8Array(10 * 6);
  data[2 * 10 + 3] = 1;
  data[4 * 10 + 7] = 200;
  assertEquals(inkBox({ width: 10, height: 6, data }), {
    x: 3,
    y: 2,
    width: 5,
    height: 3,
  });
  assertEquals(
    inkBox({ width: 10, height: 6, data: new Uint8Array(60) }),
    null,
  );
});

Deno.test("preprocess() fits a tall thin stroke into 20 rows and keeps it narrow", () => {
  const canvas = new Canvas(672, 672, { radius: BOLD });
  canvas.stroke(200, 60, 210, 610);
  const { pixels, box } = preprocess(canvas);
  // The box is the stroke plus the brush reach (radius 30 and half the soft
  // edge, 1) around it: pixels whose centres lie within 31 of the segment.
  assertEquals(box, { x: 169, y: 29, width: 72, height: 612 });
  const [w, h] = extent(pixels);
  assertEquals(h, 20);
  assert(w <= 4, `stroke is ${w} pixels wide`);
});

Deno.test("preprocess() fits a wide shape into 20 columns, keeping its aspect ratio", () => {
  const canvas = new Canvas();
  // A rectangle outline 400 x 200 (plus the brush): aspect about 460 : 260.
  draw(canvas, [[100, 200], [500, 200], [500, 400], [100, 400], [100, 200]]);
  const [w, h] = extent(preprocess(canvas).pixels);
  assertEquals(w, 20);
  const expected = 20 * 262 / 462;
  assert(Math.abs(h - expected) <= 1, `height ${h}, expected ${expected}`);
});

Deno.test("preprocess() enlarges a small drawing to fit 20 pixels", () => {
  const canvas = new Canvas(672, 672, { radius: 6 });
  draw(canvas, SEVEN, 0.15, 300, 300);
  const [w, h] = extent(preprocess(canvas).pixels);
  assertEquals(Math.max(w, h), 20);
});

Deno.test("preprocess() puts the centre of mass within half a pixel of (14, 14)", () => {
  const shapes: Canvas[] = [];
  for (const points of [SEVEN, TWO]) {
    const canvas = new Canvas(672, 672, { radius: BOLD });
    draw(canvas, points);
    shapes.push(canvas);
  }
  // An L, heavy at one end, and random scribbles.
  const l = new Canvas(672, 672, { radius: BOLD });
  draw(l, [[100, 100], [100, 500], [300, 500]]);
  l.dab(100, 120);
  shapes.push(l);
  const rand = random(7);
  for (let n = 0; n < 20; n++) {
    const canvas = new Canvas(672, 672, { radius: BOLD });
    const points = Array.from(
      { length: 2 + Math.floor(rand() * 6) },
      () => [60 + rand() * 550, 60 + rand() * 550],
    );
    draw(canvas, points);
    shapes.push(canvas);
  }
  for (const [i, canvas] of shapes.entries()) {
    const { pixels, empty } = preprocess(canvas);
    assertEquals(empty, false);
    const [cx, cy] = centreOfMass(pixels);
    assert(
      Math.abs(cx - 14) <= 0.5 && Math.abs(cy - 14) <= 0.5,
      `shape ${i}: centre of mass (${cx.toFixed(2)}, ${cy.toFixed(2)})`,
    );
  }
});

Deno.test("preprocess() gives the same image wherever and at whatever size a digit is drawn", () => {
  for (const points of [SEVEN, TWO]) {
    const big = new Canvas();
    draw(big, points);
    const small = new Canvas(672, 672, { radius: big.radius * 0.5 });
    draw(small, points, 0.5, 20, 310);
    const a = preprocess(big).pixels, b = preprocess(small).pixels;
    let diff = 0;
    for (let k = 0; k < PIXELS; k++) diff += Math.abs(a[k] - b[k]);
    assert(diff / PIXELS < 2, `mean difference ${diff / PIXELS}`);
  }
});

Deno.test("preprocess() averages areas when shrinking instead of picking pixels", () => {
  // One-pixel stripes, ink in every other column: each output pixel covers
  // 14 columns, 7 of them ink, so it is half grey. Picking the nearest pixel
  // would give only 0 and 255.
  const side = 280;
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x += 2) data[y * side + x] = 255;
  }
  const { pixels } = preprocess({ width: side, height: side, data });
  const values = new Set(pixels.filter((v) => v > 0));
  for (const v of values) assert(v >= 126 && v <= 129, `value ${v}`);
  assertEquals(extent(pixels), [20, 20]);
});

Deno.test("preprocess() reads byte and float images alike", () => {
  const canvas = new Canvas(300, 200, { radius: 12 });
  draw(canvas, SEVEN, 0.4);
  const bytes = Uint8Array.from(canvas.data, (v) => Math.round(v * 255));
  const a = preprocess(canvas).pixels;
  const b = preprocess({ width: 300, height: 200, data: bytes }).pixels;
  for (let k = 0; k < PIXELS; k++) {
    assert(Math.abs(a[k] - b[k]) <= 1, `pixel ${k}: ${a[k]} vs ${b[k]}`);
  }
  // And `full` says what full ink is.
  const halves = Float32Array.from(canvas.data, (v) => v / 2);
  const c = preprocess({ width: 300, height: 200, data: halves }, {
    full: 0.5,
  });
  assertEquals(c.pixels, a);
});

Deno.test("preprocess() returns MNIST test images unchanged", async () => {
  const test = await loadMnist("test", { limit: 2000 });
  let same = 0;
  for (let i = 0; i < test.count; i++) {
    const image = imageAt(test, i);
    const { pixels } = preprocess({ width: SIDE, height: SIDE, data: image });
    if (pixels.every((v, k) => v === image[k])) same++;
  }
  assert(same >= 0.99 * test.count, `${same} of ${test.count} unchanged`);
});

Deno.test("preprocess() cuts off ink moved past the edge", () => {
  // A heavy blob with a long thin tail: centring the blob pushes the tail out.
  // Without pen normalisation, which would thicken the tail until it
  // outweighs the blob.
  const canvas = new Canvas(672, 672, { radius: 3 });
  canvas.radius = 70;
  canvas.dab(100, 100);
  canvas.radius = 3;
  canvas.stroke(100, 100, 640, 640);
  const { pixels, shift } = preprocess(canvas, { pen: false });
  assert(shift.x >= 5 && shift.y >= 5, `shift ${shift.x}, ${shift.y}`);
  assert(pixels[PIXELS - 1] > 0, "the tail should reach the corner");
});

Deno.test("preprocess() rejects data of the wrong size", () => {
  assertThrows(
    () => preprocess({ width: 28, height: 28, data: new Uint8Array(100) }),
    RangeError,
    "100 values, 28x28 needs 784",
  );
  assertThrows(
    () => preprocess(new Canvas(10, 10), { out: new Uint8Array(10) }),
    RangeError,
    "Output has 10 bytes, expected 784",
  );
});

/** Pearson correlation of two byte images. */
function correlation(a: Uint8Array, b: Uint8Array): number {
  const mean = (x: Uint8Array) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a), mb = mean(b);
  let ab = 0, aa = 0, bb = 0;
  for (let k = 0; k < a.length; k++) {
    ab += (a[k] - ma) * (b[k] - mb);
    aa += (a[k] - ma) ** 2;
    bb += (b[k] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const mass = (p: Uint8Array) => p.reduce((s, v) => s + v, 0) / 255;

Deno.test("preprocess() gives a digit drawn 100 to 420 px tall with a 60 px brush the same strokes", () => {
  // Digits whose strokes stay apart at 100 px with a 60 px brush; the
  // 420 px drawing, near MNIST's stroke width already, is the reference.
  for (const d of [0, 1, 4, 7]) {
    const images = HEIGHTS.map((h) =>
      preprocess(drawStrokes(DIGITS[d], h, BOLD)).pixels
    );
    const largest = images[images.length - 1];
    for (const [i, pixels] of images.entries()) {
      const what = `${d} drawn ${HEIGHTS[i]} px tall`;
      // Like MNIST's strokes, whose median measures 2.01 at 28x28.
      const width = measureStrokeWidth({
        width: SIDE,
        height: SIDE,
        data: pixels,
      });
      assert(Math.abs(width - 2) <= 0.6, `${what}: strokes ${width} wide`);
      const ratio = mass(pixels) / mass(largest);
      assert(ratio > 0.75 && ratio < 1.4, `${what}: mass ratio ${ratio}`);
      const r = correlation(pixels, largest);
      assert(r > (HEIGHTS[i] < 150 ? 0.7 : 0.8), `${what}: correlation ${r}`);
    }
    // Without the pen normalisation the small drawing is far bolder.
    const bold = preprocess(drawStrokes(DIGITS[d], 100, BOLD), { pen: false })
      .pixels;
    assert(
      mass(bold) > 1.6 * mass(largest),
      `${d}: mass ${mass(bold)} vs ${mass(largest)}`,
    );
  }
});

Deno.test("preprocess() follows the eraser: erased ink is gone from the result", () => {
  const plain = new Canvas();
  draw(plain, SEVEN);
  const erased = new Canvas();
  draw(erased, SEVEN);
  erased.stroke(520, 500, 600, 600);
  erased.radius = 45;
  erased.stroke(520, 500, 600, 600, "erase");
  assertEquals(preprocess(erased).pixels, preprocess(plain).pixels);
});

Deno.test("strokeWidth() measures a bar n pixels wide as about n, and a disk as its diameter", () => {
  const side = 60;
  for (const n of [1, 3, 4, 7, 12, 21]) {
    const data = new Float32Array(side * side);
    for (let y = 20; y < 20 + n; y++) {
      for (let x = 5; x < 55; x++) data[y * side + x] = 1;
    }
    const w = strokeWidth({ width: side, height: side, data });
    assert(Math.abs(w - n) <= (n % 2 ? 0.01 : 1.01), `bar ${n}: ${w}`);
  }
  const data = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (Math.hypot(x - 30, y - 30) <= 20) data[y * side + x] = 1;
    }
  }
  const w = strokeWidth({ width: side, height: side, data });
  // A digital disk's rim is ragged, and so is its ridge: within 3 pixels.
  assert(Math.abs(w - 41) <= 3, `disk: ${w}`);
});

Deno.test("distanceTransform() matches a brute-force search, with either outside", () => {
  const rand = random(11);
  for (let trial = 0; trial < 30; trial++) {
    const w = 2 + Math.floor(rand() * 15), h = 2 + Math.floor(rand() * 15);
    const mask = Uint8Array.from({ length: w * h }, () => rand() < 0.8 ? 1 : 0);
    const d = distanceTransform(mask, w, h);
    const dInside = distanceTransform(mask, w, h, 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let best = Infinity;
        for (let j = 0; j < h; j++) {
          for (let i = 0; i < w; i++) {
            if (!mask[j * w + i]) {
              best = Math.min(best, Math.hypot(i - x, j - y));
            }
          }
        }
        // With `outside` 1, only the mask's own zeros count...
        if (best === Infinity) assertEquals(dInside[y * w + x], Infinity);
        else assertAlmostEquals(dInside[y * w + x], best, 1e-5);
        // ...by default, the outside is background too.
        best = Math.min(best, x + 1, y + 1, w - x, h - y);
        assertAlmostEquals(d[y * w + x], best, 1e-5);
      }
    }
  }
});

Deno.test("repen() thins and thickens a stroke by twice the amount", () => {
  const side = 80;
  const bar = (n: number) => {
    const data = new Float32Array(side * side);
    for (let y = 30; y < 30 + n; y++) {
      for (let x = 10; x < 70; x++) data[y * side + x] = 1;
    }
    return { width: side, height: side, data };
  };
  const thin = bar(21);
  repen(thin, 5);
  assert(
    Math.abs(strokeWidth(thin) - 11) <= 1,
    `thinned: ${strokeWidth(thin)}`,
  );
  const thick = bar(5);
  repen(thick, -4);
  assert(
    Math.abs(strokeWidth(thick) - 13) <= 1,
    `thickened: ${strokeWidth(thick)}`,
  );
});

Deno.test("penChange() leaves usual widths, low resolutions and fat shapes alone", () => {
  assertEquals(penChange(PEN_TARGET + PEN_TOLERANCE, 10), 0);
  assertEquals(penChange(6, 1), 0);
  assertEquals(penChange(PEN_FAT * FIT + 1, 10), 0);
  assertAlmostEquals(penChange(6, 10), PEN_TARGET - 6, 1e-12);
  assertAlmostEquals(penChange(0.5, 10), PEN_TARGET - 0.5, 1e-12);
});
