/**
 * The drawing window as a person uses it: the script started with the task's
 * permissions on a private X server, real mouse strokes and key presses
 * (xdotool) writing digits, numbers and letters, large and small, stdout read
 * the way another program would, the window checked on screen at the places
 * the view's layout says; and its one-line errors, before any window opens.
 *
 * Set MNIST_TEST_SCREENSHOTS to a folder to keep the screenshots as PNG files.
 */
import { HELP } from "../lib/app/draw/main.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { argmaxRow } from "../lib/nn/network.ts";
import { readOwnData } from "../lib/data/own_data.ts";
import { WINDOW_HEIGHT, WINDOW_WIDTH } from "../lib/ui/panel.ts";
import { ANSWER_BOX, PREVIEW } from "../lib/app/draw/view.ts";
import { numberBox, pieceTiles } from "../lib/app/draw/number_view.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import { assert, assertEquals } from "./_assert.ts";
import {
  DrawWindow,
  ownFolder,
  SCRIPT,
  SHOTS,
  withDrawWindow,
} from "./_draw_window.ts";
import { FIXTURE_MODEL, runToEnd } from "./_app.ts";
import {
  countColour,
  countDark,
  cpuWhileIdle,
  pixel,
  requestClose,
  type Screenshot,
  startXvfb,
  xdotool,
} from "./_x11.ts";

const { network } = await loadModel(FIXTURE_MODEL);

/** An ellipse through `n` points in the unit square, closed, from the top. */
function ellipse(n: number): number[][] {
  const points = [];
  for (let k = 0; k <= n; k++) {
    const a = (k / n) * 2 * Math.PI;
    points.push([0.5 + 0.5 * Math.sin(a), 0.5 - 0.5 * Math.cos(a)]);
  }
  return points;
}

/**
 * An arc of the ellipse centred on (cx, cy) with radii rx, ry, from angle a0 to
 * a1 (0 is the top, growing clockwise), through n + 1 points.
 */
function arc(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  a0: number,
  a1: number,
  n: number,
): number[][] {
  const points = [];
  for (let k = 0; k <= n; k++) {
    const a = a0 + ((a1 - a0) * k) / n;
    points.push([cx + rx * Math.sin(a), cy - ry * Math.cos(a)]);
  }
  return points;
}

/** Digits as strokes in a unit square, the way people write them. */
const DIGITS: Record<string, number[][][]> = {
  one: [[[0.55, 0], [0.45, 1]]],
  zero: [ellipse(32)],
  seven: [[[0, 0], [1, 0]], [[1, 0], [0.35, 1]]],
  // Two segments only: the mouse crossed the canvas between three events.
  sevenFast: [[[0, 0], [1, 0], [0.3, 1]]],
  four: [[[0.2, 0], [0, 0.65], [1, 0.65]], [[0.7, 0.25], [0.7, 1]]],
  two: [[
    [0.05, 0.25],
    [0.2, 0.05],
    [0.5, 0],
    [0.8, 0.08],
    [0.9, 0.28],
    [0.75, 0.5],
    [0.05, 1],
    [1, 1],
  ]],
  five: [[
    [0.9, 0],
    [0.15, 0],
    [0.1, 0.42],
    ...arc(0.5, 0.68, 0.42, 0.3, -Math.PI * 0.4, Math.PI * 0.95, 12),
  ]],
  six: [[
    [0.75, 0],
    [0.35, 0.2],
    [0.15, 0.5],
    ...arc(0.5, 0.7, 0.38, 0.3, -Math.PI / 2, Math.PI * 1.5, 16),
  ]],
  // Both loops in one stroke, the top one first.
  eight: [[
    ...arc(0.5, 0.25, 0.3, 0.23, Math.PI, -Math.PI, 16),
    ...arc(0.5, 0.73, 0.4, 0.27, 0, 2 * Math.PI, 16),
  ]],
  nine: [[
    ...arc(0.5, 0.28, 0.38, 0.28, Math.PI / 2 + 0.2, Math.PI * 2.5, 16),
    [0.85, 0.3],
    [0.8, 1],
  ]],
  three: [[
    [0.05, 0.1],
    [0.45, 0],
    [0.85, 0.12],
    [0.85, 0.35],
    [0.4, 0.48],
    [0.9, 0.6],
    [0.95, 0.85],
    [0.55, 1],
    [0.05, 0.9],
  ]],
};

/** Each digit drawn: its strokes, where on the canvas, and what it is. */
const DRAWINGS: {
  name: string;
  digit: number;
  strokes: number[][][];
  box: { x: number; y: number; w: number; h: number };
}[] = [
  {
    name: "one-small-top-left",
    digit: 1,
    strokes: DIGITS.one,
    box: { x: 40, y: 30, w: 40, h: 200 },
  },
  {
    name: "zero-large-centre",
    digit: 0,
    strokes: DIGITS.zero,
    box: { x: 156, y: 76, w: 360, h: 520 },
  },
  {
    name: "seven-two-strokes",
    digit: 7,
    strokes: DIGITS.seven,
    box: { x: 200, y: 140, w: 280, h: 400 },
  },
  {
    name: "seven-fast-bottom-right",
    digit: 7,
    strokes: DIGITS.sevenFast,
    box: { x: 400, y: 360, w: 220, h: 280 },
  },
  {
    name: "zero-small-bottom-left",
    digit: 0,
    strokes: [ellipse(12)],
    box: { x: 40, y: 400, w: 180, h: 240 },
  },
  {
    name: "one-large",
    digit: 1,
    strokes: DIGITS.one,
    box: { x: 300, y: 40, w: 60, h: 590 },
  },
  {
    name: "four",
    digit: 4,
    strokes: DIGITS.four,
    box: { x: 180, y: 100, w: 300, h: 460 },
  },
  {
    name: "two",
    digit: 2,
    strokes: DIGITS.two,
    box: { x: 170, y: 120, w: 320, h: 420 },
  },
  {
    name: "five",
    digit: 5,
    strokes: DIGITS.five,
    box: { x: 180, y: 100, w: 300, h: 460 },
  },
  {
    name: "six-small-top-left",
    digit: 6,
    strokes: DIGITS.six,
    box: { x: 30, y: 30, w: 160, h: 230 },
  },
  {
    name: "eight",
    digit: 8,
    strokes: DIGITS.eight,
    box: { x: 200, y: 60, w: 300, h: 540 },
  },
  {
    name: "nine-bottom-right",
    digit: 9,
    strokes: DIGITS.nine,
    box: { x: 430, y: 360, w: 200, h: 270 },
  },
  {
    name: "three-top-right",
    digit: 3,
    strokes: DIGITS.three,
    box: { x: 400, y: 40, w: 230, h: 320 },
  },
];

Deno.test({
  name: "draw window reads digits drawn with the mouse, anywhere and any size",
  sanitizeResources: false,
  fn: () =>
    withDrawWindow(async (app) => {
      assertEquals(await app.report(), ["nothing drawn"]);
      const misread: string[] = [];
      for (const [k, d] of DRAWINGS.entries()) {
        await app.draw(d.strokes, d.box);
        const got = await app.prediction();
        if (k === 2) {
          // Look at one: ink where the stroke went, paper elsewhere, the
          // network's 28x28 view in the panel.
          const s = await app.shot(d.name);
          assertEquals([s.width, s.height], [WINDOW_WIDTH, WINDOW_HEIGHT]);
          assertEquals(pixel(s, 340, 140), [0, 0, 0], "ink on the top bar");
          assertEquals(pixel(s, 20, 650), [255, 255, 255], "paper");
          const dark = countDark(s, PREVIEW);
          assert(dark > 1000, `the preview shows the digit (${dark} px)`);
        } else if (SHOTS) {
          await app.shot(d.name);
        }
        if (got !== d.digit) misread.push(`${d.name} read as ${got}`);
        // Alternate the two ways of clearing: SPACE again, and C.
        await app.press(k % 2 ? "c" : "space");
      }
      assertEquals(misread, []);
      // Cleared: nothing left to read.
      assertEquals(await app.report(), ["nothing drawn"]);

      // An idle window sleeps.
      const used = await cpuWhileIdle(app.app.child.pid, 1000);
      assert(used <= 0.05, `idle window used ${used} s of CPU in 1 s`);

      await app.press("Escape");
      assertEquals(await app.exitCode(), 0, app.stderr);
      assertEquals(app.stderr, "");
    }),
});

/** Digits drawn small, `h` px tall and 0.73 of that wide, about the canvas. */
const SMALL: {
  name: string;
  digit: number;
  strokes: number[][][];
  x: number;
  y: number;
  h: number;
}[] = [
  { name: "two", digit: 2, strokes: DIGITS.two, x: 40, y: 40, h: 110 },
  { name: "three", digit: 3, strokes: DIGITS.three, x: 540, y: 40, h: 110 },
  { name: "five", digit: 5, strokes: DIGITS.five, x: 290, y: 280, h: 110 },
  { name: "eight", digit: 8, strokes: DIGITS.eight, x: 40, y: 520, h: 110 },
  { name: "four", digit: 4, strokes: DIGITS.four, x: 540, y: 520, h: 110 },
  { name: "six", digit: 6, strokes: DIGITS.six, x: 300, y: 40, h: 110 },
  // As small as a digit is written on paper.
  { name: "two", digit: 2, strokes: DIGITS.two, x: 60, y: 300, h: 55 },
  { name: "five", digit: 5, strokes: DIGITS.five, x: 300, y: 300, h: 55 },
  { name: "eight", digit: 8, strokes: DIGITS.eight, x: 580, y: 580, h: 55 },
  { name: "seven", digit: 7, strokes: DIGITS.seven, x: 30, y: 600, h: 55 },
  { name: "nine", digit: 9, strokes: DIGITS.nine, x: 500, y: 60, h: 55 },
  { name: "three", digit: 3, strokes: DIGITS.three, x: 200, y: 480, h: 55 },
];

/** How many pixels of `rect` are the red of a refusal (COLOURS.wrong). */
function countRed(
  s: Screenshot,
  rect: { x: number; y: number; w: number; h: number },
): number {
  return countColour(s, rect, COLOURS.wrong);
}

Deno.test({
  name: "draw window reads digits drawn small, down to 55 px tall",
  sanitizeResources: false,
  fn: () =>
    withDrawWindow(async (app) => {
      const misread: string[] = [];
      for (const d of SMALL) {
        const box = { x: d.x, y: d.y, w: Math.round(d.h * 0.73), h: d.h };
        await app.draw(d.strokes, box);
        const got = await app.verdict();
        const name = `${d.name} ${d.h} px tall`;
        if (got !== d.digit) misread.push(`${name} read as ${got}`);
        if (d.h === 55 && d.name === "five") {
          // Small on the canvas, full size in the network's view.
          const s = await app.shot("small-five");
          assertEquals(countRed(s, ANSWER_BOX), 0, "an answer, not '?'");
          const blue = countColour(s, ANSWER_BOX, COLOURS.accent);
          assert(blue > 200, `the answer in large type (${blue} px)`);
          const dark = countDark(s, PREVIEW);
          assert(dark > 800, `the preview shows the digit large (${dark} px)`);
          const ink = countDark(s, { x: 300, y: 290, w: 60, h: 75 });
          assert(ink > 300 && ink < 2500, `a small digit drawn (${ink} px)`);
        }
        await app.press("c");
      }
      assertEquals(misread, []);
      await app.press("Escape");
      assertEquals(await app.exitCode(), 0, app.stderr);
    }),
});

/** Letters that are no digit, as strokes in a unit square. */
const LETTERS: Record<string, number[][][]> = {
  X: [[[0, 0], [1, 1]], [[1, 0], [0, 1]]],
  A: [[[0, 1], [0.5, 0], [1, 1]], [[0.2, 0.6], [0.8, 0.6]]],
  E: [[[0.85, 0], [0, 0], [0, 1], [0.85, 1]], [[0, 0.5], [0.65, 0.5]]],
};

Deno.test({
  name:
    "draw window answers '?' for letters, a dot and a bar drawn with the mouse",
  sanitizeResources: false,
  fn: () =>
    withDrawWindow(async (app) => {
      for (const [name, strokes] of Object.entries(LETTERS)) {
        for (
          const box of [
            { x: 180, y: 120, w: 300, h: 420 },
            { x: 420, y: 420, w: 90, h: 120 },
          ]
        ) {
          await app.draw(strokes, box);
          assertEquals(await app.verdict(), "?", `${name} ${box.h} px tall`);
          if (name === "A" && box.h > 200) {
            const s = await app.shot("refused-letter");
            const red = countRed(s, ANSWER_BOX);
            assert(red > 100, `the panel shows a red '?' (${red} px)`);
            assertEquals(countColour(s, ANSWER_BOX, COLOURS.accent), 0);
          }
          await app.press("c");
        }
      }
      // A dot: one click, and a short wiggle.
      await app.stroke([[330, 330], [332, 331]]);
      assertEquals(await app.verdict(), "?");
      const s = await app.shot("refused-dot");
      assert(countRed(s, ANSWER_BOX) > 100, "the panel shows a red '?'");
      await app.press("c");
      // A bar.
      await app.stroke([[250, 336], [420, 336]]);
      assertEquals(await app.verdict(), "?");
      // A 1 is a digit.
      await app.press("c");
      await app.stroke([[336, 100], [330, 560]]);
      assertEquals(await app.verdict(), 1);
      await app.press("Escape");
      assertEquals(await app.exitCode(), 0, app.stderr);
    }),
});

/**
 * Draws `text` (digits of `DIGITS`, letters of `LETTERS`) left to right from
 * (x, y), each `h` pixels tall and `gap` pixels after the previous one.
 */
async function write(
  app: DrawWindow,
  text: string,
  { x, y, h, gap }: { x: number; y: number; h: number; gap: number },
): Promise<void> {
  const names = "zero one two three four five six seven eight nine".split(" ");
  for (const c of text) {
    const strokes = c in LETTERS ? LETTERS[c] : DIGITS[names[Number(c)]];
    const w = c === "1" ? Math.round(h * 0.2) : Math.round(h * 0.7);
    await app.draw(strokes, { x, y, w, h });
    x += w + gap;
  }
}

/** Numbers written with the mouse: large and wide apart, close, small. */
const NUMBERS = [
  { text: "42", x: 60, y: 200, h: 250, gap: 60 },
  { text: "307", x: 30, y: 250, h: 160, gap: 22 },
  { text: "2024", x: 200, y: 520, h: 80, gap: 24 },
  { text: "1984", x: 40, y: 60, h: 55, gap: 20 },
  { text: "56", x: 400, y: 300, h: 120, gap: 30 },
];

Deno.test({
  name: "draw window reads numbers written with the mouse, digit by digit",
  sanitizeResources: false,
  fn: () =>
    withDrawWindow(async (app) => {
      const misread: string[] = [];
      for (const n of NUMBERS) {
        await write(app, n.text, n);
        const { number, pieces } = await app.number();
        if (number !== n.text) misread.push(`${n.text}: ${pieces.join(", ")}`);
        if (n.text === "307") {
          // Each piece's view in its place, the number large under them.
          const s = await app.shot("number");
          for (const [k, tile] of pieceTiles(3).entries()) {
            const rect = { x: tile.x, y: tile.y, w: tile.side, h: tile.side };
            const dark = countDark(s, rect);
            assert(dark > 200, `piece ${k + 1}'s view (${dark} px)`);
          }
          const blue = countColour(s, numberBox(3), COLOURS.accent);
          assert(blue > 500, `the number in large type (${blue} px)`);
          assertEquals(countRed(s, numberBox(3)), 0);
        }
        // Alternate the two ways of clearing: SPACE again, and C.
        await app.press(n.text.length % 2 ? "space" : "c");
      }
      assertEquals(misread, []);
      assertEquals(await app.report(), ["nothing drawn"]);

      // A letter among digits: no number, and the panel says which piece.
      await write(app, "4A2", { x: 60, y: 200, h: 160, gap: 40 });
      const { number, pieces } = await app.number();
      assertEquals(number, "?");
      assert(pieces[0].startsWith("piece 1: 4 ("), pieces[0]);
      assert(pieces[1].startsWith("piece 2: ? (not a digit"), pieces[1]);
      assert(pieces[2].startsWith("piece 3: 2 ("), pieces[2]);
      const s = await app.shot("number-refused");
      const red = countRed(s, numberBox(3));
      assert(red > 300, `a red '?' in the number's place (${red} px)`);
      const tile = pieceTiles(3)[1];
      assertEquals(pixel(s, tile.x - 1, tile.y + 10), [198, 40, 40], "frame");

      await app.press("Escape");
      assertEquals(await app.exitCode(), 0, app.stderr);
      assertEquals(app.stderr, "");
    }),
});

Deno.test({
  name:
    "draw window erases with the right button and after X, clears with BACKSPACE",
  sanitizeResources: false,
  fn: () =>
    withDrawWindow(async (app) => {
      // A 7 with a stray line through it, which the right button takes away.
      await app.draw(DIGITS.seven, { x: 200, y: 140, w: 280, h: 400 });
      await app.stroke([[60, 600], [620, 600]]);
      await app.stroke([[40, 600], [640, 600]], 3);
      assertEquals(await app.prediction(), 7);
      let s = await app.shot("erased");
      assertEquals(pixel(s, 340, 600), [255, 255, 255], "erased");
      assertEquals(pixel(s, 340, 140), [0, 0, 0], "the 7 is still there");
      // X: the left button erases the top bar too.
      await app.press("x");
      await app.stroke([[150, 140], [520, 140]]);
      // SPACE prints once the window shows the stroke.
      assertEquals(await app.prediction(), 1);
      s = await app.shot("eraser");
      assertEquals(pixel(s, 340, 140), [255, 255, 255], "top bar erased");
      await app.press("x", "BackSpace");
      assertEquals(await app.report(), ["nothing drawn"]);
      await app.press("Escape");
      assertEquals(await app.exitCode(), 0, app.stderr);
    }),
});

Deno.test({
  name: "draw window shows the network's view while the button is still held",
  sanitizeResources: false,
  fn: () =>
    withDrawWindow(async (app, x) => {
      const id = String(app.id);
      const dark = (s: Screenshot) => countDark(s, PREVIEW);
      // SPACE prints once the window is drawn: then the screenshot shows it.
      assertEquals(await app.report(), ["nothing drawn"]);
      assertEquals(dark(await app.shot("live-empty")), 0);
      await xdotool(
        x,
        "mousemove",
        "--window",
        id,
        "330",
        "80",
        "mousedown",
        "1",
      );
      for (let py = 100; py <= 600; py += 50) {
        await xdotool(x, "mousemove", "--window", id, "336", String(py));
      }
      // The stroke goes on; within a few updates the panel has caught up.
      let seen = 0;
      for (let tries = 0; tries < 20 && seen < 200; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = dark(await app.shot("live-stroke"));
      }
      await xdotool(x, "mouseup", "1");
      assert(seen >= 200, `the preview shows ${seen} dark pixels mid-stroke`);
      assertEquals(await app.prediction(), 1);
      await app.press("Escape");
      assertEquals(await app.exitCode(), 0, app.stderr);
    }),
});

Deno.test({
  name: "draw window saves a drawing with a digit key to the own data set",
  sanitizeResources: false,
  fn: () =>
    withDrawWindow(async (app, _x, own) => {
      await app.press("5");
      await app.waitForLines(1);
      assertEquals(app.lines[0], "nothing drawn, nothing saved");
      await app.draw(DIGITS.seven, { x: 200, y: 140, w: 280, h: 400 });
      await app.press("7");
      await app.app.waitForLine(1, (l) => l.startsWith("saved as 7"));
      await app.draw(DIGITS.one, { x: 300, y: 100, w: 60, h: 450 });
      await app.press("KP_1");
      // Each save is learnt in the background; the lines say when.
      await app.app.waitForLine(1, (l) => /^learned: (.*, )?1$/.test(l), 60000);
      const learned = app.lines.filter((l) => l.startsWith("learned: "));
      assertEquals(learned.join("; ").match(/\d/g)?.sort(), ["1", "7"]);
      assertEquals(app.lines.filter((l) => l.startsWith("saved as ")), [
        `saved as 7 to ${own} (train 1)`,
        `saved as 1 to ${own} (test 1)`,
      ]);
      // Saving cleared the canvas for the next digit.
      assertEquals(await app.report(), ["nothing drawn"]);
      // A number is no example of one digit: nothing is saved, and the
      // number stays on the canvas.
      await write(app, "42", { x: 60, y: 200, h: 200, gap: 50 });
      const before = app.lines.length;
      await app.press("4");
      await app.waitForLines(before + 1);
      assertEquals(
        app.lines[before],
        "2 pieces drawn, nothing saved: draw one digit to save it",
      );
      assertEquals((await app.number()).number, "42");
      await app.press("Escape");
      assertEquals(await app.exitCode(), 0, app.stderr);

      const data = await readOwnData(own);
      assertEquals([data.train.count, data.test.count], [1, 1]);
      assertEquals([data.train.labels[0], data.test.labels[0]], [7, 1]);
      // What was saved is the network's 28x28 view: a 7 the network reads.
      assertEquals(argmaxRow(network.predict(data.train.images, 1), 0), 7);
    }),
});

Deno.test({
  name: "draw window quits with exit code 0 on ESC and on close, every time",
  sanitizeResources: false,
  async fn() {
    await using x = await startXvfb();
    await using own = await ownFolder();
    for (let round = 0; round < 4; round++) {
      await using app = await DrawWindow.start(x, own.path);
      const id = String(app.id);
      // Quit while a stroke goes on, right after it, or with nothing drawn.
      if (round === 1) await app.stroke([[100, 100], [300, 300]]);
      if (round === 2) {
        await xdotool(
          x,
          ...["mousemove", "--window", id, "100", "100", "mousedown", "1"],
          ...["mousemove", "--window", id, "200", "200"],
        );
      }
      if (round < 3) await app.press("Escape");
      else requestClose(x, app.id);
      const code = await app.exitCode();
      if (round === 2) await xdotool(x, "mouseup", "1");
      assertEquals(code, 0, `round ${round}: ${app.stderr}`);
      assertEquals(app.stderr, "", `round ${round}`);
    }
  },
});

/** Runs the draw script with no display at all; its exit code and stderr. */
async function runWithoutDisplay(
  args: string[],
  env: Record<string, string> = {},
) {
  const r = await runToEnd(["run", "-A", SCRIPT, ...args], env);
  return { code: r.code, err: r.stderr.trim() };
}

Deno.test("draw script without a model says how to train one, before any window", async () => {
  // No display at all: the model is checked first.
  const { code, err } = await runWithoutDisplay([
    "--model",
    "/nonexistent/model.safetensors",
  ]);
  assertEquals(code, 1);
  assertEquals(err.split("\n").length, 1, err);
  assert(err.startsWith("draw: "), err);
  assert(err.includes("deno task train"), err);
});

Deno.test("draw script without a display says so in one line", async () => {
  const { code, err } = await runWithoutDisplay(["--model", FIXTURE_MODEL]);
  assertEquals(code, 1);
  assertEquals(err.split("\n").length, 1, err);
  assert(err.includes("No display"), err);
});

Deno.test("draw script reports a missing library, font or a bad model in one line, before any window", async () => {
  const bad = await Deno.makeTempFile({ suffix: ".safetensors" });
  await Deno.writeTextFile(bad, "not a model");
  try {
    for (
      const [env, model, fragment] of [
        [{ MNIST_SDL2_PATH: "/nonexistent/libSDL2.so" }, FIXTURE_MODEL, "SDL2"],
        [
          { MNIST_SDL2_TTF_PATH: "/nonexistent/libttf.so" },
          FIXTURE_MODEL,
          "SDL2_ttf",
        ],
        [
          { MNIST_FONT_DIR: "/nonexistent" },
          FIXTURE_MODEL,
          "fonts-dejavu-core",
        ],
        [{}, bad, bad],
      ] as const
    ) {
      // No display: each of these must be found before the window is opened.
      const { code, err } = await runWithoutDisplay(["--model", model], env);
      assertEquals(code, 1, err);
      assertEquals(err.split("\n").length, 1, err);
      assert(err.startsWith("draw: ") && err.includes(fragment), err);
    }
  } finally {
    await Deno.remove(bad);
  }
});

Deno.test("draw script --help lists the keys and exits 0", async () => {
  const r = await runToEnd(["run", SCRIPT, "--help"]);
  assertEquals(r.code, 0);
  assertEquals(r.stdout.trim(), HELP);
});
