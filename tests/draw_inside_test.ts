/**
 * The drawing window's inside panel: what it reads from the network's pass
 * (checked against a float64 reference computed here), how it is drawn (into
 * a `FakeWindow`), and the window itself on a private X server, switched with
 * a real TAB key and drawn on with the mouse.
 *
 * Set MNIST_TEST_SCREENSHOTS to a folder to keep the screenshots as PNG files.
 */
import { join } from "node:path";
import { PIXELS } from "../lib/data/mnist.ts";
import {
  divergingColour,
  symmetricScale,
  WEIGHT_QUANTILE,
} from "../lib/image/colour_map.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { type Network, OUTPUTS } from "../lib/nn/network.ts";
import { argb, MouseButton } from "../lib/native/sdl2.ts";
import {
  PANEL_LEFT,
  PANEL_WIDTH,
  WINDOW_HEIGHT,
  WINDOW_WIDTH,
} from "../lib/ui/panel.ts";
import { CANVAS_SIDE } from "../lib/image/canvas.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import { signed } from "../lib/ui/format.ts";
import { tileAt } from "../lib/ui/unit_grid.ts";
import { NOTHING_DRAWN, Sketch } from "../lib/app/draw/sketch.ts";
import { HELP } from "../lib/app/draw/main.ts";
import {
  PREVIEW,
  SKETCH_KEY_LINES,
  SKETCH_KEYS_TOP,
} from "../lib/app/draw/view.ts";
import {
  type Inside,
  InsideNetwork,
  insideOf,
  insidePiece,
  KEPT_PASSES,
  TOP_UNITS,
  topContributions,
} from "../lib/app/draw/inside.ts";
import { readerOf } from "../lib/read/read_number.ts";
import { litColour } from "../lib/image/colour_map.ts";
import { DIGITS, LETTERS, type Strokes } from "./_sample_drawings.ts";
import {
  drawInsidePanel,
  INSIDE_LAYOUT,
  litGrid,
  weightImage,
} from "../lib/app/draw/inside_view.ts";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import { App, FIXTURE_MODEL } from "./_app.ts";
import { drawTaskArgs, SHOTS } from "./_draw_window.ts";
import { fakeFonts, FakeWindow } from "./_fake_window.ts";
import {
  changedPixels,
  countColour,
  countDark,
  countPixels,
  cpuWhileIdle,
  focus,
  pixel,
  pressKeys,
  type Rect,
  savePng,
  type Screenshot,
  screenshot,
  startXvfb,
  stroke,
  until,
} from "./_x11.ts";

const reader = readerOf(await loadModel(FIXTURE_MODEL));
const { network } = reader;

/** A sketch read by an `InsideNetwork` of the fixture model, as the window's is. */
function insideSketch(): { inner: InsideNetwork; sketch: Sketch } {
  const inner = new InsideNetwork(network);
  return { inner, sketch: new Sketch({ ...reader, network: inner }) };
}

/** A sketch on an `InsideNetwork` of the fixture model, with a 7 drawn. */
function sevenSketch(): { inner: InsideNetwork; sketch: Sketch } {
  const { inner, sketch } = insideSketch();
  const line = (x0: number, y0: number, x1: number, y1: number) => {
    sketch.mouseDown(MouseButton.LEFT, x0, y0);
    sketch.mouseUp(MouseButton.LEFT, x1, y1);
  };
  line(200, 140, 480, 140);
  line(480, 140, 300, 540);
  return { inner, sketch };
}

/** The 28x28 the network read for the sketch's only piece. */
function inputOf(sketch: Sketch): Uint8Array {
  assertEquals(sketch.reading.digits.length, 1);
  return sketch.reading.digits[0].input.pixels;
}

/** A sketch with `drawings` written side by side with the mouse, 150 px tall. */
function rowSketch(...drawings: Strokes[]) {
  const { inner, sketch } = insideSketch();
  let x = 30;
  for (const strokes of drawings) {
    let right = x;
    for (const line of strokes) {
      const at = line.map(([u, v]) => [x + u * 150, 200 + v * 150]);
      sketch.mouseDown(MouseButton.LEFT, at[0][0], at[0][1]);
      for (const [px, py] of at) {
        sketch.mouseMove(px, py, 1);
        right = Math.max(right, px);
      }
      sketch.mouseUp(MouseButton.LEFT, at.at(-1)![0], at.at(-1)![1]);
    }
    x = right + 40;
  }
  sketch.classify();
  return { inner, sketch };
}

/** The network's pass over `pixels` (784 bytes) in float64, with plain loops. */
function reference(net: Network, pixels: Uint8Array) {
  const { w1, b1, w2, b2 } = net.params;
  const H = net.hidden;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const h = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    let s = b1[j];
    for (let i = 0; i < PIXELS; i++) {
      s += w1[j * PIXELS + i] * (pixels[i] / 255 * 0.99 + 0.01);
    }
    h[j] = sigmoid(s);
  }
  const z = new Float64Array(OUTPUTS);
  for (let d = 0; d < OUTPUTS; d++) {
    let s = b2[d];
    for (let j = 0; j < H; j++) s += w2[d * H + j] * h[j];
    z[d] = s;
  }
  return { h, z, y: z.map(sigmoid) };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("InsideNetwork keeps the hidden activations of the pass that gave the answer", () => {
  const { inner, sketch } = sevenSketch();
  assertEquals(inner.passes, 0);
  sketch.classify();
  // One pass per classification: the panel reads it, it runs nothing itself.
  assertEquals(inner.passes, 1);
  const input = inputOf(sketch);
  const ref = reference(network, input);
  assert(maxDiff(inner.h, ref.h) < 1e-5, `h off by ${maxDiff(inner.h, ref.h)}`);
  assert(maxDiff(inner.z, ref.z) < 1e-4, `z off by ${maxDiff(inner.z, ref.z)}`);
  assert(maxDiff(inner.y, ref.y) < 1e-5, `y off by ${maxDiff(inner.y, ref.y)}`);
  // The sketch's probabilities are these outputs, normalised.
  const sum = ref.y.reduce((a, b) => a + b);
  const { probabilities } = sketch.reading.digits[0].reading;
  assert(maxDiff(probabilities, ref.y.map((v) => v / sum)) < 1e-5);
  assertEquals(sketch.reading.number, "7");
  // The pass is kept with the image it read.
  const pass = inner.passOver(input)!;
  assertEquals(pass.input, input);
  assertEquals([pass.h, pass.z, pass.y], [inner.h, inner.z, inner.y]);

  sketch.classify();
  assertEquals(inner.passes, 2);
  // An empty canvas is not read: the last pass stays as it was.
  sketch.clear();
  sketch.classify();
  assertEquals(inner.passes, 2);
  assertEquals(sketch.reading, NOTHING_DRAWN);
});

Deno.test("InsideNetwork keeps the pass over each piece of a number", () => {
  const { inner, sketch } = rowSketch(DIGITS[4], DIGITS[2], DIGITS[7]);
  assertEquals(sketch.reading.number, "427");
  for (const [k, piece] of sketch.reading.digits.entries()) {
    const pass = inner.passOver(piece.input.pixels);
    assert(pass, `the pass over piece ${k + 1}`);
    const ref = reference(network, piece.input.pixels);
    assert(maxDiff(pass.h, ref.h) < 1e-5, `piece ${k + 1}: h`);
    assert(maxDiff(pass.y, piece.reading.outputs) === 0, `piece ${k + 1}: y`);
  }
  // An image it never read, and passes pushed out by newer ones.
  assertEquals(inner.passOver(new Uint8Array(PIXELS).fill(7)), null);
  const first = sketch.reading.digits[0].input.pixels;
  for (let k = 0; k < KEPT_PASSES; k++) {
    inner.outputs(new Uint8Array(PIXELS).fill(k), 1);
  }
  assertEquals(inner.passOver(first), null);
});

Deno.test("insidePiece() picks the first piece that is no digit, else the first", () => {
  assertEquals(insidePiece(NOTHING_DRAWN), null);
  const number = rowSketch(DIGITS[4], DIGITS[2]).sketch.reading;
  assertEquals(insidePiece(number), {
    pixels: number.digits[0].input.pixels,
    index: 0,
    count: 2,
  });
  const refused = rowSketch(DIGITS[4], DIGITS[2], LETTERS.X).sketch.reading;
  assertEquals(refused.number, null);
  assertEquals(insidePiece(refused), {
    pixels: refused.digits[2].input.pixels,
    index: 2,
    count: 3,
  });
});

Deno.test("InsideNetwork.outputs() gives several images the network's outputs", () => {
  const inner = new InsideNetwork(network);
  const images = new Uint8Array(3 * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = (i * 37) % 256;
  assertEquals(inner.outputs(images, 3), network.outputs(images, 3));
  assertEquals(inner.passes, 0);
  // One image: the same outputs, kept with the hidden activations.
  const one = images.subarray(PIXELS, 2 * PIXELS);
  const y = inner.outputs(one, 1);
  assertEquals(inner.passes, 1);
  assert(maxDiff(y, network.outputs(one, 1)) === 0);
  assert(maxDiff(inner.h, reference(network, one).h) < 1e-5);
  // What it returns is the caller's: changing it leaves the kept outputs.
  y.fill(0);
  assert(inner.y[0] > 0);
});

Deno.test("topContributions() picks the largest w2·h of the answer, as a float64 reference does", () => {
  const { inner, sketch } = sevenSketch();
  sketch.classify();
  const ref = reference(network, inputOf(sketch));
  const H = network.hidden;
  const { w2 } = network.params;
  for (let d = 0; d < OUTPUTS; d++) {
    const top = topContributions(w2, inner.h, d);
    assertEquals(top.length, TOP_UNITS);
    const all = Array.from(ref.h, (h, j) => ({ j, c: w2[d * H + j] * h }))
      .sort((a, b) => b.c - a.c);
    top.forEach((t, k) => {
      assertAlmostEquals(
        t.contribution,
        all[k].c,
        1e-5,
        `digit ${d} rank ${k}`,
      );
      // The same unit, unless the reference has a near-tie there.
      if (t.unit !== all[k].j) {
        assertAlmostEquals(all[k].c, w2[d * H + t.unit] * ref.h[t.unit], 1e-5);
      }
    });
  }
});

Deno.test("topContributions() orders by contribution, ties by unit, at most H units", () => {
  // 2 outputs' worth of rows would be wrong: w2 is (10, H).
  const H = 3;
  const w2 = new Float32Array(OUTPUTS * H);
  w2.set([2, -1, 0.5], 4 * H);
  const h = new Float32Array([0.5, 1, 2]);
  assertEquals(topContributions(w2, h, 4), [
    { unit: 0, contribution: 1 },
    { unit: 2, contribution: 1 },
    { unit: 1, contribution: -1 },
  ]);
  assertEquals(topContributions(w2, h, 4, 1), [{ unit: 0, contribution: 1 }]);
});

Deno.test("topContributions() rejects a w2 of the wrong shape and a digit out of range", () => {
  const h = new Float32Array(4);
  assertThrows(
    () => topContributions(new Float32Array(39), h, 0),
    RangeError,
    "(10, 4)",
  );
  assertThrows(
    () => topContributions(new Float32Array(40), h, 10),
    RangeError,
    "digit is 10",
  );
});

Deno.test("insideOf() reads the answer, its logit and top units from the piece's pass", () => {
  const { inner, sketch } = sevenSketch();
  const unread = { pixels: new Uint8Array(PIXELS), index: 0, count: 1 };
  const empty = insideOf(inner, unread, 0.5);
  assertEquals([empty.h, empty.y, empty.answer, empty.top, empty.pieces], [
    null,
    null,
    -1,
    [],
    0,
  ]);
  sketch.classify();
  const inside = insideOf(inner, insidePiece(sketch.reading), 0.5);
  assertEquals(inside.hidden, 200);
  assertEquals(inside.answer, 7);
  assertEquals(inside.logit, inner.z[7]);
  assertEquals(inside.bias, network.params.b2[7]);
  assertEquals(inside.top, topContributions(network.params.w2, inner.h, 7));
  assertEquals(inside.weightScale, 0.5);
  assertEquals([inside.piece, inside.pieces], [0, 1]);
  // The logit is the units' contributions and the bias.
  const ref = reference(network, inputOf(sketch));
  let units = 0;
  for (let j = 0; j < 200; j++) {
    units += network.params.w2[7 * 200 + j] * ref.h[j];
  }
  assertAlmostEquals(inside.logit - inside.bias, units, 1e-4);
  // Nothing drawn: nothing to show, whatever the last pass was.
  assertEquals(insideOf(inner, null, 0.5).h, null);
});

Deno.test("insideOf() shows the pass over the piece asked for, not the last one", () => {
  const { inner, sketch } = rowSketch(DIGITS[4], LETTERS.X, DIGITS[2]);
  const piece = insidePiece(sketch.reading)!;
  assertEquals([piece.index, piece.count], [1, 3]);
  const inside = insideOf(inner, piece, 0.5);
  assertEquals([inside.piece, inside.pieces], [1, 3]);
  const ref = reference(network, sketch.reading.digits[1].input.pixels);
  assert(maxDiff(inside.h!, ref.h) < 1e-5);
  // The last pass read the 2, not the X.
  assert(maxDiff(inner.h, ref.h) > 0.1);
});

/** Relative luminance-ish brightness of 0xRRGGBB, 0 to 255. */
function brightness(rgb: number): number {
  return 0.3 * (rgb >> 16 & 255) + 0.59 * (rgb >> 8 & 255) + 0.11 * (rgb & 255);
}

Deno.test("litColour() runs from near-black to pale yellow, brighter as h grows", () => {
  assertEquals(litColour(0), 0x000004);
  assertEquals(litColour(1), 0xfcffa4);
  assertEquals(litColour(-3), litColour(0));
  assertEquals(litColour(7), litColour(1));
  assertEquals(litColour(NaN), litColour(0));
  for (let k = 1; k <= 100; k++) {
    assert(
      brightness(litColour(k / 100)) > brightness(litColour((k - 1) / 100)),
      `brighter at ${k / 100}`,
    );
  }
});

Deno.test("weightImage() colours a unit's incoming weights on the diverging map", () => {
  const { w1 } = network.params;
  const scale = symmetricScale(w1, WEIGHT_QUANTILE);
  const out = new Uint32Array(PIXELS);
  weightImage(w1, 17, scale, out);
  for (let i = 0; i < PIXELS; i++) {
    assertEquals(out[i], argb(divergingColour(w1[17 * PIXELS + i], scale)));
  }
  assertThrows(() => weightImage(w1, 200, scale, out), RangeError, "unit 200");
  assertThrows(
    () => weightImage(w1, 0, scale, new Uint32Array(10)),
    RangeError,
    "10 pixels",
  );
});

Deno.test("litGrid() fits 200 units as 20 x 10 cells, any count in the box", () => {
  const g = litGrid(200);
  assertEquals([g.columns, g.rows, g.pitch, g.tile], [20, 10, 14, 13]);
  assertEquals([g.x, g.y], [INSIDE_LAYOUT.x, INSIDE_LAYOUT.grid.y]);
  for (const hidden of [1, 7, 64, 100, 300, 1000]) {
    const l = litGrid(hidden);
    assert(l.columns * l.rows >= hidden, `${hidden}: room for all`);
    assert(l.columns * l.pitch <= INSIDE_LAYOUT.grid.w, `${hidden}: width`);
    assert(l.rows * l.pitch <= INSIDE_LAYOUT.grid.h, `${hidden}: height`);
  }
});

/** Stand-ins for the weight pictures, recording where they were drawn. */
function fakePictures() {
  const drawn: { k: number; x: number; y: number; w: number; h: number }[] = [];
  const pictures = Array.from({ length: TOP_UNITS }, (_, k) => ({
    draw: (x: number, y: number, w: number, h: number) =>
      drawn.push({ k, x, y, w, h }),
  }));
  return { pictures, drawn };
}

/** The colour of the cell-sized rectangle drawn at unit j's cell, last first. */
function cellColours(fake: FakeWindow, inside: Inside): number[] {
  const g = litGrid(inside.hidden);
  const cell = g.tile;
  return Array.from({ length: inside.hidden }, (_, j) => {
    const { x, y } = tileAt(g, j);
    const r = fake.rects.find((r) =>
      r.x === x && r.y === y && r.w === cell && r.h === cell
    );
    assert(r, `a cell for unit ${j}`);
    return r.rgb;
  });
}

Deno.test("drawInsidePanel() lights each unit by its activation and marks the top units", () => {
  const { inner, sketch } = sevenSketch();
  sketch.classify();
  const inside = insideOf(inner, insidePiece(sketch.reading), 0.65);
  const fake = new FakeWindow();
  const { pictures, drawn } = fakePictures();
  drawInsidePanel(fake.window, fakeFonts(), inside, pictures);

  const colours = cellColours(fake, inside);
  colours.forEach((rgb, j) =>
    assertEquals(rgb, litColour(inner.h[j]), `unit ${j}`)
  );
  // Each top unit's cell gets a frame of four mark-coloured bars.
  const g = litGrid(200);
  for (const { unit } of inside.top) {
    const { x, y } = tileAt(g, unit);
    const marks = fake.rects.filter((r) =>
      r.rgb === COLOURS.mark && r.x >= x && r.y >= y &&
      r.x + r.w <= x + g.pitch && r.y + r.h <= y + g.pitch
    );
    assertEquals(marks.length, 4, `unit ${unit} marked`);
  }

  // The outputs with their digits, the answer in the accent colour.
  for (let d = 0; d < 10; d++) {
    const label = fake.texts.find((t) =>
      t.text === String(d) && t.y >= INSIDE_LAYOUT.outputs
    );
    assert(label, `digit ${d}`);
    assertEquals(label.rgb, d === 7 ? COLOURS.accent : COLOURS.text);
  }
  const value = fake.textsWith(inner.y[7].toFixed(2));
  assert(value.some((t) => t.rgb === COLOURS.accent), "the answer's output");

  // The top units' pictures, each under its unit number and contribution.
  const p = INSIDE_LAYOUT.pictures;
  assertEquals(
    drawn,
    inside.top.map((_, k) => ({
      k,
      x: p.x + k * p.pitch,
      y: p.y,
      w: p.side,
      h: p.side,
    })),
  );
  for (const t of inside.top) {
    assertEquals(fake.textsWith(`#${t.unit}`).length, 1);
    assert(fake.textsWith(signed(t.contribution)).length >= 1);
  }
  assert(fake.textsWith("push 7 most").length === 1);

  // The scales are said on screen.
  assertEquals(fake.textsWith("h 0").length, 1);
  assertEquals(fake.textsWith("−0.65").length, 1);
  assertEquals(fake.textsWith("+0.65").length, 1);
  assert(fake.textsWith("not normalised").length === 1);
  assert(fake.textsWith(`z7 = ${signed(inside.logit - inside.bias)}`).length);
  assert(fake.textsWith("TAB usual panel").length === 1);
  // One piece: no word of pieces.
  assertEquals(fake.textsWith("piece"), []);
});

Deno.test("drawInsidePanel() says which piece of a number it shows", () => {
  const { inner, sketch } = rowSketch(DIGITS[4], DIGITS[2], DIGITS[7]);
  const inside = insideOf(inner, insidePiece(sketch.reading), 0.65);
  const fake = new FakeWindow();
  drawInsidePanel(fake.window, fakeFonts(), inside, fakePictures().pictures);
  const which = fake.textsWith("piece 1 of 3");
  assertEquals(which.length, 1);
  assert(which[0].y < INSIDE_LAYOUT.grid.y, "in the heading");
  assertEquals(fake.textsWith("push 4 most").length, 1);
});

Deno.test("drawInsidePanel() shows a dark grid and a note while nothing is drawn", () => {
  const inner = new InsideNetwork(network);
  const inside = insideOf(inner, null, 0.65);
  const fake = new FakeWindow();
  const { pictures, drawn } = fakePictures();
  drawInsidePanel(fake.window, fakeFonts(), inside, pictures);
  for (const rgb of cellColours(fake, inside)) {
    assertEquals(rgb, litColour(0));
    assert(brightness(rgb) < 10);
  }
  assertEquals(drawn, []);
  assertEquals(fake.rects.filter((r) => r.rgb === COLOURS.mark), []);
  assertEquals(fake.textsWith("Nothing drawn").length, 1);
  assertEquals(fake.textsWith("0.00"), []);
});

Deno.test("HELP and the usual panel's key help name TAB", () => {
  assert(HELP.includes("\n  TAB "), HELP);
  assert(SKETCH_KEY_LINES.some((l) => l.includes("TAB")));
});

// ---------------------------------------------------------------------------
// The window, driven by real input on a private X server.

const GRID = INSIDE_LAYOUT.grid;
const CANVAS = { x: 0, y: 0, w: CANVAS_SIDE, h: CANVAS_SIDE };
/** The panel, less the line along its left edge. */
const PANEL = {
  x: PANEL_LEFT + 1,
  y: 0,
  w: PANEL_WIDTH - 1,
  h: WINDOW_HEIGHT,
};

/** How many pixels of `rect` are bright (red and green at least 160). */
function countLit(s: Screenshot, rect: Rect): number {
  return countPixels(s, rect, ([r, g]) => r >= 160 && g >= 160);
}

Deno.test({
  name:
    "draw window switches to the inside panel with TAB and back, following the drawing",
  sanitizeResources: false,
  async fn() {
    await using x = await startXvfb();
    const own = await Deno.makeTempDir({ prefix: "draw-inside-test-" });
    try {
      await using app = new App(
        [...drawTaskArgs(own), "--model", FIXTURE_MODEL, "--own", own],
        x.env,
      );
      const id = await app.waitForWindow(x);
      await focus(x, id);
      const shot = async (name: string) => {
        const s = await screenshot(x, id);
        if (SHOTS) {
          await Deno.mkdir(SHOTS, { recursive: true });
          await savePng(s, join(SHOTS, `${name}.png`));
        }
        return s;
      };
      /** Screenshots until `f` holds for one, and returns it. */
      const shotWhen = async (
        name: string,
        what: string,
        f: (s: Screenshot) => boolean,
      ) => {
        let s = await shot(name);
        await until(() => what, async () => f(s = await shot(name)));
        return s;
      };

      // The window may show before its first frame: wait for paper and panel.
      const channels = (c: number) => [c >> 16 & 255, c >> 8 & 255, c & 255];
      const paper = channels(COLOURS.paper);
      const panel = channels(COLOURS.panel);
      const usual = await shotWhen(
        "usual-empty",
        "the first frame",
        (s) =>
          String(pixel(s, 20, 650)) === String(paper) &&
          String(pixel(s, PANEL_LEFT + PANEL_WIDTH - 10, 300)) ===
            String(panel),
      );
      assertEquals([usual.width, usual.height], [WINDOW_WIDTH, WINDOW_HEIGHT]);
      await pressKeys(x, "Tab");
      const empty = await shotWhen(
        "inside-empty",
        "the panel changes after TAB",
        (s) => changedPixels(usual, s, PANEL) > 5000,
      );
      assertEquals(changedPixels(usual, empty, CANVAS), 0, "the canvas stays");
      // Nothing drawn: the grid is dark, no unit lit.
      assert(countDark(empty, GRID) > GRID.w * GRID.h * 0.9, "a dark grid");
      assertEquals(countLit(empty, GRID), 0);

      // A 7 drawn while the inside panel shows: units light up. SPACE
      // prints once the window shows the whole stroke, and reads it as 7.
      await stroke(x, id, [[200, 140], [480, 140], [300, 540]]);
      await pressKeys(x, "space");
      await app.waitForLines(11);
      assertEquals(app.lines[10], "prediction: 7");
      const seven = await shot("inside-seven");
      assertEquals(pixel(seven, 340, 140), [0, 0, 0], "ink on the canvas");
      const lit = countLit(seven, GRID);
      assert(lit > 200, `the grid lights up (${lit} px)`);
      assert(changedPixels(empty, seven, GRID) > 2000, "the grid changed");
      // The top units' weight pictures, in the diverging map's colours.
      const p = INSIDE_LAYOUT.pictures;
      const pics = { x: p.x, y: p.y, w: 5 * p.pitch - 4, h: p.side };
      assert(changedPixels(empty, seven, pics) > 5000, "weight pictures drawn");

      // The drawing goes on: the grid follows it.
      await stroke(x, id, [[150, 400], [600, 400]]);
      await pressKeys(x, "space");
      await app.waitForLines(22);
      const more = await shot("inside-more");
      assert(changedPixels(seven, more, CANVAS) > 1000, "the new stroke shows");
      assert(changedPixels(seven, more, GRID) > 200, "the grid follows it");

      // An idle window sleeps, with this panel too.
      const used = await cpuWhileIdle(app.child.pid, 1000);
      assert(used <= 0.05, `idle window used ${used} s of CPU in 1 s`);

      // TAB again: the usual panel, with the network's view of the drawing.
      await pressKeys(x, "Tab");
      const back = await shotWhen(
        "usual-back",
        "the usual panel comes back",
        (s) => changedPixels(more, s, PANEL) > 5000,
      );
      assertEquals(changedPixels(more, back, CANVAS), 0, "the canvas stays");
      assert(countDark(back, PREVIEW) > 500);
      // Its key help and bars are where they were before TAB.
      const foot = {
        ...PANEL,
        y: SKETCH_KEYS_TOP - 4,
        h: WINDOW_HEIGHT - SKETCH_KEYS_TOP + 4,
      };
      assertEquals(changedPixels(usual, back, foot), 0, "the key help is back");

      // A number drawn while the inside panel shows: it shows the piece
      // that is no digit, and says which in its heading.
      await pressKeys(x, "Tab", "c");
      await stroke(x, id, [[60, 200], [160, 360]]); // an X,
      await stroke(x, id, [[160, 200], [60, 360]]);
      await stroke(x, id, [[300, 200], [240, 300], [340, 300]]); // a 4
      await stroke(x, id, [[310, 240], [310, 360]]);
      await pressKeys(x, "space");
      await app.waitForLines(25);
      const [first, second, last] = app.lines.slice(22, 25);
      assert(first.startsWith("piece 1: ? (not a digit"), first);
      assert(second.startsWith("piece 2: 4 ("), second);
      assertEquals(last, "prediction: ?");
      const heading = {
        x: INSIDE_LAYOUT.x + INSIDE_LAYOUT.width / 2,
        y: 8,
        w: INSIDE_LAYOUT.width / 2,
        h: 24,
      };
      const number = await shot("inside-number");
      const orange = countColour(number, heading, COLOURS.select);
      assert(orange > 50, `'piece 1 of 2' in the heading (${orange} px)`);
      assertEquals(countColour(more, heading, COLOURS.select), 0);

      await pressKeys(x, "Escape");
      assertEquals(await app.exitCode(), 0, app.stderr);
      assertEquals(app.stderr, "");
    } finally {
      await Deno.remove(own, { recursive: true });
    }
  },
});
