/**
 * The training window's state, driven by hook calls and a clock of the
 * test's own, without a display: the curves' points, when frames are due,
 * pausing and stopping, the strip's answers; its view drawn into a scene; the
 * hooks composed; and the --watch flag.
 */
import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";
import { CLASSES, type Dataset, PIXELS } from "../lib/data/mnist.ts";
import { Key } from "../lib/native/sdl2.ts";
import type { EpochReport, StepReport } from "../lib/nn/train.ts";
import { parseTrainArgs } from "../lib/app/train_app.ts";
import { HEIGHT, WIDTH } from "../lib/ui/wide_window.ts";
import { Scene } from "../lib/ui/scene.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import {
  EVENTS_MS,
  FRAME_MS,
  stripRecords,
  WatchState,
} from "../lib/app/watch/state.ts";
import {
  drawWatch,
  duration,
  MAX_TILES,
  rateText,
  STRIP_PITCH,
  STRIP_Y,
  stripX,
  watchGrid,
} from "../lib/app/watch/view.ts";
import { composeHooks, windowTitle } from "../lib/app/watch/main.ts";
import { fakeImages } from "./_fixtures.ts";

/** A clock the test moves by hand. */
class Clock {
  ms = 1000;
  readonly read = () => this.ms;
}

/** Step `step` of `steps` in epoch `epoch`, 64 images a step. */
function stepReport(
  epoch: number,
  step: number,
  steps: number,
  loss = 1,
  seconds = 1,
): StepReport {
  return {
    epoch,
    step,
    steps,
    done: Math.min(step * 64, steps * 64),
    total: steps * 64,
    loss,
    meanLoss: loss,
    seconds,
    rate: 0.1,
  };
}

function epochReport(epoch: number, accuracy: number): EpochReport {
  return { epoch, loss: 0.5, accuracy, seconds: 1, rate: 0.1 };
}

/** A data set whose labels are `labels`, images made up. */
function dataset(labels: number[]): Dataset {
  return {
    split: "test",
    count: labels.length,
    images: fakeImages(labels.length),
    labels: Uint8Array.from(labels),
  };
}

/** (n, 10) probabilities that answer `digits`, each with probability 0.9. */
function probsFor(digits: number[]): Float32Array {
  const probs = new Float32Array(digits.length * CLASSES).fill(0.01);
  digits.forEach((d, k) => probs[k * CLASSES + d] = 0.9);
  return probs;
}

Deno.test("WatchState.step() adds a loss point every so many steps, the mean of their losses", () => {
  const state = new WatchState(2);
  state.start(undefined);
  // 100 steps an epoch, 2 epochs: at most 50 points an epoch, so every 2 steps.
  for (let s = 1; s <= 100; s++) state.step(stepReport(1, s, 100, s));
  assertEquals(state.loss.length, 50);
  assertEquals(state.loss[0], { at: 2 / 100, loss: 1.5 });
  assertEquals(state.loss[49], { at: 1, loss: 99.5 });
  // Points go on across the epoch's end, at the same spacing.
  for (let s = 1; s <= 3; s++) state.step(stepReport(2, s, 100, 4));
  assertEquals(state.loss.length, 51);
  assertEquals(state.loss[50], { at: 1 + 2 / 100, loss: 4 });
  assertEquals(state.last?.step, 3);
});

Deno.test("WatchState.step() keeps about 400 points over a long run", () => {
  const state = new WatchState(40);
  state.start(undefined);
  for (let e = 1; e <= 40; e++) {
    for (let s = 1; s <= 1000; s++) state.step(stepReport(e, s, 1000));
  }
  assertEquals(state.loss.length, 400);
  assertEquals(state.loss[399].at, 40);
});

Deno.test("WatchState.epochEnd() adds the test accuracy, and none without a test set", () => {
  const state = new WatchState(3);
  state.start(undefined);
  state.epochEnd(epochReport(1, 0.9));
  state.epochEnd(epochReport(2, NaN));
  state.epochEnd(epochReport(3, 0.95));
  assertEquals(state.accuracy, [
    { epoch: 1, accuracy: 0.9 },
    { epoch: 3, accuracy: 0.95 },
  ]);
});

Deno.test("WatchState.due() draws at most every FRAME_MS of its clock and handles events in between", () => {
  const clock = new Clock();
  const state = new WatchState(1, { clock: clock.read });
  state.start(undefined);
  assertEquals(state.due(), "frame", "the first step is drawn");
  state.frameDrawn();
  assertEquals(state.due(), "none");
  clock.ms += EVENTS_MS - 1;
  assertEquals(state.due(), "none");
  clock.ms += 1;
  assertEquals(state.due(), "events");
  assertEquals(state.due(), "none", "events were just handled");
  clock.ms += FRAME_MS - EVENTS_MS - 1;
  assertEquals(state.due(), "events");
  clock.ms += 1;
  assertEquals(state.due(), "frame");
  state.frameDrawn();
  assertEquals(state.due(), "none");
  // Each epoch's end is drawn at once.
  state.epochEnd(epochReport(1, 0.5));
  assertEquals(state.due(), "frame");
});

Deno.test("WatchState pauses and resumes on SPACE, leaving the pause out of the time left", () => {
  const clock = new Clock();
  const state = new WatchState(2, { clock: clock.read });
  assertEquals(state.key(Key.SPACE), false, "nothing to pause before training");
  state.start(undefined);
  // A slow first step (threads starting, code warming up) is left out: the
  // pace is measured from it.
  clock.ms += 5_000;
  state.step(stepReport(1, 1, 101, 1, 5));
  assert(Number.isNaN(state.imagesPerSecond), "not yet measured");
  assert(Number.isNaN(state.secondsLeft), "not yet measured");
  clock.ms += 10_000;
  state.step(stepReport(1, 51, 101, 1, 15));
  // 50 steps in 10 s, 151 left of 202: 30.2 s left.
  assertAlmostEquals(state.secondsLeft, 30.2, 1e-9);
  assertEquals(state.imagesPerSecond, 50 * 64 / 10);
  assertEquals(state.key(Key.SPACE), true);
  assert(state.paused);
  assertEquals(windowTitle(state, 200), "Training 784-200-10 · paused");
  clock.ms += 60_000;
  assertAlmostEquals(
    state.secondsLeft,
    30.2,
    1e-9,
    "the clock stops while paused",
  );
  assertEquals(state.key(Key.SPACE), true);
  assertEquals(state.phase, "training");
  assertAlmostEquals(state.secondsLeft, 30.2, 1e-9);
  assertEquals(windowTitle(state, 200), "Training 784-200-10 · epoch 1 of 2");
  clock.ms += 10_000;
  assertEquals(state.elapsed, 25);
});

Deno.test("WatchState stops on ESC, paused or not, or before training starts, and says the model is not saved", () => {
  for (const when of ["loading", "training", "paused"]) {
    const state = new WatchState(2);
    if (when !== "loading") state.start(undefined);
    if (when === "paused") state.key(Key.SPACE);
    assertEquals(state.key(Key.ESCAPE), "quit");
    assert(state.stopped);
    assertEquals(state.summary, "Stopped: the model is not saved");
    assertEquals(state.key(Key.SPACE), false, "a stopped run stays stopped");
    assertEquals(state.stop(), false);
  }
});

Deno.test("WatchState once done: ESC closes the window, SPACE does nothing", () => {
  const state = new WatchState(1);
  state.start(undefined);
  state.finish("done: saved m.safetensors");
  assertEquals(state.phase, "done");
  assertEquals(state.secondsLeft, 0);
  assertEquals(state.key(Key.SPACE), false);
  assertEquals(state.stop(), false, "a finished run is not stopped");
  assertEquals(state.key(Key.ESCAPE), "quit");
  assertEquals(state.phase, "done");
});

Deno.test("stripRecords() takes the first two of each digit, in digit order", () => {
  const labels = Array.from({ length: 50 }, (_, i) => (i * 7) % 10);
  const records = stripRecords(dataset(labels));
  assertEquals(records.length, 20);
  assertEquals(
    records.map((r) => labels[r]),
    [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9],
  );
  assertEquals(records.slice(0, 2), [0, 10]);
  // Digits that are missing leave room for the first records not taken.
  assertEquals(stripRecords(dataset([3, 3, 3, 3, 1, 3])), [4, 0, 1, 2, 3, 5]);
  assertEquals(stripRecords(dataset([5, 5, 5]), 2), [0, 1]);
});

Deno.test("WatchState.setAnswers() reads the strip's answers and marks the wrong ones", () => {
  const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const state = new WatchState(1);
  state.start(dataset([...labels, ...labels]));
  assertEquals(state.strip.count, 20);
  assertEquals(state.strip.images.length, 20 * PIXELS);
  const answers = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9];
  answers[3] = 7;
  answers[18] = 4;
  state.setAnswers(probsFor(answers));
  assertEquals(state.stripRight, 18);
  assertEquals(state.answers[3], {
    digit: 7,
    p: state.answers[3].p,
    right: false,
  });
  assertEquals(
    state.answers.flatMap((a, k) => a.right ? [] : [k]),
    [3, 18],
  );
  assert(Math.abs(state.answers[0].p - 0.9) < 1e-6);
});

Deno.test("drawWatch() draws the curves, the weights and the strip with its wrong answers marked", () => {
  const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const state = new WatchState(4);
  const scene = new Scene(WIDTH, HEIGHT);
  drawWatch(scene, state, undefined);
  const texts = () => scene.labels.map((l) => l.text);
  assert(texts().includes("reading the data"), texts().join(" | "));

  state.start(dataset([...labels, ...labels]));
  for (let s = 1; s <= 100; s++) state.step(stepReport(1, s, 100, 2 / s));
  state.epochEnd(epochReport(1, 0.875));
  const answers = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9];
  answers[5] = 8;
  state.setAnswers(probsFor(answers));
  const hidden = 12;
  const w1 = new Float32Array(hidden * PIXELS).map((_, i) => i % 3 - 1);
  const after = new Scene(WIDTH, HEIGHT);
  drawWatch(after, state, { w1, hidden });
  const said = after.labels.map((l) => l.text);
  assert(said.includes("Training 784-12-10"), said.join(" | "));
  assert(said.includes("87.5 %"), "the last accuracy");
  assert(said.includes("1 of 4"), "the epoch");
  assert(
    said.some((t) => t.endsWith(": 19 right, 1 wrong")),
    said.join(" | "),
  );
  // The wrong answer is framed, in red; the right ones are not.
  const at = (x: number, y: number) => {
    const i = (y * after.raster.width + x) * 3;
    const px = after.raster.rgb;
    return px[i] << 16 | px[i + 1] << 8 | px[i + 2];
  };
  assertEquals(at(stripX(5), STRIP_Y), COLOURS.wrong);
  assert(at(stripX(4), STRIP_Y) !== COLOURS.wrong);
  assert(STRIP_PITCH * 20 <= after.raster.width);
  // Every unit's tile is drawn: its first pixel is no longer the background.
  const grid = watchGrid(hidden);
  assert(at(grid.x, grid.y) !== COLOURS.panel);
  assert(at(grid.x + grid.pitch * (hidden - 1), grid.y) !== COLOURS.panel);
});

Deno.test("watchGrid() fits 200 units' tiles at one and a half times their size, and as many as fit of a huge layer", () => {
  const g = watchGrid(200);
  assertEquals(g.tile, 42);
  assert(g.columns * g.rows >= 200);
  const huge = watchGrid(5000);
  assertEquals(huge.count, MAX_TILES);
  assertEquals(huge.tile, 14);
  // Above the strip of digits.
  assert(huge.y + huge.rows * huge.pitch < STRIP_Y - 26);
});

Deno.test("duration() and rateText() write the numbers of the window", () => {
  assertEquals(duration(NaN), "–");
  assertEquals(duration(42.4), "42 s");
  assertEquals(duration(65), "1 min 05 s");
  assertEquals(duration(3 * 3600 + 120), "3 h 02 min");
  assertEquals(rateText(0.2), "0.2");
  assertEquals(rateText(0.18734), "0.187");
  assertEquals(rateText(7.963e-6), "7.96e−6");
  assertEquals(rateText(0), "0");
});

Deno.test("composeHooks() calls every hook each time and stops when any says so", () => {
  const calls: string[] = [];
  let stopAt = 0;
  const hooks = composeHooks(
    {
      afterStep: (s) => {
        calls.push(`a${s.step}`);
        return s.step === stopAt ? "stop" : undefined;
      },
    },
    {
      afterStep: (s) => void calls.push(`b${s.step}`),
      afterEpoch: (e) => {
        calls.push(`e${e.epoch}`);
        return "stop";
      },
    },
  );
  assertEquals(hooks.afterStep!(stepReport(1, 1, 2), null!), undefined);
  stopAt = 2;
  assertEquals(hooks.afterStep!(stepReport(1, 2, 2), null!), "stop");
  assertEquals(hooks.afterEpoch!(epochReport(1, 0.5), null!), "stop");
  assertEquals(calls, ["a1", "b1", "a2", "b2", "e1"]);
});

Deno.test("parseTrainArgs() reads --watch, off by default", () => {
  const env = () => undefined;
  assertEquals(parseTrainArgs([], env)?.watch, false);
  assertEquals(parseTrainArgs(["--watch"], env)?.watch, true);
});
