/**
 * The drawing window: its pieces directly, then the window itself as a person
 * uses it, on a private X server, with real mouse strokes (xdotool) and stdout
 * read the way another program would.
 *
 * Set MNIST_TEST_SCREENSHOTS to a folder to keep the screenshots as PNG files.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Canvas } from "../lib/image/canvas.ts";
import { UsageError } from "../lib/cli.ts";
import {
  digitOf,
  reportLines,
  savedLine,
  Sketch,
} from "../lib/app/draw/sketch.ts";
import { canvasToArgb } from "../lib/app/draw/view.ts";
import { HELP, parseDrawArgs } from "../lib/app/draw/main.ts";
import { WINDOW_HEIGHT, WINDOW_WIDTH } from "../lib/ui/panel.ts";
import { PIXELS } from "../lib/data/mnist.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../lib/nn/model_file.ts";
import { argmaxRow } from "../lib/nn/network.ts";
import { DEFAULT_OWN_DIR, readOwnData } from "../lib/data/own_data.ts";
import { Key, MouseButton } from "../lib/native/sdl2.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  cpuSeconds,
  delay,
  focus,
  isAlive,
  pixel,
  pressKeys,
  requestClose,
  savePng,
  type Screenshot,
  screenshot,
  startXvfb,
  waitForWindow,
  xdotool,
  type Xvfb,
} from "./_x11.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCRIPT = join(ROOT, "scripts", "mnist_draw.ts");
const SHOTS = Deno.env.get("MNIST_TEST_SCREENSHOTS");

// ---------------------------------------------------------------------------
// The pieces

Deno.test("parseDrawArgs() defaults to the shipped model and data/own", () => {
  assertEquals(parseDrawArgs([]), {
    modelPath: DEFAULT_MODEL_PATH,
    ownDir: DEFAULT_OWN_DIR,
  });
  assertEquals(parseDrawArgs(["--model", "m.safetensors", "--own", "d"]), {
    modelPath: "m.safetensors",
    ownDir: "d",
  });
  assertEquals(parseDrawArgs(["--help"]), null);
});

Deno.test("parseDrawArgs() rejects unknown options and empty values", () => {
  assertThrows(() => parseDrawArgs(["--size", "3"]), UsageError, "size");
  assertThrows(() => parseDrawArgs(["--model="]), UsageError, "--model");
  assertThrows(() => parseDrawArgs(["--own="]), UsageError, "--own");
  assertThrows(() => parseDrawArgs(["x"]), UsageError);
});

Deno.test("HELP lists every key and option", () => {
  for (
    const word of [
      "--model",
      "--own",
      "--help",
      "SPACE",
      "BACKSPACE",
      "ESC",
      "0-9",
      "right button",
      "X ",
      "deno task train --data data/own",
    ]
  ) {
    assert(HELP.includes(word), `HELP does not mention '${word}'`);
  }
});

Deno.test("reportLines() prints one d=p% line per digit, then the prediction", () => {
  const probs = new Float32Array([
    0.012,
    0.001,
    0,
    0,
    0,
    0,
    0,
    0.95,
    0.037,
    0,
  ]);
  const lines = reportLines(probs);
  assertEquals(lines.length, 11);
  assertEquals(lines[0], "0=1.2%");
  assertEquals(lines[7], "7=95.0%");
  assertEquals(lines[10], "prediction: 7");
  assertEquals(reportLines(null), ["nothing drawn"]);
});

Deno.test("digitOf() reads the top row and the keypad", () => {
  assertEquals(digitOf(Key.DIGIT_0 + 7), 7);
  assertEquals(digitOf(Key.DIGIT_0), 0);
  assertEquals(digitOf(Key.KP_1 + 2), 3);
  assertEquals(digitOf(Key.KP_0), 0);
  assertEquals(digitOf(Key.SPACE), -1);
});

Deno.test("savedLine() names the folder relative to the working directory", () => {
  const saved = {
    split: "train" as const,
    index: 11,
    counts: { train: 12, test: 3 },
  };
  assertEquals(
    savedLine(7, join(Deno.cwd(), "data", "own"), saved),
    "saved as 7 to data/own (train 12)",
  );
  assertEquals(
    savedLine(3, "/elsewhere/own", { ...saved, split: "test", index: 0 }),
    "saved as 3 to /elsewhere/own (test 1)",
  );
});

Deno.test("canvasToArgb() turns ink into opaque grey, only inside the rectangle", () => {
  const canvas = new Canvas(4, 3);
  canvas.data[0] = 1;
  canvas.data[5] = 0.5;
  canvas.data[11] = 1;
  const pixels = new Uint32Array(12);
  canvasToArgb(canvas, { x: 0, y: 0, width: 2, height: 2 }, pixels);
  assertEquals(pixels[0], 0xff000000);
  assertEquals(pixels[1], 0xffffffff);
  assertEquals(pixels[5], 0xff7f7f7f);
  assertEquals(pixels[11], 0, "outside the rectangle");
});

const { network } = await loadModel();

Deno.test("Sketch draws with the left button along the whole path", () => {
  const sketch = new Sketch(network);
  sketch.mouseDown(MouseButton.LEFT, 100, 336);
  // One far jump, as a fast stroke arrives: the line between must be solid.
  sketch.mouseMove(500, 336, 1);
  sketch.mouseUp(MouseButton.LEFT, 500, 336);
  assert(!sketch.stroking);
  const c = sketch.canvas;
  for (let x = 100; x <= 500; x += 10) {
    assertEquals(c.data[336 * c.width + x], 1, `ink at x=${x}`);
  }
  assertEquals(c.data[200 * c.width + 300], 0);
  assert(sketch.stale);
  sketch.classify();
  assert(!sketch.stale);
  assert(sketch.probs !== null);
  assert(sketch.predicted >= 0);
});

Deno.test("Sketch erases with the right button, or the left one after X", () => {
  const sketch = new Sketch(network);
  const c = sketch.canvas;
  const at = (x: number, y: number) => c.data[y * c.width + x];
  sketch.mouseDown(MouseButton.LEFT, 100, 300);
  sketch.mouseUp(MouseButton.LEFT, 500, 300);
  sketch.mouseDown(MouseButton.RIGHT, 200, 300);
  sketch.mouseUp(MouseButton.RIGHT, 200, 300);
  assertEquals(at(200, 300), 0);
  assertEquals(at(400, 300), 1);
  assertEquals(sketch.key(0x78).type, "changed");
  assert(sketch.eraser);
  sketch.mouseDown(MouseButton.LEFT, 400, 300);
  sketch.mouseUp(MouseButton.LEFT, 400, 300);
  assertEquals(at(400, 300), 0);
  sketch.key(0x78);
  assert(!sketch.eraser);
});

Deno.test("Sketch ignores presses outside the canvas and ends lost strokes", () => {
  const sketch = new Sketch(network);
  sketch.mouseDown(MouseButton.LEFT, 800, 300);
  assert(!sketch.stroking);
  sketch.mouseMove(300, 300, 1);
  assert(sketch.canvas.isEmpty());
  sketch.mouseDown(MouseButton.LEFT, 300, 300);
  // The button came up somewhere the window did not hear of.
  sketch.mouseMove(310, 300, 0);
  assert(!sketch.stroking);
});

Deno.test("Sketch.key(): SPACE reports, SPACE again clears, C and BACKSPACE clear", () => {
  const sketch = new Sketch(network);
  assertEquals(sketch.key(Key.SPACE).type, "report");
  assertEquals(sketch.probs, null, "empty canvas");
  assertEquals(sketch.key(Key.SPACE).type, "report", "still nothing drawn");
  sketch.mouseDown(MouseButton.LEFT, 300, 100);
  sketch.mouseUp(MouseButton.LEFT, 300, 500);
  assertEquals(sketch.key(Key.SPACE).type, "report");
  assert(sketch.probs !== null);
  assertEquals(sketch.key(Key.SPACE).type, "changed");
  assert(sketch.canvas.isEmpty());
  for (const key of [Key.C, Key.BACKSPACE]) {
    sketch.mouseDown(MouseButton.LEFT, 300, 100);
    sketch.mouseUp(MouseButton.LEFT, 300, 500);
    assertEquals(sketch.key(key).type, "changed");
    assert(sketch.canvas.isEmpty());
  }
  assertEquals(sketch.key(Key.ESCAPE).type, "quit");
  assertEquals(sketch.key(Key.DIGIT_0 + 4), { type: "save", label: 4 });
});

Deno.test("Sketch.classify() gives the network the preprocessed drawing", () => {
  const sketch = new Sketch(network);
  // A "1" in the top-left corner still reads as a 1: preprocessing moves and
  // scales it into MNIST's frame.
  sketch.mouseDown(MouseButton.LEFT, 80, 40);
  sketch.mouseUp(MouseButton.LEFT, 90, 230);
  sketch.classify();
  assertEquals(sketch.predicted, 1);
  assertEquals(sketch.input.length, PIXELS);
  // Its centre of mass is near the middle of the 28x28 input.
  let mass = 0, mx = 0;
  for (let k = 0; k < PIXELS; k++) {
    mass += sketch.input[k];
    mx += (k % 28) * sketch.input[k];
  }
  assert(Math.abs(mx / mass - 14) < 1, `centre column ${mx / mass}`);
});

// ---------------------------------------------------------------------------
// The window, driven as a person would

/** The draw task's permissions, with its write folder swapped for `ownDir`. */
async function taskPermissions(ownDir: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const command: string = config.tasks.draw.command;
  const flags = command.split(/\s+/).filter((a) => a.startsWith("--allow"));
  assert(flags.includes("--allow-write=data/own"), command);
  return flags.map((f) =>
    f === "--allow-write=data/own" ? `--allow-write=${ownDir}` : f
  );
}

/** The draw window of a running `scripts/mnist_draw.ts`, and its output. */
class DrawApp {
  readonly child: Deno.ChildProcess;
  readonly x: Xvfb;
  id = 0;
  /** The lines it printed to stdout so far. */
  readonly lines: string[] = [];
  stderr = "";
  readonly #reading: Promise<void>;
  #wake: (() => void) | null = null;

  constructor(x: Xvfb, child: Deno.ChildProcess) {
    this.x = x;
    this.child = child;
    this.#reading = Promise.all([this.#readLines(), this.#readStderr()])
      .then(() => {});
  }

  async #readLines() {
    let rest = "";
    for await (
      const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      this.lines.push(...parts);
      this.#wake?.();
    }
    if (rest) this.lines.push(rest);
    this.#wake?.();
  }

  async #readStderr() {
    for await (
      const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      this.stderr += chunk;
    }
  }

  /** Waits until stdout has at least `n` lines, or fails after `timeoutMs`. */
  async waitForLines(n: number, timeoutMs = 5000): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    while (this.lines.length < n) {
      const left = end - Date.now();
      if (left <= 0) {
        throw new Error(
          `waited for ${n} lines of stdout, got ${this.lines.length}: ${
            JSON.stringify(this.lines)
          }; stderr: ${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    return this.lines;
  }

  /** Presses SPACE and returns the lines it printed. */
  async report(): Promise<string[]> {
    const before = this.lines.length;
    await pressKeys(this.x, "space");
    await this.waitForLines(before + 1);
    if (this.lines[before] === "nothing drawn") return [this.lines[before]];
    await this.waitForLines(before + 11);
    return this.lines.slice(before, before + 11);
  }

  /** Presses SPACE and returns the digit it printed on the last line. */
  async prediction(): Promise<number> {
    const lines = await this.report();
    const last = lines.at(-1)!;
    const m = /^prediction: (\d)$/.exec(last);
    assert(m, `last line is '${last}'`);
    // The probabilities are there too, and add up to 100 %.
    let sum = 0;
    lines.slice(0, 10).forEach((line, d) => {
      const p = new RegExp(`^${d}=(\\d+\\.\\d)%$`).exec(line);
      assert(p, `line ${d} is '${line}'`);
      sum += Number(p[1]);
    });
    assert(Math.abs(sum - 100) < 1, `percentages add up to ${sum}`);
    return Number(m[1]);
  }

  /**
   * Draws one stroke through `points` (window pixels) with a button held:
   * press at the first point, move through the others, release at the last.
   */
  async stroke(points: number[][], button = 1): Promise<void> {
    const id = String(this.id);
    const args = ["mousemove", "--window", id, ...xy(points[0])];
    args.push("mousedown", String(button));
    for (const p of points.slice(1)) {
      args.push("mousemove", "--window", id, ...xy(p));
    }
    args.push("mouseup", String(button));
    await xdotool(this.x, ...args);
  }

  /** Draws `strokes` (in a unit square) scaled into the box (x, y, w, h). */
  async draw(
    strokes: number[][][],
    box: { x: number; y: number; w: number; h: number },
  ): Promise<void> {
    for (const s of strokes) {
      await this.stroke(
        s.map(([u, v]) => [box.x + u * box.w, box.y + v * box.h]),
      );
    }
  }

  async press(...keys: string[]): Promise<void> {
    await pressKeys(this.x, ...keys);
  }

  /** Takes a screenshot, kept as `name`.png when MNIST_TEST_SCREENSHOTS is set. */
  async shot(name: string) {
    const s = await screenshot(this.x, this.id);
    if (SHOTS) {
      await Deno.mkdir(SHOTS, { recursive: true });
      await savePng(s, join(SHOTS, `${name}.png`));
    }
    return s;
  }

  /** Waits for the process to end and returns its exit code. */
  async exitCode(timeoutMs = 10_000): Promise<number> {
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch { /* gone */ }
    }, timeoutMs);
    const status = await this.child.status;
    clearTimeout(timer);
    await this.#reading;
    return status.code;
  }
}

const xy = (
  p: number[],
) => [String(Math.round(p[0])), String(Math.round(p[1]))];

/** Starts the draw window on `x`, saving to `ownDir`, and waits until it shows. */
async function startDraw(
  x: Xvfb,
  ownDir: string,
  args: string[] = [],
): Promise<DrawApp> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...await taskPermissions(ownDir),
      SCRIPT,
      "--own",
      ownDir,
      ...args,
    ],
    cwd: ROOT,
    env: x.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const app = new DrawApp(x, child);
  try {
    app.id = await waitForWindow(x, child.pid);
    await focus(x, app.id);
  } catch (e) {
    const code = await app.exitCode(1000);
    throw new Error(
      `${(e as Error).message} (exit code ${code}); stdout: ${
        app.lines.join("\n")
      }; stderr: ${app.stderr}`,
    );
  }
  return app;
}

/** Screen size of the tests' X servers: unusual, to tell them apart. */
const SCREEN = { width: 1136, height: 752 };

/**
 * Starts an Xvfb and checks that a client on its display reaches it, and not
 * some other server: the display must answer with our screen size. A display
 * that does not is kept until the end, so that the next try gets another
 * number.
 */
async function startOwnXvfb(): Promise<Xvfb> {
  const shadowed: Xvfb[] = [];
  try {
    for (let tries = 0; tries < 5; tries++) {
      const x = await startXvfb(SCREEN);
      try {
        const size = await xdotool(x, "getdisplaygeometry");
        if (size === `${SCREEN.width} ${SCREEN.height}`) return x;
      } catch { /* not reachable */ }
      shadowed.push(x);
    }
    throw new Error("every X display tried answers as some other server");
  } finally {
    for (const x of shadowed) await x.stop();
  }
}

/**
 * Runs `test` with a draw window on a fresh X server, saving to a fresh folder;
 * afterwards the window's process is ended and the folder removed, whatever
 * happened.
 */
async function withDrawWindow(
  test: (app: DrawApp, x: Xvfb, own: string) => Promise<void>,
): Promise<void> {
  await using x = await startOwnXvfb();
  const own = await Deno.makeTempDir({ prefix: "draw-test-" });
  try {
    const app = await startDraw(x, own);
    try {
      await test(app, x, own);
    } finally {
      if (await isAlive(app.child.pid)) app.child.kill("SIGKILL");
      await app.exitCode();
    }
  } finally {
    await Deno.remove(own, { recursive: true });
  }
}

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
          let dark = 0;
          for (let py = 36; py < 36 + 196; py++) {
            for (let px = 696; px < 696 + 196; px++) {
              if (pixel(s, px, py)[0] < 64) dark++;
            }
          }
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
      const before = await cpuSeconds(app.child.pid);
      await delay(1000);
      const used = (await cpuSeconds(app.child.pid)) - before;
      assert(used <= 0.05, `idle window used ${used} s of CPU in 1 s`);

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
      const dark = (s: Screenshot) => {
        let n = 0;
        for (let py = 36; py < 36 + 196; py++) {
          for (let px = 696; px < 696 + 196; px++) {
            if (pixel(s, px, py)[0] < 64) n++;
          }
        }
        return n;
      };
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
        await delay(100);
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
      await app.waitForLines(2);
      assertEquals(app.lines[1], `saved as 7 to ${own} (train 1)`);
      await app.draw(DIGITS.one, { x: 300, y: 100, w: 60, h: 450 });
      await app.press("KP_1");
      await app.waitForLines(3);
      assertEquals(app.lines[2], `saved as 1 to ${own} (test 1)`);
      // Saving cleared the canvas for the next digit.
      assertEquals(await app.report(), ["nothing drawn"]);
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
    await using x = await startOwnXvfb();
    const own = await Deno.makeTempDir({ prefix: "draw-test-" });
    try {
      for (let round = 0; round < 4; round++) {
        const app = await startDraw(x, own);
        // Quit while a stroke goes on, right after it, or with nothing drawn.
        if (round === 1) await app.stroke([[100, 100], [300, 300]]);
        if (round === 2) {
          await xdotool(
            x,
            "mousemove",
            "--window",
            String(app.id),
            "100",
            "100",
            "mousedown",
            "1",
            "mousemove",
            "--window",
            String(app.id),
            "200",
            "200",
          );
        }
        if (round < 3) await app.press("Escape");
        else requestClose(x, app.id);
        const code = await app.exitCode();
        if (round === 2) await xdotool(x, "mouseup", "1");
        assertEquals(code, 0, `round ${round}: ${app.stderr}`);
        assertEquals(app.stderr, "", `round ${round}`);
      }
    } finally {
      await Deno.remove(own, { recursive: true });
    }
  },
});

/**
 * An environment without any display. (An empty DISPLAY is not enough: Xlib
 * then tries display :0, which may well exist.)
 */
function bareEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Runs the draw script with no display at all; its exit code and stderr. */
async function runWithoutDisplay(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    cwd: ROOT,
    env: bareEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, err: new TextDecoder().decode(out.stderr).trim() };
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
  const { code, err } = await runWithoutDisplay([]);
  assertEquals(code, 1);
  assertEquals(err.split("\n").length, 1, err);
  assert(err.includes("No display"), err);
});

Deno.test("draw script reports a missing library, font or a bad model in one line", async () => {
  const bad = await Deno.makeTempFile({ suffix: ".safetensors" });
  await Deno.writeTextFile(bad, "not a model");
  try {
    for (
      const [env, args, fragment] of [
        [{ MNIST_SDL2_PATH: "/nonexistent/libSDL2.so" }, [], "SDL2"],
        [{ MNIST_SDL2_TTF_PATH: "/nonexistent/libttf.so" }, [], "SDL2_ttf"],
        [{ MNIST_FONT_DIR: "/nonexistent" }, [], "fonts-dejavu-core"],
        [{}, ["--model", bad], bad],
      ] as const
    ) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", SCRIPT, ...args],
        cwd: ROOT,
        env: { ...bareEnv(), ...env },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr).trim();
      assertEquals(out.code, 1, err);
      assertEquals(err.split("\n").length, 1, err);
      assert(err.startsWith("draw: ") && err.includes(fragment), err);
    }
  } finally {
    await Deno.remove(bad);
  }
});

Deno.test("draw script --help lists the keys and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", SCRIPT, "--help"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0);
  assertEquals(new TextDecoder().decode(out.stdout).trim(), HELP);
});
