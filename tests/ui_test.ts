/**
 * What both windows share, without a window: the panel's layout and answer,
 * the probability bars (drawn into a `FakeWindow`) and the fonts.
 */
import { CANVAS_SIDE } from "../lib/image/canvas.ts";
import { CLASSES } from "../lib/data/mnist.ts";
import { Font } from "../lib/native/sdl2_ttf.ts";
import { GRID } from "../lib/ui/digit_grid.ts";
import { FONT_SPECS, Fonts } from "../lib/ui/fonts.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import {
  answerOf,
  PANEL_LEFT,
  WINDOW_HEIGHT,
  WINDOW_WIDTH,
} from "../lib/ui/panel.ts";
import { barColours, drawProbBars } from "../lib/ui/prob_bars.ts";
import { FONT_DIR_ENV } from "../lib/ui/text.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { fakeFonts, FakeWindow } from "./_fake_window.ts";

Deno.test("the panel sits right of the 672-pixel grid and canvas alike", () => {
  assertEquals(GRID, CANVAS_SIDE);
  assertEquals(PANEL_LEFT, 672);
  assertEquals([WINDOW_WIDTH, WINDOW_HEIGHT], [1000, 672]);
});

Deno.test("answerOf() takes the largest probability of one row", () => {
  // Three rows; the answer of each found by a naive scan.
  const probs = Float32Array.from(
    { length: 3 * CLASSES },
    (_, k) => ((k * 7919) % 97) / 97,
  );
  for (let row = 0; row < 3; row++) {
    const values = Array.from(
      probs.subarray(row * CLASSES, (row + 1) * CLASSES),
    );
    const digit = values.indexOf(Math.max(...values));
    assertEquals(answerOf(probs, row), {
      probs,
      row,
      digit,
      p: values[digit],
    });
  }
});

Deno.test("drawProbBars() draws ten rows, the largest bar highlighted, the marked row marked", () => {
  const probs = new Float32Array(2 * CLASSES);
  probs.set([0.1, 0.05, 0.05, 0.6, 0.05, 0.05, 0.02, 0.03, 0.03, 0.02], 10);
  const fake = new FakeWindow();
  drawProbBars(
    fake.window,
    fakeFonts(),
    probs,
    1,
    { x: 700, y: 100, width: 272, row: 30 },
    barColours(COLOURS.right),
    7,
  );
  const labels = fake.texts.filter((t) => /^\d$/.test(t.text));
  assertEquals(labels.map((t) => t.text).join(""), "0123456789");
  assertEquals(fake.textsWith("60.0 %").length, 1);
  const best = fake.rects.filter((r) => r.rgb === COLOURS.right);
  assertEquals(best.length, 1);
  // Bar 3 of 180 pixels (272 - 28 - 64), 60 % filled.
  assertEquals([best[0].x, best[0].w], [728, 108]);
  const marks = fake.rects.filter((r) => r.rgb === COLOURS.accent);
  assertEquals(marks.length, 1);
  assertEquals(marks[0].x, 690);
  assert(marks[0].y > 100 + 7 * 30 && marks[0].y < 100 + 8 * 30);
});

Deno.test("Fonts opens every face and size, and closes them once", () => {
  const fonts = new Fonts();
  for (const [name, spec] of Object.entries(FONT_SPECS)) {
    const font = fonts[name as keyof typeof FONT_SPECS];
    assert(font instanceof Font);
    assertEquals(font.size, spec.size, name);
    assert(font.path.endsWith(spec.face === "bold" ? "-Bold.ttf" : "Sans.ttf"));
  }
  fonts[Symbol.dispose]();
  fonts.close();
});

Deno.test("Fonts names the package to install when the fonts are missing", () => {
  const saved = Deno.env.get(FONT_DIR_ENV);
  Deno.env.set(FONT_DIR_ENV, "/nonexistent");
  try {
    assertThrows(() => new Fonts(), Deno.errors.NotFound, "fonts-dejavu-core");
  } finally {
    if (saved === undefined) Deno.env.delete(FONT_DIR_ENV);
    else Deno.env.set(FONT_DIR_ENV, saved);
  }
});
