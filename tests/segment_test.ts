import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { imageAt, loadMnist } from "../lib/data/mnist.ts";
import { Canvas } from "../lib/image/canvas.ts";
import {
  type Box,
  type GreyImage,
  preprocess,
} from "../lib/image/preprocess.ts";
import { INK_FRACTION, type Piece, segment } from "../lib/image/segment.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { readInk } from "../lib/read/read_number.ts";
import { FIXTURE_MODEL } from "./_app.ts";
import {
  compose,
  drawn,
  type FloatImage,
  type NumberImage,
  toBytes,
  touches,
  upscale,
} from "./_numbers.ts";
import { DIGITS, HEIGHTS, type Strokes } from "./_sample_drawings.ts";

const { network } = await loadModel(FIXTURE_MODEL);
const mnist = await loadMnist("test");

/** How confidently the fixture network reads some ink as a digit. */
function judge(ink: GreyImage): number {
  return Math.max(...network.outputs(preprocess(ink).pixels, 1));
}

/** MNIST test digit `i`, `scale` times as large. */
function digit(i: number, scale = 8): FloatImage {
  return upscale(imageAt(mnist, i), scale);
}

/** Brush radii: a pen 16 pixels wide and one 60 pixels wide. */
const THIN = 8, WIDE = 30;

/** The sample drawings of the digits of `text`, `height` pixels tall. */
function written(text: string, height: number, radius = THIN): FloatImage[] {
  return [...text].map((c) => drawn(DIGITS[Number(c)], height, radius));
}

/** Digits drawn in several strokes that do not touch, 1 unit tall. */
const STROKES: Record<string, Strokes> = {
  "a 5 with its flag apart": [
    [[0.15, 0], [0.65, 0]],
    [
      [0.1, 0.35],
      [0.05, 0.6],
      [0.35, 0.53],
      [0.6, 0.65],
      [0.65, 0.85],
      [0.5, 1.05],
      [0.25, 1.1],
      [0, 1],
    ],
  ],
  "a 4 whose first stroke stops above the bar": [
    [[0.12, 0], [0.02, 0.3]],
    [[0, 0.65], [0.72, 0.65]],
    [[0.52, 0.05], [0.52, 1]],
  ],
  "a 7 whose stem starts below the bar": [
    [[0, 0.05], [0.62, 0.05]],
    [[0.5, 0.38], [0.2, 1]],
  ],
  "an equals sign": [[[0, 0.3], [0.7, 0.3]], [[0, 0.75], [0.7, 0.75]]],
};

/** A "2" whose tail runs on under the next digit. */
const LONG_TAIL: Strokes = [
  [[0.05, 0.2], [0.25, 0], [0.5, 0], [0.62, 0.15], [0.6, 0.35], [0, 1], [1, 1]],
];

/** The area of the intersection of two boxes over that of their union. */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const common = Math.max(0, w) * Math.max(0, h);
  return common / (a.width * a.height + b.width * b.height - common);
}

/**
 * The pieces are the digits of `number`, in order, each box within `slack`
 * pixels of its digit's box (for digits apart; for touching digits, the
 * boxes overlap by at least `least` of their union).
 */
function assertDigits(
  pieces: Piece[],
  number: NumberImage,
  what: string,
  { slack = 2, least = 0 }: { slack?: number; least?: number } = {},
) {
  const boxes = pieces.map((p) => p.box);
  assertEquals(
    pieces.length,
    number.boxes.length,
    `${what}: ${JSON.stringify(boxes)}`,
  );
  number.boxes.forEach((want, i) => {
    const got = boxes[i];
    const message = `${what}, digit ${i}: ${JSON.stringify(got)} for ${
      JSON.stringify(want)
    }`;
    if (least > 0) {
      assert(overlap(got, want) >= least, message);
      return;
    }
    const edges = (b: Box) => [b.x, b.y, b.x + b.width, b.y + b.height];
    const wanted = edges(want);
    assert(
      edges(got).every((e, k) => Math.abs(e - wanted[k]) <= slack),
      message,
    );
  });
}

Deno.test("segment() gives no pieces for an image without ink", () => {
  assertEquals(segment(new Canvas(64, 48)), []);
  const bytes = { width: 64, height: 48, data: new Uint8Array(64 * 48) };
  assertEquals(segment(bytes), []);
  // Ink too faint to count, as a photo's leftover shading.
  bytes.data.fill(Math.floor(255 * INK_FRACTION));
  assertEquals(segment(bytes), []);
});

Deno.test("segment() finds the digits of numbers written with wide gaps, in order", () => {
  const numbers: [string, NumberImage, number][] = [
    ["MNIST 7210", compose([0, 1, 2, 3].map((i) => digit(i)), { gap: 60 }), 8],
    ["MNIST 414", compose([4, 5, 6].map((i) => digit(i)), { gap: 80 }), 8],
    ["drawn 2024", compose(written("2024", 160), { gap: 60 }), 2],
    ["drawn 42", compose(written("42", 250, WIDE), { gap: 100 }), 2],
  ];
  for (const [what, number, slack] of numbers) {
    assertDigits(segment(number.image), number, what, { slack });
    assertDigits(segment(number.image, { judge }), number, `${what}, judged`, {
      slack,
    });
  }
});

Deno.test("segment() keeps digits written a few pixels apart as pieces of their own", () => {
  const numbers: [string, NumberImage, number][] = [
    ["MNIST 7210", compose([0, 1, 2, 3].map((i) => digit(i)), { gap: 3 }), 8],
    [
      "MNIST 0690",
      compose([10, 11, 12, 13].map((i) => digit(i)), { gap: 3 }),
      8,
    ],
    ["drawn 1984", compose(written("1984", 160), { gap: 3 }), 2],
    ["drawn 365", compose(written("365", 250, WIDE), { gap: 4 }), 2],
  ];
  for (const [what, number, slack] of numbers) {
    assert(!touches(number), `${what} touches`);
    assertDigits(segment(number.image), number, what, { slack });
    assertDigits(segment(number.image, { judge }), number, `${what}, judged`, {
      slack,
    });
  }
});

Deno.test("segment() splits touching and overlapping digits where the judge reads them best", () => {
  const numbers: [string, NumberImage][] = [];
  for (const height of [160, 250]) {
    // Strokes of a thin pen that just touch ("13" so is narrower than tall:
    // see below).
    for (const text of ["00", "23", "77", "90", "365", "6502"]) {
      numbers.push([
        `${text}, ${height} tall`,
        compose(written(text, height), { touch: 0 }),
      ]);
    }
    // A wide pen's strokes that touch and overlap.
    const wide: [string, number][] = [
      ["00", 0],
      ["00", 10],
      ["90", 0],
    ];
    for (const [text, touch] of wide) {
      numbers.push([
        `${text}, ${height} tall, wide pen, overlapping by ${touch}`,
        compose(written(text, height, WIDE), { touch }),
      ]);
    }
  }
  // MNIST test digits 0-1, 10-11, 26-27, 34-35, 46-47 and 58-59: "72", "06",
  // "74", "72", "12", "95", 24 times as large. (32-33, a "3" whose halves read
  // as digits no better than MIN_PART, stays whole: a split that sure would
  // also turn doodles into numbers.)
  for (const first of [0, 10, 26, 34, 46, 58]) {
    numbers.push([
      `MNIST ${first} and ${first + 1}`,
      compose([first, first + 1].map((i) => digit(i, 24)), { touch: 0 }),
    ]);
  }
  for (const [what, number] of numbers) {
    assert(touches(number), `${what} does not touch`);
    assertDigits(segment(number.image, { judge }), number, what, {
      least: 0.75,
    });
  }
  // Narrower than tall, two touching digits are not tried: cut into strokes,
  // a letter would read as digits ("H" as "11").
  for (const height of [160, 250]) {
    for (const pen of [undefined, WIDE]) {
      const narrow = compose(written("13", height, pen), { touch: 0 });
      if (narrow.image.width >= narrow.image.height) continue;
      assertEquals(segment(narrow.image, { judge }).length, 1, `13, ${height}`);
    }
  }
});

Deno.test("segment() splits a run of touching digits clearly too wide for one without a judge", () => {
  const numbers: [string, NumberImage][] = [
    ["808", compose(written("808", 250), { touch: 0 })],
    ["8888", compose(written("8888", 160), { touch: 0 })],
    ["2024, wide pen", compose(written("2024", 160, WIDE), { touch: 0 })],
    ["365, overlapping", compose(written("365", 250, WIDE), { touch: 10 })],
    ["6502, overlapping", compose(written("6502", 250, WIDE), { touch: 10 })],
  ];
  for (const [what, number] of numbers) {
    assertDigits(segment(number.image), number, what, { least: 0.75 });
  }
  // Two touching digits may be one wide digit: without a judge they stay.
  const pair = compose(written("57", 250), { touch: 0 });
  assertEquals(segment(pair.image).length, 1);
});

Deno.test("segment() keeps a digit drawn in strokes that do not touch as one piece", () => {
  for (const [what, strokes] of Object.entries(STROKES)) {
    for (const [height, radius] of [[160, THIN], [250, WIDE]]) {
      const alone = compose([drawn(strokes, height, radius)]);
      assertDigits(segment(alone.image), alone, `${what}, ${height}`);
      assertDigits(segment(alone.image, { judge }), alone, `${what}, judged`);
    }
  }
  const [five, four, seven] = Object.values(STROKES);
  for (const radius of [THIN, WIDE]) {
    const number = compose(
      [four, five, seven].map((s) => drawn(s, 250, radius)),
      { gap: 6 },
    );
    assertDigits(segment(number.image), number, "457 a few pixels apart");
  }
  // MNIST test digits whose strokes do not meet: 5s with their flags apart
  // (one beside its body), 4s with a stroke stopping short of the bar, 7s.
  for (const i of [8, 694, 812, 856, 897, 6543, 6700, 8369, 8416, 8984, 9469]) {
    const alone = compose([digit(i)]);
    assertDigits(segment(alone.image), alone, `MNIST test digit ${i}`, {
      least: 0.8, // less a faint speck
    });
  }
});

Deno.test("segment() keeps apart digits whose boxes overlap but whose ink does not meet", () => {
  const numbers: [string, NumberImage][] = [];
  for (const [height, radius] of [[160, THIN], [250, WIDE]]) {
    const tail = drawn(LONG_TAIL, height, radius);
    numbers.push(
      [
        `a 2's tail under a 7, ${height}`,
        compose([tail, drawn(DIGITS[7], height, radius)], { touch: -6 }),
      ],
      [`74, ${height}`, compose(written("74", height, radius), { touch: -6 })],
      [`27, ${height}`, compose(written("27", height, radius), { touch: -6 })],
    );
  }
  for (const [what, number] of numbers) {
    const [a, b] = number.boxes;
    assert(a.x + a.width > b.x, `${what}: the boxes do not overlap`);
    assert(!touches(number), `${what} touches`);
    assertDigits(segment(number.image), number, what);
    assertDigits(segment(number.image, { judge }), number, `${what}, judged`);
  }
});

Deno.test("segment() gives each piece its own ink and nothing of its neighbours'", () => {
  const number = compose(
    [drawn(LONG_TAIL, 250, WIDE), drawn(DIGITS[7], 250, WIDE)],
    { touch: -6 },
  );
  const { width } = number.image;
  const pieces = segment(number.image);
  assertEquals(pieces.length, 2);
  pieces.forEach(({ box, ink }, i) => {
    assertEquals([ink.width, ink.height], [box.width, box.height]);
    assert(ink.data instanceof Float32Array);
    let own = 0;
    for (let y = 0; y < box.height; y++) {
      for (let x = 0; x < box.width; x++) {
        const k = (box.y + y) * width + box.x + x;
        const v = ink.data[y * box.width + x];
        if (v === 0) continue;
        assertEquals(v, number.image.data[k]);
        assertEquals(number.layers[1 - i][k], 0, `piece ${i} at ${x},${y}`);
        own += v;
      }
    }
    // All of its own ink but for the faintest edge.
    const total = number.layers[i].reduce((sum, v) => sum + v, 0);
    assert(own > 0.995 * total, `piece ${i} has ${own} of ${total}`);
  });
});

Deno.test("segment() keeps every one of the first thousand MNIST test digits whole", () => {
  for (let i = 0; i < 1000; i++) {
    const image = digit(i, 24); // 672 pixels square, as the canvas
    for (const options of [{}, { judge }]) {
      const pieces = segment(image, options);
      assertEquals(
        pieces.length,
        1,
        `MNIST test digit ${i} (${mnist.labels[i]}): ${
          JSON.stringify(pieces.map((p) => p.box))
        }`,
      );
    }
  }
});

Deno.test("segment() keeps every sample drawing whole at every size", () => {
  for (const [d, strokes] of Object.entries(DIGITS)) {
    for (const height of HEIGHTS) {
      for (const radius of [THIN, WIDE]) {
        const canvas = drawn(strokes, height, radius);
        const what = `${d} drawn ${height} tall with a pen of radius ${radius}`;
        assertEquals(segment(canvas).length, 1, what);
        assertEquals(segment(canvas, { judge }).length, 1, `${what}, judged`);
      }
    }
  }
});

Deno.test("segment() drops specks but never all the ink", () => {
  const number = compose(written("42", 160), { gap: 60 });
  const { image } = number;
  const dirty = new Canvas(image.width, image.height, { radius: 2 });
  dirty.data.set(image.data);
  for (const [x, y] of [[8, 8], [image.width - 10, 20], [150, 15]]) {
    dirty.dab(x, y);
  }
  assertDigits(segment(dirty), number, "42 with specks");
  const speck = new Canvas(40, 40, { radius: 2 });
  speck.dab(20, 20);
  assertEquals(segment(speck).length, 1);
});

Deno.test("segment() reads byte images as float ones, and `full` sets the scale", () => {
  const number = compose(written("2024", 160), { gap: 6 });
  const floats = segment(number.image);
  const bytes = segment(toBytes(number.image));
  assertEquals(bytes.map((p) => p.box), floats.map((p) => p.box));
  for (const p of bytes) assert(p.ink.data instanceof Uint8Array);
  const half = {
    ...number.image,
    data: number.image.data.map((v) => v / 2),
  };
  assertEquals(
    segment(half, { full: 0.5 }).map((p) => p.box),
    floats.map((p) => p.box),
  );
  const touching = compose(written("2024", 250, WIDE), { touch: 10 });
  assertEquals(
    segment(toBytes(touching.image), { judge }).map((p) => p.box),
    segment(touching.image, { judge }).map((p) => p.box),
  );
});

Deno.test("segment() rejects an image whose data does not fit its size", () => {
  const image = { width: 10, height: 10, data: new Float32Array(99) };
  assertThrows(() => segment(image), RangeError, "10x10 needs 100");
  const good = { width: 10, height: 10, data: new Float32Array(100) };
  assertThrows(() => segment(good, { full: 0 }), RangeError, "Full ink");
});

/** `top` over `bottom`, `gap` rows apart, both at the left. */
function stacked(top: FloatImage, bottom: FloatImage, gap: number): FloatImage {
  const width = Math.max(top.width, bottom.width);
  const height = top.height + gap + bottom.height;
  const data = new Float32Array(width * height);
  for (const [img, y0] of [[top, 0], [bottom, top.height + gap]] as const) {
    for (let y = 0; y < img.height; y++) {
      data.set(
        img.data.subarray(y * img.width, (y + 1) * img.width),
        (y0 + y) * width,
      );
    }
  }
  return { width, height, data };
}

Deno.test("segment() reads lines of writing apart: '12' over '34' is two lines of two pieces", () => {
  for (const judged of [false, true]) {
    const top = compose(written("12", 160), { gap: 40 });
    const bottom = compose(written("34", 160), { gap: 40 });
    const image = stacked(top.image, bottom.image, 10);
    const pieces = segment(image, judged ? { judge } : {});
    assertEquals(pieces.map((p) => p.line), [0, 0, 1, 1], `judged ${judged}`);
    // Each line left to right, each piece within its own line's rows.
    assert(
      pieces[0].box.x < pieces[1].box.x && pieces[2].box.x < pieces[3].box.x,
    );
    assert(pieces[1].box.y + pieces[1].box.height <= top.image.height);
    assert(pieces[2].box.y >= top.image.height);
    // Read, they are no number, and the reason says why.
    const reading = readInk({ network, threshold: 0 }, image);
    assertEquals(
      [reading.number, reading.reason],
      [null, "2 lines of writing, not one number"],
    );
  }
});

Deno.test("segment() keeps one line where no line holds digits side by side: an 8 of two loops, a single digit over another", () => {
  const loop = (cy: number): Strokes[number] =>
    Array.from({ length: 25 }, (_, k) => {
      const a = 2 * Math.PI * k / 24;
      return [0.3 + 0.28 * Math.cos(a), cy + 0.22 * Math.sin(a)] as [
        number,
        number,
      ];
    });
  const eight = compose([drawn([loop(0.25), loop(0.76)], 250, THIN)]);
  const pieces = segment(eight.image, { judge });
  assertEquals(pieces.map((p) => p.line), [0]);
  const one = compose(written("1", 160)), two = compose(written("2", 160));
  const lines = segment(stacked(one.image, two.image, 20)).map((p) => p.line);
  assert(lines.every((l) => l === 0), `${lines}`);
});

Deno.test("segment() cuts no closed line open: a face stays whole where touching rings are cut", () => {
  // A judge that reads any narrow ink as a sure digit and wide ink as none:
  // without the rule on holes, a face's arcs would be its digits.
  const narrowJudge = (ink: GreyImage) =>
    ink.width < 0.8 * ink.height ? 0.999 : 0.05;
  const ring = (cx: number, r: number): Strokes[number] =>
    Array.from({ length: 33 }, (_, k) => {
      const a = 2 * Math.PI * k / 32;
      return [cx + r * Math.cos(a), 0.5 + 0.5 * Math.sin(a)] as [
        number,
        number,
      ];
    });
  const smile: Strokes[number] = Array.from({ length: 9 }, (_, k) => {
    const a = Math.PI * (0.2 + 0.6 * k / 8);
    return [0.5 + 0.28 * Math.cos(a), 0.5 + 0.25 * Math.sin(a)] as [
      number,
      number,
    ];
  });
  for (const radius of [THIN, WIDE]) {
    const face = compose([drawn([ring(0.5, 0.5), smile], 250, radius)]);
    assertEquals(
      segment(face.image, { judge: narrowJudge }).length,
      1,
      `a face, pen ${radius}`,
    );
  }
  // Touching rings are cut where they meet, which runs through no hole.
  const rings = compose(
    [0, 1].map(() => drawn([ring(0.3, 0.3)], 250, THIN)),
    { touch: 0 },
  );
  assert(touches(rings));
  assertEquals(segment(rings.image, { judge: narrowJudge }).length, 2);
});
