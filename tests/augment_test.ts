import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import { PIXELS, SIDE } from "../lib/data/mnist.ts";
import { gatherScaled } from "../lib/nn/network.ts";
import { Random } from "../lib/random.ts";
import {
  Augmenter,
  type AugmentOptions,
  checkAugmentOptions,
  type Distortion,
  DRAW_SLOTS,
  IDENTITY,
  STANDARD_AUGMENT,
} from "../lib/nn/augment.ts";
import { augmentSource } from "../lib/nn/augment_source.ts";
import { elasticFields } from "../lib/nn/elastic.ts";

/** An image with ink 255 where `ink(x, y)` holds. */
function picture(ink: (x: number, y: number) => boolean): Uint8Array {
  const img = new Uint8Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) if (ink(x, y)) img[y * SIDE + x] = 255;
  }
  return img;
}

/** A small "L" off centre: not symmetric, so that any change shows. */
const ELL = picture((x, y) =>
  (x >= 9 && x <= 11 && y >= 6 && y <= 20) ||
  (y >= 18 && y <= 20 && x >= 9 && x <= 17)
);
/** A horizontal bar through the centre. */
const BAR = picture((x, y) => x >= 6 && x <= 21 && y >= 13 && y <= 14);

/** Distorts one image; returns its ink in 0..1 (input scaling undone). */
function distortOne(
  img: Uint8Array,
  d: Partial<Distortion>,
  augmenter = new Augmenter({ ...STANDARD_AUGMENT }, new Random(1)),
): Float64Array {
  const out = new Float32Array(PIXELS);
  augmenter.distort(augmentSource(img), 0, { ...IDENTITY, ...d }, out, 0);
  return Float64Array.from(out, (v) => (v - 0.01) / 0.99);
}

const ink = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

/** Centre of mass and principal axis angle (counterclockwise on screen). */
function moments(a: ArrayLike<number>) {
  let m = 0, mx = 0, my = 0;
  for (let i = 0; i < PIXELS; i++) {
    m += a[i];
    mx += a[i] * (i % SIDE);
    my += a[i] * Math.floor(i / SIDE);
  }
  const cx = mx / m, cy = my / m;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < PIXELS; i++) {
    const dx = i % SIDE - cx, dy = -(Math.floor(i / SIDE) - cy); // y up
    sxx += a[i] * dx * dx;
    syy += a[i] * dy * dy;
    sxy += a[i] * dx * dy;
  }
  return { cx, cy, angle: 0.5 * Math.atan2(2 * sxy, sxx - syy) };
}

Deno.test("Augmenter.distort() with the identity writes what gatherScaled() writes", () => {
  const data = new Uint8Array(2 * PIXELS);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  data.set(ELL, PIXELS);
  const augmenter = new Augmenter({ ...STANDARD_AUGMENT }, new Random(1));
  const source = augmentSource(data);
  const want = new Float32Array(2 * PIXELS);
  gatherScaled(data, Uint32Array.of(0, 1), 0, 2, want);
  const got = new Float32Array(2 * PIXELS);
  augmenter.distort(source, 0, IDENTITY, got, 0);
  augmenter.distort(source, 1, { ...IDENTITY, field: 3, alpha: 0 }, got, 1);
  assertEquals(got, want, "scale 1, rotation 0, shift 0, alpha 0");
});

Deno.test("Augmenter.distort() shifting by k moves the centre of mass by k", () => {
  const before = moments(distortOne(ELL, {}));
  const after = moments(distortOne(ELL, { shiftX: 3, shiftY: -2 }));
  // Exact up to the float32 rounding of the outputs.
  assertAlmostEquals(after.cx - before.cx, 3, 1e-6);
  assertAlmostEquals(after.cy - before.cy, -2, 1e-6);
  const half = moments(distortOne(ELL, { shiftX: 1.5 }));
  assertAlmostEquals(half.cx - before.cx, 1.5, 1e-6, "bilinear: sub-pixel");
});

Deno.test("Augmenter.distort() rotates the principal axis and keeps the ink", () => {
  const flat = distortOne(BAR, {});
  assertAlmostEquals(moments(flat).angle, 0, 1e-9);
  for (const degrees of [20, -35]) {
    const turned = distortOne(BAR, { angle: degrees * Math.PI / 180 });
    const got = moments(turned).angle * 180 / Math.PI;
    assertAlmostEquals(got, degrees, 2, `axis turned by ${degrees}`);
    assertAlmostEquals(ink(turned) / ink(flat), 1, 0.05, "ink kept");
  }
});

Deno.test("Augmenter.distort() scales about the centre and shears along x", () => {
  const base = distortOne(BAR, {});
  const big = distortOne(BAR, { scale: 1.25 });
  // Ink grows with the area, the centre stays.
  assertAlmostEquals(ink(big) / ink(base), 1.25 * 1.25, 0.1);
  assertAlmostEquals(moments(big).cx, moments(base).cx, 1e-6);
  // A shear of a vertical bar tilts it: x moves with y.
  const vbar = picture((x, y) => y >= 6 && y <= 21 && x >= 13 && x <= 14);
  const sheared = moments(distortOne(vbar, { shear: 0.5 }));
  assert(
    Math.abs(sheared.angle) < Math.PI / 2 - 0.3,
    `a sheared vertical bar leans (axis at ${sheared.angle} rad)`,
  );
});

Deno.test("Augmenter.distort() with an elastic field moves ink locally, alpha 0 does nothing", () => {
  const augmenter = new Augmenter({ ...STANDARD_AUGMENT }, new Random(7));
  const plain = distortOne(ELL, {}, augmenter);
  assertEquals(distortOne(ELL, { field: 5, alpha: 0 }, augmenter), plain);
  const bent = distortOne(ELL, { field: 5, alpha: 2 }, augmenter);
  assert(bent.some((v, i) => Math.abs(v - plain[i]) > 0.1), "changed");
  assertAlmostEquals(ink(bent) / ink(plain), 1, 0.2, "ink roughly kept");
});

Deno.test("Augmenter.distort() makes strokes bolder or thinner with the pen", () => {
  const plain = ink(distortOne(BAR, {}));
  const bolder = ink(distortOne(BAR, { pen: 1 }));
  const thinner = ink(distortOne(BAR, { pen: -1 }));
  // The bar is 16 x 2: a 3x3 dilation makes it 18 x 4, an erosion 14 x 0.
  assertAlmostEquals(bolder, 18 * 4, 1e-6);
  assertAlmostEquals(thinner, 0, 1e-6);
  const half = ink(distortOne(BAR, { pen: 0.5 }));
  assertAlmostEquals(half, (plain + bolder) / 2, 1e-6, "blended");
});

Deno.test("augmentSource() dilates and erodes like a naive 3x3 filter", () => {
  const images = new Uint8Array(3 * PIXELS);
  const rng = new Random(3);
  for (let i = 0; i < images.length; i++) {
    images[i] = rng.next() < 0.4 ? Math.floor(rng.next() * 256) : 0;
  }
  images.fill(0, PIXELS, 2 * PIXELS); // a blank image
  const source = augmentSource(images);
  const at = (n: number, x: number, y: number) =>
    x < 0 || y < 0 || x >= SIDE || y >= SIDE
      ? 0
      : images[n * PIXELS + y * SIDE + x];
  for (let n = 0; n < 3; n++) {
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        let hi = 0, lo = 255;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            hi = Math.max(hi, at(n, x + dx, y + dy));
            lo = Math.min(lo, at(n, x + dx, y + dy));
          }
        }
        const i = n * PIXELS + y * SIDE + x;
        if (source.dilated[i] !== hi || source.eroded[i] !== lo) {
          throw new Error(`image ${n} (${x}, ${y}): ${hi}/${lo}`);
        }
      }
    }
  }
  const ellBox = augmentSource(ELL).boxes;
  assertEquals([...ellBox], [6, 20, 9, 17], "ink box");
  const blank = source.boxes.subarray(4, 8);
  assert(blank[0] > blank[1], "a blank image has an empty box");
});

/** A batch of 4 distorted by an augmenter seeded `seed`, drawn from `draw`. */
function distortedBatch(
  options: AugmentOptions,
  seed: number,
  draw: number,
): { images: Uint8Array; order: Uint32Array; out: Float32Array } {
  const images = new Uint8Array(4 * PIXELS);
  for (let n = 0; n < 4; n++) images.set(n % 2 ? ELL : BAR, n * PIXELS);
  const order = Uint32Array.of(3, 1, 0, 2);
  const augmenter = new Augmenter(options, new Random(seed));
  const draws = new Float64Array(4 * DRAW_SLOTS);
  augmenter.drawRows(new Random(draw), 4, draws);
  const out = new Float32Array(4 * PIXELS);
  augmenter.distortRows(augmentSource(images), order, 0, 0, 4, draws, out);
  return { images, order, out };
}

Deno.test("Augmenter.drawRows() and distortRows() give the same batch for the same seed, others for others", () => {
  const batch = (seed: number) =>
    distortedBatch({ ...STANDARD_AUGMENT }, seed, seed + 100).out;
  const first = batch(1), other = batch(2);
  assertEquals(first, batch(1));
  assert(first.some((v, i) => v !== other[i]), "another seed differs");
  const none = distortedBatch(
    { ...STANDARD_AUGMENT, probability: 0 },
    1,
    5,
  );
  const want = new Float32Array(4 * PIXELS);
  gatherScaled(none.images, none.order, 0, 4, want);
  assertEquals(none.out, want, "probability 0 distorts nothing");
});

Deno.test("Augmenter.distortRows() in parts, on another augmenter with its fields, makes each row as distort() does", () => {
  const count = 6, rows = 5;
  const images = new Uint8Array(count * PIXELS);
  for (let n = 0; n < count; n++) {
    images.set(n % 3 ? ELL : BAR, n * PIXELS);
    images[n * PIXELS + 100 + n] = 200; // each image its own
  }
  const source = augmentSource(images);
  // Made where the caller says, e.g. in shared memory, and the same there.
  const shared = augmentSource(
    images,
    (n) => new Uint8Array(new SharedArrayBuffer(n)),
  );
  assert(shared.dilated.buffer instanceof SharedArrayBuffer, "shared buffers");
  for (const k of ["images", "boxes", "dilated", "eroded"] as const) {
    assertEquals(shared[k], source[k], `shared ${k}`);
  }
  const order = Uint32Array.of(5, 3, 1, 0, 2, 4);
  const augmenter = new Augmenter({ ...STANDARD_AUGMENT }, new Random(1));
  // Row by row: one draw, one distortion.
  const want = new Float32Array(rows * PIXELS);
  const rng = new Random(7);
  for (let r = 0; r < rows; r++) {
    augmenter.distort(source, order[1 + r], augmenter.draw(rng), want, r);
  }
  const after = rng.next();
  // Drawn on one augmenter, distorted in two parts on another with its fields.
  const draws = new Float64Array(rows * DRAW_SLOTS);
  const again = new Random(7);
  augmenter.drawRows(again, rows, draws);
  assertEquals(again.next(), after, "the same numbers drawn");
  const copy = new Augmenter(
    { ...STANDARD_AUGMENT },
    Float32Array.from(augmenter.fields),
  );
  assertEquals(copy.fieldCount, augmenter.fieldCount);
  const got = new Float32Array(rows * PIXELS);
  augmenter.distortRows(shared, order, 1, 0, 2, draws, got);
  copy.distortRows(shared, order, 1, 2, rows, draws, got);
  assertEquals(got, want);
  assert(
    want.some((v, i) => v !== scaledAt(images, order, 1, i)),
    "the batch is distorted",
  );
  assertThrows(
    () => copy.distortRows(shared, order, 2, 0, rows, draws, got),
    RangeError,
    "do not fit",
  );
  assertThrows(
    () => new Augmenter({ ...STANDARD_AUGMENT }, new Float32Array(5)),
    RangeError,
    "not whole fields",
  );
});

/** The plainly scaled value of element i of a batch gathered from `first`. */
function scaledAt(
  images: Uint8Array,
  order: Uint32Array,
  first: number,
  i: number,
): number {
  const r = Math.floor(i / PIXELS), k = i % PIXELS;
  return Math.fround(images[order[first + r] * PIXELS + k] / 255 * 0.99 + 0.01);
}

Deno.test("elasticFields() are smooth with an RMS displacement of one pixel", () => {
  const fields = elasticFields(4, 4, new Random(1));
  assertEquals(fields.length, 4 * 2 * PIXELS);
  for (let f = 0; f < 4; f++) {
    const field = fields.subarray(f * 2 * PIXELS, (f + 1) * 2 * PIXELS);
    assertAlmostEquals(
      Math.sqrt(ink(field.map((v) => v * v)) / PIXELS),
      1,
      1e-5,
    );
    // Neighbours move together: the step between them is small.
    let step = 0;
    for (let i = 0; i < PIXELS - 1; i++) {
      if (i % SIDE !== SIDE - 1) {
        step = Math.max(step, Math.abs(field[i + 1] - field[i]));
      }
    }
    assert(step < 0.5, `largest step between neighbours ${step}`);
  }
});

Deno.test("checkAugmentOptions() names the bad option", () => {
  const bad: AugmentOptions = { ...STANDARD_AUGMENT, probability: 2 };
  assertThrows(
    () => checkAugmentOptions(bad),
    RangeError,
    "augment probability must be in 0..1, got 2",
  );
  assertThrows(
    () => new Augmenter({ ...STANDARD_AUGMENT, sigma: 0 }, new Random(1)),
    RangeError,
    "augment sigma",
  );
});

/**
 * The distortion of `d`, pixel by pixel: each output pixel inverse-maps through
 * the affine transform and the field, and samples the pen-blended image
 * bilinearly with zeros outside. Written plainly, without the runs and buffers
 * of `distort()`.
 */
function naiveDistort(
  img: Uint8Array,
  dilated: Uint8Array,
  eroded: Uint8Array,
  fields: Float32Array,
  d: Distortion,
): Float64Array {
  const t = Math.abs(d.pen), morph = d.pen > 0 ? dilated : eroded;
  const at = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= SIDE || y >= SIDE) return 0;
    const k = y * SIDE + x;
    return (img[k] + t * (morph[k] - img[k])) / 255;
  };
  // Forward: p -> c + A (p - c) + shift, A = scale R(angle) [[1, shear], [0, 1]],
  // R counterclockwise on screen (y down): [[cos, sin], [-sin, cos]].
  const c = Math.cos(d.angle), s = Math.sin(d.angle);
  const A = [
    [d.scale * c, d.scale * (c * d.shear + s)],
    [-d.scale * s, d.scale * (-s * d.shear + c)],
  ];
  const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
  const centre = (SIDE - 1) / 2;
  const out = new Float64Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const qx = x - centre - d.shiftX, qy = y - centre - d.shiftY;
      let px = centre + (A[1][1] * qx - A[0][1] * qy) / det;
      let py = centre + (-A[1][0] * qx + A[0][0] * qy) / det;
      if (d.field >= 0) {
        px += d.alpha * fields[d.field * 2 * PIXELS + y * SIDE + x];
        py += d.alpha * fields[d.field * 2 * PIXELS + PIXELS + y * SIDE + x];
      }
      const ix = Math.floor(px), iy = Math.floor(py);
      const fx = px - ix, fy = py - iy;
      out[y * SIDE + x] = (1 - fy) *
          ((1 - fx) * at(ix, iy) + fx * at(ix + 1, iy)) +
        fy * ((1 - fx) * at(ix, iy + 1) + fx * at(ix + 1, iy + 1));
    }
  }
  return out;
}

Deno.test("Augmenter.distort() samples like a naive pixel-by-pixel inverse map", () => {
  const images = new Uint8Array(6 * PIXELS);
  images.set(ELL, 0);
  images.set(BAR, PIXELS);
  const rng = new Random(11);
  // Scribbles, one touching every edge of the image.
  for (let n = 2; n < 6; n++) {
    for (let i = 0; i < 40; i++) {
      const x = n === 5
        ? [0, 27, 13, 5][i % 4]
        : 4 + Math.floor(rng.next() * 20);
      const y = n === 5
        ? [13, 8, 0, 27][i % 4]
        : 4 + Math.floor(rng.next() * 20);
      images[n * PIXELS + y * SIDE + x] = 1 + Math.floor(rng.next() * 255);
    }
  }
  const source = augmentSource(images);
  for (const elastic of [STANDARD_AUGMENT.elastic, 8]) {
    // A strong field takes the clamping path.
    const options = { ...STANDARD_AUGMENT, elastic, probability: 1 };
    const augmenter = new Augmenter(options, new Random(5));
    const out = new Float32Array(PIXELS);
    let worst = 0;
    for (let trial = 0; trial < 60; trial++) {
      const n = trial % 6;
      const d = augmenter.draw(rng);
      augmenter.distort(source, n, d, out, 0);
      const at = n * PIXELS;
      const want = naiveDistort(
        images.subarray(at, at + PIXELS),
        source.dilated.subarray(at, at + PIXELS),
        source.eroded.subarray(at, at + PIXELS),
        augmenter.fields,
        d,
      );
      for (let k = 0; k < PIXELS; k++) {
        worst = Math.max(worst, Math.abs(out[k] - (want[k] * 0.99 + 0.01)));
      }
    }
    assert(worst < 1e-5, `elastic ${elastic}: largest difference ${worst}`);
  }
});
