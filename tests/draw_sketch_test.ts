/**
 * The drawing window's pieces without a window: the command line, the sketch
 * the mouse and keys change, the lines it prints, and what the panel shows
 * (drawn into a `FakeWindow`).
 */
import { join } from "node:path";
import { Canvas } from "../lib/image/canvas.ts";
import { UsageError } from "../lib/cli.ts";
import {
  digitOf,
  KEY_X,
  LivePrediction,
  PREDICT_INTERVAL_MS,
  reportLines,
  savedLine,
  Sketch,
} from "../lib/app/draw/sketch.ts";
import {
  canvasToArgb,
  drawSketchPanel,
  NO_STATUS,
  SKETCH_KEY_LINES,
  sketchPanel,
} from "../lib/app/draw/view.ts";
import { HELP, parseDrawArgs } from "../lib/app/draw/main.ts";
import { PIXELS } from "../lib/data/mnist.ts";
import { argmaxRow } from "../lib/nn/network.ts";
import type { Reading } from "../lib/read/read_digit.ts";
import { DIGITS, drawStrokes, HEIGHTS, nonDigits } from "./_sample_drawings.ts";
import { DEFAULT_MODEL_PATH, loadModel } from "../lib/nn/model_file.ts";
import { DEFAULT_OWN_DIR } from "../lib/data/own_data.ts";
import { Key, MouseButton } from "../lib/native/sdl2.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { FIXTURE_MODEL } from "./_app.ts";
import { fakeFonts, FakeWindow } from "./_fake_window.ts";

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
      "deno task train --add data/own",
      "prediction: ?",
    ]
  ) {
    assert(HELP.includes(word), `HELP does not mention '${word}'`);
  }
});

/** A reading of `probs`: the digit they favour, or none with `reason`. */
function readingOf(probs: number[], reason?: string): Reading {
  const probabilities = Float32Array.from(probs);
  return reason === undefined
    ? {
      digit: argmaxRow(probabilities, 0),
      probabilities,
      outputs: probabilities,
    }
    : { digit: null, probabilities, outputs: probabilities, reason };
}

Deno.test("reportLines() prints one d=p% line per digit, then the prediction", () => {
  const probs = [0.012, 0.001, 0, 0, 0, 0, 0, 0.95, 0.037, 0];
  const lines = reportLines(readingOf(probs));
  assertEquals(lines.length, 11);
  assertEquals(lines[0], "0=1.2%");
  assertEquals(lines[7], "7=95.0%");
  assertEquals(lines[10], "prediction: 7");
  assertEquals(reportLines(null), ["nothing drawn"]);
});

Deno.test("reportLines() prints 'prediction: ?' for a drawing that is no digit", () => {
  const probs = [0, 0, 0, 0, 0.999, 0, 0, 0, 0.001, 0];
  const lines = reportLines(readingOf(probs, "a lone line, not a digit"));
  assertEquals(lines.length, 11);
  assertEquals(lines[4], "4=99.9%");
  assertEquals(lines[10], "prediction: ?");
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

const { network } = await loadModel(FIXTURE_MODEL);

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
  assertEquals(sketch.key(KEY_X).type, "changed");
  assert(sketch.eraser);
  sketch.mouseDown(MouseButton.LEFT, 400, 300);
  sketch.mouseUp(MouseButton.LEFT, 400, 300);
  assertEquals(at(400, 300), 0);
  sketch.key(KEY_X);
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

/** A sketch that counts its readings, on a clock the test moves. */
function countedSketch() {
  const sketch = new Sketch(network);
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

Deno.test("Sketch.classify() reads each digit the same at every height", () => {
  const misread: string[] = [];
  for (const [d, strokes] of Object.entries(DIGITS)) {
    const large = new Sketch(network, drawStrokes(strokes, 420));
    large.classify();
    assertEquals(large.reading?.digit, Number(d), `${d} at 420 px`);
    for (const h of HEIGHTS) {
      const sketch = new Sketch(network, drawStrokes(strokes, h));
      sketch.classify();
      if (sketch.reading?.digit !== large.reading?.digit) {
        misread.push(
          `${d} at ${h} px: ${sketch.reading?.digit} (${sketch.reading?.reason})`,
        );
      }
      // The network is given nearly the same image.
      let diff = 0;
      for (let k = 0; k < PIXELS; k++) {
        diff = Math.max(diff, Math.abs(sketch.input[k] - large.input[k]));
      }
      assert(diff <= 8, `${d} at ${h} px: input differs by ${diff}`);
    }
  }
  assertEquals(misread, []);
});

Deno.test("Sketch.classify() refuses shapes that are not digits, and says why", () => {
  const want: Record<string, string> = {
    "a dot": "too small: a dot, not a digit",
    "a filled blob": "too much ink: a filled blob",
    "a scribble": "too many strokes: a scribble",
    "a horizontal bar": "a lone line, not a digit",
    "a bar slanted 24 degrees": "a lone line, not a digit",
    "a short bar": "a lone line, not a digit",
  };
  for (const [name, canvas] of Object.entries(nonDigits())) {
    const sketch = new Sketch(network, canvas);
    sketch.classify();
    assertEquals(sketch.reading?.digit, null, name);
    assertEquals(sketch.reading?.reason, want[name], name);
    // The probabilities are still there, and so is the network's pick.
    assert(sketch.probs !== null && sketch.predicted >= 0, name);
    assertEquals(reportLines(sketch.reading).at(-1), "prediction: ?", name);
  }
});

Deno.test("Sketch.classify() reads a 0 the brush filled in, not a blob filled in by hand", () => {
  const zero = new Sketch(network, drawStrokes(DIGITS[0], 85));
  zero.classify();
  assertEquals(zero.reading?.digit, 0);
  // A square of about that size filled back and forth, 20 px apart.
  const canvas = new Canvas();
  for (let k = 0, y = 200; y < 320; k++, y += 20) {
    canvas.stroke(k % 2 ? 320 : 200, y, k % 2 ? 200 : 320, y + 20);
  }
  const blob = new Sketch(network, canvas);
  blob.classify();
  assertEquals(blob.reading?.reason, "too much ink: a filled blob");
});

Deno.test("Sketch.classify() gives the network what is left after erasing", () => {
  const sketch = new Sketch(network);
  // A 7, 250 px tall: its top bar, then the stem.
  sketch.mouseDown(MouseButton.LEFT, 240, 200);
  sketch.mouseMove(420, 200, 1);
  sketch.mouseUp(MouseButton.LEFT, 300, 450);
  sketch.classify();
  assertEquals(sketch.reading?.digit, 7);
  // The right button goes along the top bar, left of the stem: a 1 is left.
  sketch.mouseDown(MouseButton.RIGHT, 200, 200);
  sketch.mouseUp(MouseButton.RIGHT, 380, 200);
  sketch.classify();
  assertEquals(sketch.reading?.digit, 1);
  // Erasing it all, along the very path it was drawn, leaves nothing.
  sketch.mouseDown(MouseButton.RIGHT, 380, 200);
  sketch.mouseMove(420, 200, 4);
  sketch.mouseUp(MouseButton.RIGHT, 300, 450);
  assert(sketch.canvas.isEmpty());
  sketch.classify();
  assertEquals(sketch.reading, null);
  assertEquals(sketch.probs, null);
});

/** A sketch with a vertical stroke: a 1. */
function sketchOfOne(): Sketch {
  const sketch = new Sketch(network);
  sketch.mouseDown(MouseButton.LEFT, 330, 80);
  sketch.mouseUp(MouseButton.LEFT, 340, 600);
  sketch.classify();
  return sketch;
}

Deno.test("sketchPanel() carries the input, the answer and the eraser", () => {
  const empty = new Sketch(network);
  empty.classify();
  const blank = sketchPanel(empty, NO_STATUS);
  assertEquals(blank.answer, null);
  assertEquals(blank.refused, null);
  assertEquals(blank.eraser, false);
  assert(blank.input.every((v) => v === 0));

  const sketch = sketchOfOne();
  sketch.key(KEY_X);
  const status = { text: "Saved", rgb: COLOURS.text };
  const panel = sketchPanel(sketch, status);
  assertEquals(panel.input, sketch.input);
  assertEquals(panel.eraser, true);
  assertEquals(panel.status, status);
  assertEquals(panel.answer?.digit, 1);
  assertEquals(panel.answer?.digit, sketch.predicted);
  assertEquals(panel.answer?.p, sketch.probs![1]);
  assertEquals(panel.refused, null);

  const bar = new Sketch(network, nonDigits()["a horizontal bar"]);
  bar.classify();
  const refused = sketchPanel(bar, NO_STATUS);
  assertEquals(refused.refused, "a lone line, not a digit");
  assertEquals(refused.answer?.probs, bar.probs);
});

Deno.test("drawSketchPanel() asks for a digit while nothing is drawn", () => {
  const empty = new Sketch(network);
  empty.classify();
  const fake = new FakeWindow();
  drawSketchPanel(fake.window, fakeFonts(), sketchPanel(empty, NO_STATUS));
  assertEquals(fake.textsWith("Draw a").length, 1);
  assertEquals(fake.textsWith("0.0 %").length, 10, "ten empty bars");
  assertEquals(fake.textsWith("Eraser").length, 0);
  for (const line of SKETCH_KEY_LINES) {
    assertEquals(fake.textsWith(line).length, 1, line);
  }
  // Nothing is highlighted: no bar has the answer's colour.
  assert(!fake.rects.some((r) => r.rgb === COLOURS.accent));
});

Deno.test("drawSketchPanel() shows the answer large, its percentage, the eraser and the status", () => {
  const sketch = sketchOfOne();
  sketch.key(KEY_X);
  const fake = new FakeWindow();
  const status = { text: "Saved as 1 (train 1)", rgb: COLOURS.text };
  drawSketchPanel(fake.window, fakeFonts(), sketchPanel(sketch, status));
  const big = fake.texts.filter((t) => t.size === 72);
  assertEquals(big.map((t) => [t.text, t.rgb]), [["1", COLOURS.accent]]);
  const pct = `${Math.round(sketch.probs![1] * 100)} %`;
  assertEquals(fake.textsWith(pct).length >= 1, true, pct);
  assertEquals(fake.textsWith("Eraser on")[0].rgb, COLOURS.wrong);
  assertEquals(fake.textsWith("Saved as 1")[0].rgb, COLOURS.text);
  assertEquals(fake.textsWith("Draw a").length, 0);
  // The answer's bar, and only it, in the answer's colour.
  assertEquals(fake.rects.filter((r) => r.rgb === COLOURS.accent).length, 1);
});

Deno.test("drawSketchPanel() shows '?' and why for a drawing that is no digit, the bars grey", () => {
  const sketch = new Sketch(network, nonDigits()["a horizontal bar"]);
  sketch.classify();
  const fake = new FakeWindow();
  drawSketchPanel(fake.window, fakeFonts(), sketchPanel(sketch, NO_STATUS));
  const big = fake.texts.filter((t) => t.size === 72);
  assertEquals(big.map((t) => [t.text, t.rgb]), [["?", COLOURS.wrong]]);
  assertEquals(fake.textsWith("no digit").length, 1);
  const why = fake.textsWith("A lone line, not a digit");
  assertEquals(why.length, 1);
  assertEquals(why[0].rgb, COLOURS.wrong);
  // Between the preview and the bars.
  const first = fake.texts.find((t) => t.text === "0")!; // the bars' first row
  assert(why[0].y > 232 && why[0].y + 17 <= first.y, `line at ${why[0].y}`);
  // The probabilities are shown, but none as the answer.
  assertEquals(fake.textsWith("99.9 %").length, 1);
  assert(!fake.rects.some((r) => r.rgb === COLOURS.accent));
  assertEquals(fake.textsWith("Draw a").length, 0);
});
