/**
 * The drawing window's pieces without a window: the command line, the sketch
 * the mouse and keys change, the lines it prints, what a digit key saves,
 * and what the panel shows for a digit and for a number (drawn into a
 * `FakeWindow`).
 */
import { join } from "node:path";
import { Canvas } from "../lib/image/canvas.ts";
import { UsageError } from "../lib/cli.ts";
import {
  digitOf,
  KEY_X,
  LivePrediction,
  NOTHING_DRAWN,
  pieceAnswer,
  PREDICT_INTERVAL_MS,
  reportLines,
  savedLine,
  Sketch,
  toSave,
} from "../lib/app/draw/sketch.ts";
import {
  canvasToArgb,
  drawSketchPanel,
  NO_STATUS,
  SKETCH_COLUMN,
  SKETCH_KEY_LINES,
  sketchPanel,
} from "../lib/app/draw/view.ts";
import {
  MAX_TILE_CELL,
  numberBox,
  pieceTiles,
  TILE_LABEL,
  TILES_HEIGHT,
  TILES_TOP,
} from "../lib/app/draw/number_view.ts";
import { HELP, parseDrawArgs } from "../lib/app/draw/main.ts";
import { DEFAULT_DATA_DIR, PIXELS, SIDE } from "../lib/data/mnist.ts";
import type { Reading } from "../lib/read/read_digit.ts";
import {
  type DigitReading,
  type NumberReading,
  readerOf,
} from "../lib/read/read_number.ts";
import {
  DIGITS,
  DOODLES,
  drawStrokes,
  HEIGHTS,
  LETTERS,
  nonDigits,
  type Strokes,
} from "./_sample_drawings.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../lib/nn/model_file.ts";
import { DEFAULT_OWN_DIR } from "../lib/data/own_data.ts";
import { Key, MouseButton } from "../lib/native/sdl2.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { FIXTURE_MODEL } from "./_app.ts";
import { fakeFonts, FakeWindow } from "./_fake_window.ts";

Deno.test("parseDrawArgs() defaults to the shipped model, data/own and MNIST", () => {
  assertEquals(parseDrawArgs([]), {
    modelPath: DEFAULT_MODEL_PATH,
    ownDir: DEFAULT_OWN_DIR,
    dataDir: DEFAULT_DATA_DIR,
  });
  assertEquals(
    parseDrawArgs(["--model", "m.safetensors", "--own", "d", "--data", "m"]),
    { modelPath: "m.safetensors", ownDir: "d", dataDir: "m" },
  );
  assertEquals(parseDrawArgs(["--help"]), null);
});

Deno.test("parseDrawArgs() rejects unknown options and empty values", () => {
  assertThrows(() => parseDrawArgs(["--size", "3"]), UsageError, "size");
  assertThrows(() => parseDrawArgs(["--model="]), UsageError, "--model");
  assertThrows(() => parseDrawArgs(["--own="]), UsageError, "--own");
  assertThrows(() => parseDrawArgs(["--data="]), UsageError, "--data");
  assertThrows(() => parseDrawArgs(["x"]), UsageError);
});

Deno.test("HELP lists every key and option, and what numbers do", () => {
  for (
    const word of [
      "--model",
      "--own",
      "--data",
      "--help",
      "SPACE",
      "BACKSPACE",
      "ESC",
      "0-9",
      "right button",
      "X ",
      "deno task train --add data/own",
      "prediction: ?",
      "piece 1: 4 (97.1%)",
      "prediction: 42",
      "a number is not saved",
      "W ",
      "mnist-784-200-10-own.safetensors",
      "Learned: 7",
      "16 pixels wide",
      "no digit",
    ]
  ) {
    assert(HELP.includes(word), `HELP does not mention '${word}'`);
  }
});

/** A reading of `probs`: the digit they favour, or none with `reason`. */
function readingOf(probs: number[], reason?: string): Reading {
  const probabilities = Float32Array.from(probs);
  const best = probabilities.indexOf(Math.max(...probabilities));
  return reason === undefined
    ? { digit: best, probabilities, outputs: probabilities }
    : { digit: null, probabilities, outputs: probabilities, reason };
}

/** A piece of a number read as `reading`, its input filled with `ink`. */
function pieceOf(reading: Reading, ink = 0): DigitReading {
  return {
    box: { x: 0, y: 0, width: 10, height: 10 },
    input: {
      pixels: new Uint8Array(PIXELS).fill(ink),
      empty: false,
      box: { x: 0, y: 0, width: 10, height: 10 },
      shift: { x: 0, y: 0 },
      strokeWidth: 2.35,
      source: { width: 672, height: 672 },
      penChange: 0,
    },
    reading,
  };
}

/** The reading of `pieces` as `readDrawing()` makes it. */
function numberOf(pieces: DigitReading[]): NumberReading {
  const refused = pieces.findIndex((p) => p.reading.digit === null);
  if (refused < 0) {
    return {
      number: pieces.map((p) => p.reading.digit).join(""),
      digits: pieces,
    };
  }
  return {
    number: null,
    digits: pieces,
    reason: pieces.length === 1
      ? pieces[0].reading.reason
      : `piece ${refused + 1} of ${pieces.length} is ${
        pieces[refused].reading.reason
      }`,
  };
}

const SEVEN = [0.012, 0.001, 0, 0, 0, 0, 0, 0.95, 0.037, 0];
const FOUR = [0, 0, 0, 0, 0.971, 0, 0, 0, 0.001, 0.028];
const TWO = [0, 0.002, 0.998, 0, 0, 0, 0, 0, 0, 0];
const NOT_A_DIGIT = "not a digit: highest output 0.12";

Deno.test("reportLines() prints one d=p% line per digit, then the prediction", () => {
  const lines = reportLines(numberOf([pieceOf(readingOf(SEVEN))]));
  assertEquals(lines.length, 11);
  assertEquals(lines[0], "0=1.2%");
  assertEquals(lines[7], "7=95.0%");
  assertEquals(lines[10], "prediction: 7");
  assertEquals(reportLines(NOTHING_DRAWN), ["nothing drawn"]);
});

Deno.test("reportLines() prints 'prediction: ?' for a drawing that is no digit", () => {
  const probs = [0, 0, 0, 0, 0.999, 0, 0, 0, 0.001, 0];
  const lines = reportLines(numberOf([pieceOf(readingOf(probs, NOT_A_DIGIT))]));
  assertEquals(lines.length, 11);
  assertEquals(lines[4], "4=99.9%");
  assertEquals(lines[10], "prediction: ?");
});

Deno.test("reportLines() prints a number's pieces, left to right, then the number", () => {
  const number = numberOf([
    pieceOf(readingOf(FOUR)),
    pieceOf(readingOf(TWO)),
  ]);
  assertEquals(reportLines(number), [
    "piece 1: 4 (97.1%)",
    "piece 2: 2 (99.8%)",
    "prediction: 42",
  ]);
});

Deno.test("reportLines() prints which piece of a number is no digit, and 'prediction: ?'", () => {
  const number = numberOf([
    pieceOf(readingOf(FOUR)),
    pieceOf(readingOf(SEVEN, NOT_A_DIGIT)),
    pieceOf(readingOf(TWO)),
  ]);
  assertEquals(reportLines(number), [
    "piece 1: 4 (97.1%)",
    "piece 2: ? (not a digit: highest output 0.12)",
    "piece 3: 2 (99.8%)",
    "prediction: ?",
  ]);
  assertEquals(
    pieceAnswer(readingOf(SEVEN, "too small: a dot, not a digit")),
    "? (too small: a dot, not a digit)",
  );
});

Deno.test("toSave() gives the 28x28 of a drawing of one piece, and nothing for a number", () => {
  const one = numberOf([pieceOf(readingOf(SEVEN), 9)]);
  assertEquals(toSave(one), one.digits[0].input.pixels);
  // A drawing the network refuses is saved too: teaching it is the point.
  const refused = numberOf([pieceOf(readingOf(SEVEN, NOT_A_DIGIT), 9)]);
  assertEquals(toSave(refused), refused.digits[0].input.pixels);
  assertEquals(toSave(NOTHING_DRAWN), {
    line: "nothing drawn, nothing saved",
    status: "Nothing drawn, nothing saved",
  });
  const three = numberOf([FOUR, TWO, SEVEN].map((p) => pieceOf(readingOf(p))));
  assertEquals(toSave(three), {
    line: "3 pieces drawn, nothing saved: draw one digit to save it",
    status: "Draw one digit to save it",
  });
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

const reader = readerOf(await loadModel(FIXTURE_MODEL));

/** The only piece of the sketch's last reading. */
function onlyPiece(sketch: Sketch): DigitReading {
  assertEquals(sketch.reading.digits.length, 1, "one piece");
  return sketch.reading.digits[0];
}

/**
 * Draws `strokes` (in a unit box, as the sample drawings are) with the
 * mouse, scaled to `height` with the top-left at (x, y); returns the right
 * edge of what it drew.
 */
function drawWithMouse(
  sketch: Sketch,
  strokes: Strokes,
  x: number,
  y: number,
  height: number,
): number {
  let right = x;
  for (const line of strokes) {
    const at = line.map(([u, v]) => [x + u * height, y + v * height]);
    sketch.mouseDown(MouseButton.LEFT, at[0][0], at[0][1]);
    for (const [px, py] of at.slice(1)) sketch.mouseMove(px, py, 1);
    sketch.mouseUp(MouseButton.LEFT, at.at(-1)![0], at.at(-1)![1]);
    for (const [px] of at) right = Math.max(right, px);
  }
  return right;
}

/** A sketch with `digits` written side by side, `height` tall, `gap` apart. */
function numberSketch(digits: string, height: number, gap: number): Sketch {
  const sketch = new Sketch(reader);
  let x = 30;
  for (const d of digits) {
    x = drawWithMouse(sketch, DIGITS[Number(d)], x, 200, height) + gap;
  }
  sketch.classify();
  return sketch;
}

Deno.test("Sketch draws with the left button along the whole path", () => {
  const sketch = new Sketch(reader);
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
  assert(sketch.drawn);
  assertEquals(sketch.reading.digits.length, 1);
});

Deno.test("Sketch erases with the right button, or the left one after X", () => {
  const sketch = new Sketch(reader);
  const c = sketch.canvas;
  const at = (x: number, y: number) => c.data[y * c.width + x];
  sketch.mouseDown(MouseButton.LEFT, 100, 300);
  sketch.mouseUp(MouseButton.LEFT, 500, 300);
  sketch.mouseDown(MouseButton.RIGHT, 200, 300);
  sketch.mouseUp(MouseButton.RIGHT, 200, 300);
  assertEquals(at(200, 300), 0);
  assertEquals(at(400, 300), 1);
  assertEquals(sketch.key(KEY_X).type, "changed");
  assert(sketch.eraser);
  sketch.mouseDown(MouseButton.LEFT, 400, 300);
  sketch.mouseUp(MouseButton.LEFT, 400, 300);
  assertEquals(at(400, 300), 0);
  sketch.key(KEY_X);
  assert(!sketch.eraser);
});

Deno.test("Sketch ignores presses outside the canvas and ends lost strokes", () => {
  const sketch = new Sketch(reader);
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
  const sketch = new Sketch(reader);
  assertEquals(sketch.key(Key.SPACE).type, "report");
  assertEquals(sketch.reading, NOTHING_DRAWN, "empty canvas");
  assertEquals(sketch.key(Key.SPACE).type, "report", "still nothing drawn");
  sketch.mouseDown(MouseButton.LEFT, 300, 100);
  sketch.mouseUp(MouseButton.LEFT, 300, 500);
  assertEquals(sketch.key(Key.SPACE).type, "report");
  assert(sketch.drawn);
  assertEquals(sketch.key(Key.SPACE).type, "changed");
  assert(sketch.canvas.isEmpty());
  for (const key of [Key.C, Key.BACKSPACE]) {
    sketch.mouseDown(MouseButton.LEFT, 300, 100);
    sketch.mouseUp(MouseButton.LEFT, 300, 500);
    assertEquals(sketch.key(key).type, "changed");
    assert(sketch.canvas.isEmpty());
  }
  assertEquals(sketch.key(Key.ESCAPE).type, "quit");
});

Deno.test("Sketch.key(): a number twice clears it, as one digit does", () => {
  const sketch = numberSketch("42", 150, 40);
  assertEquals(sketch.key(Key.SPACE).type, "report");
  assertEquals(reportLines(sketch.reading).at(-1), "prediction: 42");
  assertEquals(sketch.key(Key.SPACE).type, "changed");
  assert(sketch.canvas.isEmpty());
});

Deno.test("Sketch.key(): a digit key saves the one piece's 28x28, a number nothing", () => {
  const sketch = new Sketch(reader);
  assertEquals(sketch.key(Key.DIGIT_0 + 4), {
    type: "unsaved",
    unsaved: {
      line: "nothing drawn, nothing saved",
      status: "Nothing drawn, nothing saved",
    },
  });
  drawWithMouse(sketch, DIGITS[7], 200, 150, 300);
  // The key reads a drawing not read yet, and saves what the network read.
  const action = sketch.key(Key.KP_1 + 6);
  assertEquals(action.type, "save");
  assert(action.type === "save");
  assertEquals(action.label, 7);
  assertEquals(action.input, onlyPiece(sketch).input.pixels);
  assert(action.input.some((v) => v > 0));

  const number = numberSketch("307", 120, 40);
  const ink = Float32Array.from(number.canvas.data);
  const unsaved = number.key(Key.DIGIT_0 + 3);
  assertEquals(unsaved, {
    type: "unsaved",
    unsaved: {
      line: "3 pieces drawn, nothing saved: draw one digit to save it",
      status: "Draw one digit to save it",
    },
  });
  // Nothing else changes: the number is still there, as read.
  assertEquals(number.canvas.data, ink);
  assertEquals(number.reading.number, "307");
});

/** A sketch that counts its readings, on a clock the test moves. */
function countedSketch() {
  const sketch = new Sketch(reader);
  const clock = { now: 0 };
  let readings = 0;
  const classify = sketch.classify.bind(sketch);
  sketch.classify = () => {
    readings++;
    classify();
  };
  const live = new LivePrediction(sketch, PREDICT_INTERVAL_MS, () => clock.now);
  return { sketch, clock, live, readings: () => readings };
}

Deno.test("LivePrediction reads a stroke at most every interval while it goes on, and once at its end", () => {
  const { sketch, clock, live, readings } = countedSketch();
  // Nothing drawn: nothing due, the window sleeps.
  assertEquals(live.due(), -1);
  assertEquals(live.update(), false);
  sketch.mouseDown(MouseButton.LEFT, 100, 100);
  // The first reading of a stroke is due at once (the loop waits 1 ms).
  assertEquals(live.due(), 1);
  assertEquals(live.update(), true);
  assertEquals(readings(), 1);
  // A second of mouse events, one every 4 ms, each handed to the loop.
  const ms = 1000;
  for (let t = 4; t <= ms; t += 4) {
    clock.now = t;
    sketch.mouseMove(100 + t / 4, 100 + t / 8, 1);
    const due = live.due();
    assert(due >= 1 && due <= PREDICT_INTERVAL_MS, `due in ${due} ms`);
    // Every event shows at once; the network reads only when due.
    assertEquals(live.update(), true);
  }
  const during = readings();
  assertEquals(during, 1 + Math.floor(ms / PREDICT_INTERVAL_MS));
  // The stroke ends: one more reading, at once, and then nothing is due.
  clock.now = ms + 1;
  sketch.mouseUp(MouseButton.LEFT, 400, 300);
  assertEquals(live.due(), 0);
  assertEquals(live.update(), true);
  assertEquals(readings(), during + 1);
  assertEquals(live.due(), -1);
  assertEquals(live.update(), false);
  assertEquals(readings(), during + 1);
});

Deno.test("LivePrediction counts the interval from the end of a slow reading", () => {
  const { sketch, clock, live } = countedSketch();
  // Each reading takes 400 ms on this clock.
  const classify = sketch.classify;
  sketch.classify = () => {
    classify();
    clock.now += 400;
  };
  sketch.mouseDown(MouseButton.LEFT, 100, 100);
  live.update();
  sketch.mouseMove(200, 100, 1);
  // The window gets a whole interval for events before the next reading.
  assertEquals(live.due(), PREDICT_INTERVAL_MS);
});

Deno.test("LivePrediction reads a change made by a key at once", () => {
  const { sketch, live, readings } = countedSketch();
  sketch.mouseDown(MouseButton.LEFT, 300, 100);
  sketch.mouseUp(MouseButton.LEFT, 300, 500);
  live.update();
  assertEquals(readings(), 1);
  sketch.key(Key.C);
  assertEquals(live.due(), 0);
  assertEquals(live.update(), true);
  assertEquals(readings(), 2);
});

Deno.test("Sketch.classify() gives the network the preprocessed drawing", () => {
  const sketch = new Sketch(reader);
  // A "1" in the top-left corner still reads as a 1: preprocessing moves and
  // scales it into MNIST's frame.
  sketch.mouseDown(MouseButton.LEFT, 80, 40);
  sketch.mouseUp(MouseButton.LEFT, 90, 230);
  sketch.classify();
  const { input, reading } = onlyPiece(sketch);
  assertEquals(reading.digit, 1);
  assertEquals(sketch.reading.number, "1");
  assertEquals(input.pixels.length, PIXELS);
  // Its centre of mass is near the middle of the 28x28 input.
  let mass = 0, mx = 0;
  for (let k = 0; k < PIXELS; k++) {
    mass += input.pixels[k];
    mx += (k % 28) * input.pixels[k];
  }
  assert(Math.abs(mx / mass - 14) < 1, `centre column ${mx / mass}`);
});

Deno.test("Sketch.classify() reads each digit the same at every height, 55 pixels tall too", () => {
  const misread: string[] = [];
  for (const [d, strokes] of Object.entries(DIGITS)) {
    const large = new Sketch(reader, drawStrokes(strokes, 420));
    large.classify();
    assertEquals(large.reading.number, d, `${d} at 420 px`);
    const want = onlyPiece(large).input.pixels;
    for (const h of [55, ...HEIGHTS]) {
      const sketch = new Sketch(reader, drawStrokes(strokes, h));
      sketch.classify();
      if (sketch.reading.number !== d) {
        misread.push(`${d} at ${h} px: ${reportLines(sketch.reading).at(-1)}`);
        continue;
      }
      // The network is given nearly the same image.
      const input = onlyPiece(sketch).input.pixels;
      let diff = 0;
      for (let k = 0; k < PIXELS; k++) {
        diff = Math.max(diff, Math.abs(input[k] - want[k]));
      }
      assert(diff <= 8, `${d} at ${h} px: input differs by ${diff}`);
    }
  }
  assertEquals(misread, []);
});

Deno.test("Sketch.classify() reads numbers drawn with the mouse, wide apart or close", () => {
  const misread: string[] = [];
  for (const digits of ["42", "307", "2024", "1984", "56"]) {
    // The pen is 16 pixels wide: 20 apart, the strokes nearly touch.
    for (const [height, gap] of [[150, 40], [100, 20], [55, 20]]) {
      const sketch = numberSketch(digits, height, gap);
      if (sketch.reading.number !== digits) {
        misread.push(
          `${digits} ${height} px tall, ${gap} apart: ${
            reportLines(sketch.reading).join(", ")
          }`,
        );
      }
    }
  }
  assertEquals(misread, []);
  const lines = reportLines(numberSketch("42", 150, 40).reading);
  assertEquals(lines.length, 3);
  assert(/^piece 1: 4 \(\d+\.\d%\)$/.test(lines[0]), lines[0]);
  assert(/^piece 2: 2 \(\d+\.\d%\)$/.test(lines[1]), lines[1]);
  assertEquals(lines[2], "prediction: 42");
});

/** Letters the test model was shown to refuse: none of them is any digit's shape. */
const REFUSED_LETTERS = ["A", "E", "K", "M", "N", "W", "X", "k", "e", "#", "+"];

Deno.test("Sketch.classify() has the network refuse letters, doodles and scribbles", () => {
  const read: string[] = [];
  for (const name of REFUSED_LETTERS) {
    for (const h of [80, 250]) {
      const sketch = new Sketch(reader, drawStrokes(LETTERS[name], h));
      sketch.classify();
      const lines = reportLines(sketch.reading);
      if (lines.at(-1) !== "prediction: ?") {
        read.push(`${name} at ${h} px: ${lines.at(-1)}`);
      }
      assert(
        sketch.reading.digits.some((d) =>
          d.reading.reason?.startsWith("not a digit: highest output")
        ),
        `${name}: ${sketch.reading.reason}`,
      );
    }
  }
  assertEquals(read, []);
  // Doodles the network never saw: most of them are refused.
  const doodles = Object.entries(DOODLES);
  const refused = doodles.filter(([, strokes]) => {
    const sketch = new Sketch(reader, drawStrokes(strokes, 300));
    sketch.classify();
    return sketch.reading.number === null;
  });
  assert(
    refused.length > doodles.length / 2,
    `${refused.length} of ${doodles.length} doodles refused`,
  );
  for (const [name, canvas] of Object.entries(nonDigits())) {
    const sketch = new Sketch(reader, canvas);
    sketch.classify();
    assertEquals(sketch.reading.number, null, name);
    assertEquals(reportLines(sketch.reading).at(-1), "prediction: ?", name);
  }
});

Deno.test("Sketch.classify() says a dot is too small, by its shape", () => {
  const sketch = new Sketch(reader, nonDigits()["a dot"]);
  sketch.classify();
  assertEquals(sketch.reading.reason, "too small: a dot, not a digit");
  // The probabilities are still there, for the panel's grey bars.
  assertEquals(onlyPiece(sketch).reading.probabilities.length, 10);
});

Deno.test("Sketch.classify() says which piece of a number is no digit", () => {
  const sketch = new Sketch(reader);
  let x = drawWithMouse(sketch, DIGITS[4], 30, 200, 150) + 40;
  x = drawWithMouse(sketch, LETTERS.X, x, 200, 150) + 40;
  drawWithMouse(sketch, DIGITS[2], x, 200, 150);
  sketch.classify();
  const lines = reportLines(sketch.reading);
  assertEquals(lines.length, 4, lines.join(", "));
  assert(lines[0].startsWith("piece 1: 4 ("), lines[0]);
  assert(lines[1].startsWith("piece 2: ? (not a digit: "), lines[1]);
  assert(lines[2].startsWith("piece 3: 2 ("), lines[2]);
  assertEquals(lines[3], "prediction: ?");
  assert(
    sketch.reading.reason?.startsWith("piece 2 of 3 is not a digit"),
    sketch.reading.reason,
  );
});

Deno.test("Sketch.classify() gives the network what is left after erasing", () => {
  const sketch = new Sketch(reader);
  // A 7, 250 px tall: its top bar, then the stem.
  sketch.mouseDown(MouseButton.LEFT, 240, 200);
  sketch.mouseMove(420, 200, 1);
  sketch.mouseUp(MouseButton.LEFT, 300, 450);
  sketch.classify();
  assertEquals(sketch.reading.number, "7");
  // The right button goes along the top bar, left of the stem: a 1 is left.
  sketch.mouseDown(MouseButton.RIGHT, 200, 200);
  sketch.mouseUp(MouseButton.RIGHT, 380, 200);
  sketch.classify();
  assertEquals(sketch.reading.number, "1");
  // Erasing it all, along the very path it was drawn, leaves nothing.
  sketch.mouseDown(MouseButton.RIGHT, 380, 200);
  sketch.mouseMove(420, 200, 4);
  sketch.mouseUp(MouseButton.RIGHT, 300, 450);
  assert(sketch.canvas.isEmpty());
  sketch.classify();
  assertEquals(sketch.reading, NOTHING_DRAWN);
  assert(!sketch.drawn);
});

/** A sketch with a vertical stroke: a 1. */
function sketchOfOne(): Sketch {
  const sketch = new Sketch(reader);
  sketch.mouseDown(MouseButton.LEFT, 330, 80);
  sketch.mouseUp(MouseButton.LEFT, 340, 600);
  sketch.classify();
  return sketch;
}

Deno.test("sketchPanel() carries the reading, the eraser and the status", () => {
  const empty = new Sketch(reader);
  empty.classify();
  const blank = sketchPanel(empty, NO_STATUS);
  assertEquals(blank.reading, NOTHING_DRAWN);
  assertEquals(blank.eraser, false);
  assertEquals(blank.status, NO_STATUS);

  const sketch = sketchOfOne();
  sketch.key(KEY_X);
  const status = { text: "Saved", rgb: COLOURS.text };
  const panel = sketchPanel(sketch, status);
  assertEquals(panel.reading, sketch.reading);
  assertEquals(panel.eraser, true);
  assertEquals(panel.status, status);
});

/** The rectangles of `fake` filled with `rgb`. */
function rectsOf(fake: FakeWindow, rgb: number) {
  return fake.rects.filter((r) => r.rgb === rgb);
}

Deno.test("drawSketchPanel() asks for a digit or a number while nothing is drawn", () => {
  const empty = new Sketch(reader);
  empty.classify();
  const fake = new FakeWindow();
  drawSketchPanel(fake.window, fakeFonts(), sketchPanel(empty, NO_STATUS));
  assertEquals(fake.textsWith("Draw a").length, 1);
  assertEquals(fake.textsWith("number").length, 1);
  assertEquals(fake.textsWith("0.0 %").length, 10, "ten empty bars");
  assertEquals(fake.textsWith("Eraser").length, 0);
  for (const line of SKETCH_KEY_LINES) {
    assertEquals(fake.textsWith(line).length, 1, line);
  }
  // Nothing is highlighted: no bar has the answer's colour.
  assertEquals(rectsOf(fake, COLOURS.accent), []);
});

Deno.test("drawSketchPanel() shows one digit's answer large, its percentage, the eraser and the status", () => {
  const sketch = sketchOfOne();
  sketch.key(KEY_X);
  const fake = new FakeWindow();
  const status = { text: "Saved as 1 (train 1)", rgb: COLOURS.text };
  drawSketchPanel(fake.window, fakeFonts(), sketchPanel(sketch, status));
  const big = fake.texts.filter((t) => t.size === 72);
  assertEquals(big.map((t) => [t.text, t.rgb]), [["1", COLOURS.accent]]);
  const p = onlyPiece(sketch).reading.probabilities[1];
  // Under the answer as beside its bar, to the same tenth of a percent.
  const pct = `${(p * 100).toFixed(1)} %`;
  assertEquals(fake.textsWith(pct).length >= 2, true, pct);
  assertEquals(fake.textsWith("Eraser on")[0].rgb, COLOURS.eraser);
  assertEquals(fake.textsWith("Saved as 1")[0].rgb, COLOURS.text);
  assertEquals(fake.textsWith("Draw a").length, 0);
  assertEquals(fake.textsWith("The network sees").map((t) => t.text), [
    "The network sees",
  ]);
  // The answer's bar, and only it, in the answer's colour.
  assertEquals(rectsOf(fake, COLOURS.accent).length, 1);
});

Deno.test("drawSketchPanel() shows '?' and why for a drawing that is no digit, its raw outputs grey", () => {
  const sketch = new Sketch(reader, drawStrokes(LETTERS.X, 300));
  sketch.classify();
  const reason = onlyPiece(sketch).reading.reason!;
  assert(reason.startsWith("not a digit: highest output"), reason);
  const fake = new FakeWindow();
  drawSketchPanel(fake.window, fakeFonts(), sketchPanel(sketch, NO_STATUS));
  const big = fake.texts.filter((t) => t.size === 72);
  assertEquals(big.map((t) => [t.text, t.rgb]), [["?", COLOURS.wrong]]);
  assertEquals(fake.textsWith("no digit").length, 1);
  const why = fake.textsWith("Not a digit: highest output");
  assertEquals(why.length, 1);
  assertEquals(why[0].rgb, COLOURS.wrong);
  // Between the preview and the bars.
  const first = fake.texts.find((t) => t.text === "0")!; // the bars' first row
  assert(why[0].y > 232 && why[0].y + 17 <= first.y, `line at ${why[0].y}`);
  // The raw outputs are shown, all under the threshold as the reason says,
  // none as the answer.
  const outputs = onlyPiece(sketch).reading.outputs;
  assertEquals(fake.textsWith(" %").length, 10);
  for (const v of outputs) {
    const shown = `${(v * 100).toFixed(1)} %`;
    assert(fake.textsWith(shown).length >= 1, shown);
  }
  assertEquals(rectsOf(fake, COLOURS.accent), []);
  assertEquals(fake.textsWith("Draw a").length, 0);
});

/** The rectangle the 28x28 image of `tile` fills (its white ground). */
function groundOf(
  fake: FakeWindow,
  tile: { x: number; y: number; side: number },
) {
  return fake.rects.find((r) =>
    r.x === tile.x && r.y === tile.y && r.w === tile.side &&
    r.h === tile.side && r.rgb === 0xffffff
  );
}

Deno.test("drawSketchPanel() shows a number: each piece's image and answer, the number large", () => {
  const sketch = numberSketch("307", 120, 40);
  assertEquals(sketch.reading.number, "307");
  const fake = new FakeWindow();
  drawSketchPanel(fake.window, fakeFonts(), sketchPanel(sketch, NO_STATUS));
  assertEquals(fake.textsWith("The network sees 3 pieces").length, 1);
  const tiles = pieceTiles(3);
  tiles.forEach((tile, k) => {
    assert(groundOf(fake, tile), `piece ${k + 1}'s image`);
    // Its answer, centred under it, in the answer's colour.
    const digit = "307"[k];
    const label = fake.texts.find((t) =>
      t.text === digit && t.size === 16 && t.y > tile.y + tile.side &&
      t.y < tile.y + tile.side + TILE_LABEL
    );
    assert(label, `the answer under piece ${k + 1}`);
    assertEquals(label.rgb, COLOURS.accent);
  });
  // The whole number, large, in the number's box; no bars, no "?".
  const box = numberBox(3);
  const big = fake.texts.filter((t) => t.size === 72);
  assertEquals(big.map((t) => [t.text, t.rgb]), [["307", COLOURS.accent]]);
  assertEquals(big[0].y, box.y);
  assertEquals(fake.textsWith(" %").length, 3, "a percentage per piece");
  assertEquals(fake.textsWith("?"), []);
  for (const line of SKETCH_KEY_LINES) {
    assertEquals(fake.textsWith(line).length, 1, line);
  }
});

Deno.test("drawSketchPanel() shows which piece of a number is no digit, and why", () => {
  const sketch = new Sketch(reader);
  let x = drawWithMouse(sketch, DIGITS[4], 30, 200, 150) + 40;
  x = drawWithMouse(sketch, LETTERS.A, x, 200, 150) + 40;
  drawWithMouse(sketch, DIGITS[2], x, 200, 150);
  sketch.classify();
  const fake = new FakeWindow();
  drawSketchPanel(fake.window, fakeFonts(), sketchPanel(sketch, NO_STATUS));
  const big = fake.texts.filter((t) => t.size === 72);
  assertEquals(big.map((t) => [t.text, t.rgb]), [["?", COLOURS.wrong]]);
  const which = fake.textsWith("Piece 2 of 3");
  assertEquals(which.map((t) => t.rgb), [COLOURS.wrong]);
  const why = fake.textsWith("Not a digit: highest output");
  assertEquals(why.map((t) => t.rgb), [COLOURS.wrong]);
  assert(which[0].y > numberBox(3).y && why[0].y > which[0].y);
  // The piece that is no digit has a "?" under it and a red frame.
  const tile = pieceTiles(3)[1];
  const under = fake.texts.filter((t) =>
    t.text === "?" && t.size === 16 && t.y > tile.y + tile.side
  );
  assertEquals(under.map((t) => t.rgb), [COLOURS.wrong]);
  assert(
    rectsOf(fake, COLOURS.wrong).some((r) =>
      r.x < tile.x && r.y < tile.y && r.w > tile.side && r.h > tile.side
    ),
    "a red frame",
  );
  // The other two still show what they read.
  for (const d of ["4", "2"]) {
    assertEquals(
      fake.texts.filter((t) => t.text === d && t.size === 16).map((t) => t.rgb),
      [COLOURS.accent],
    );
  }
});

Deno.test("pieceTiles() lays up to eight pieces out left to right, legible, inside the column", () => {
  const { x, width } = SKETCH_COLUMN;
  for (let n = 2; n <= 8; n++) {
    const tiles = pieceTiles(n);
    assertEquals(tiles.length, n);
    for (const [k, t] of tiles.entries()) {
      assertEquals(t.side, t.cell * SIDE);
      assert(t.cell >= 2 && t.cell <= MAX_TILE_CELL, `${n}: cell ${t.cell}`);
      assert(t.x >= x && t.x + t.side <= x + width, `${n}: piece ${k} across`);
      assert(
        t.y >= TILES_TOP &&
          t.y + t.side + TILE_LABEL <= TILES_TOP + TILES_HEIGHT,
        `${n}: piece ${k} down`,
      );
      // Reading order: along a row, then the next row below.
      const prev = tiles[k - 1];
      if (prev) {
        assert(
          prev.y === t.y ? prev.x + prev.side < t.x : prev.y < t.y,
          `${n}: piece ${k} after piece ${k - 1}`,
        );
      }
    }
    // The number goes under them, above the status line.
    const box = numberBox(n);
    const last = tiles[n - 1];
    assert(box.y >= last.y + last.side + TILE_LABEL, `${n}: number below`);
    assert(box.y + box.h + 44 <= 542, `${n}: room for why, above the eraser`);
  }
  // Up to four pieces share one row; two get the largest images.
  assertEquals(new Set(pieceTiles(4).map((t) => t.y)).size, 1);
  assertEquals(pieceTiles(2)[0].cell, MAX_TILE_CELL);
  // Many more pieces than fit: the first ones, as small as can be.
  const many = pieceTiles(40);
  assert(many.length >= 16 && many.length < 40, `${many.length} shown`);
  for (const t of many) {
    assert(t.x + t.side <= x + width && t.y + t.side <= 320);
  }
});
