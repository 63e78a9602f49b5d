/**
 * The record browser's pieces without a window: the command line, the
 * browser the keys move, the network's answers for a set, and what the panel
 * shows (drawn into a `FakeWindow`).
 */
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./_assert.ts";
import { fakeImages, fakeLabels } from "./_fixtures.ts";
import { UsageError } from "../lib/cli.ts";
import {
  CLASSES,
  type Dataset,
  imageAt,
  loadMnist,
  PIXELS,
} from "../lib/data/mnist.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { readDigit } from "../lib/read/read_digit.ts";
import { type DigitReader, readerOf } from "../lib/read/read_number.ts";
import {
  Browser,
  PAGE,
  predictAll,
  windowTitle,
} from "../lib/app/render/browser.ts";
import {
  browserKeyLines,
  browserPanel,
  drawBrowserPanel,
  thresholdLine,
} from "../lib/app/render/view.ts";
import { HELP, loadReader, parseRenderArgs } from "../lib/app/render/main.ts";
import { Key, Mod } from "../lib/native/sdl2.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import { FIXTURE_MODEL } from "./_app.ts";
import { fakeFonts, FakeWindow } from "./_fake_window.ts";

Deno.test("parseRenderArgs() reads the flags, counting records from 1", () => {
  assertEquals(parseRenderArgs(["--set", "test", "--index", "5"]), {
    split: "test",
    index: 4,
    dataDir: parseRenderArgs([])!.dataDir,
    modelPath: undefined,
  });
  assertEquals(parseRenderArgs(["--help"]), null);
  assertThrows(() => parseRenderArgs(["--set", "dev"]), UsageError, "--set");
  assertThrows(() => parseRenderArgs(["--index", "0"]), UsageError, "from 1");
  assertThrows(() => parseRenderArgs(["--index", "2.5"]), UsageError, "2.5");
  assertThrows(() => parseRenderArgs(["--frobnicate"]), UsageError);
});

Deno.test("HELP lists every key the browser understands", () => {
  for (
    const key of [
      "DOWN",
      "RIGHT",
      "UP",
      "LEFT",
      "PAGE DOWN/UP",
      "HOME",
      "END",
      "SPACE",
      "E ",
      "W, SHIFT+E",
      "ESC",
    ]
  ) {
    assert(HELP.includes(key), `--help does not mention ${key}`);
  }
});

Deno.test("windowTitle() shows the set and the record counting from 1", () => {
  assertEquals(windowTitle("train", 1233, 60000), "train 1234/60000");
});

Deno.test("Browser.key() moves through the records and stops at both ends", () => {
  const b = new Browser(250);
  assertEquals(b.key(Key.UP), "unchanged");
  assertEquals(b.key(Key.LEFT), "unchanged");
  assertEquals(b.index, 0);
  assertEquals(b.key(Key.DOWN), "changed");
  assertEquals(b.key(Key.RIGHT), "changed");
  assertEquals(b.index, 2);
  b.key(Key.PAGE_DOWN);
  assertEquals(b.index, 2 + PAGE);
  b.key(Key.PAGE_DOWN);
  b.key(Key.PAGE_DOWN);
  assertEquals(b.index, 249);
  assertEquals(b.key(Key.DOWN), "unchanged");
  b.key(Key.PAGE_UP);
  assertEquals(b.index, 149);
  b.key(Key.HOME);
  assertEquals(b.index, 0);
  b.key(Key.END);
  assertEquals(b.index, 249);
  assertEquals(b.key(Key.ESCAPE), "quit");
});

Deno.test("Browser.key() toggles the label with SPACE", () => {
  const b = new Browser(3);
  b.key(Key.SPACE);
  assertEquals(b.labelShown, true);
  b.key(Key.SPACE);
  assertEquals(b.labelShown, false);
});

Deno.test("Browser.key() jumps between the records the network gets wrong", () => {
  const b = new Browser(100, 0, Int32Array.from([3, 40, 41, 90]));
  b.key(Key.E);
  assertEquals(b.index, 3);
  b.key(Key.E);
  b.key(Key.E);
  assertEquals(b.index, 41);
  b.key(Key.E);
  assertEquals(b.index, 90);
  assertEquals(b.key(Key.E), "unchanged");
  b.key(Key.W);
  assertEquals(b.index, 41);
  b.key(Key.E, Mod.SHIFT);
  assertEquals(b.index, 40);
  b.key(Key.HOME);
  assertEquals(b.key(Key.W), "unchanged");
  assertEquals(new Browser(5).key(Key.E), "unchanged");
});

Deno.test("loadReader() tolerates a missing default model, not a missing --model", async () => {
  const lines: string[] = [];
  const none = await loadReader(
    undefined,
    (l) => lines.push(l),
    "/nonexistent/model.safetensors",
  );
  assertEquals(none, null);
  assertEquals(lines.length, 1);
  assert(lines[0].includes("no predictions"), lines[0]);
  await assertRejects(
    () => loadReader("/nonexistent/model.safetensors", () => {}),
    Deno.errors.NotFound,
    "/nonexistent/model.safetensors",
  );
});

const reader = readerOf(await loadModel(FIXTURE_MODEL));
const { network } = reader;
/** The fixture model's network with no threshold: it refuses nothing. */
const readsAll: DigitReader = { network, threshold: 0 };

Deno.test("loadReader() gives the model's network and calibrated threshold", async () => {
  const loaded = await loadReader(FIXTURE_MODEL, () => {});
  // The fixture model was calibrated when it was trained.
  assertEquals(loaded?.threshold, 0.193);
});

/** A small data set of noise images, labels 0..9 repeating. */
function noiseSet(count: number): Dataset {
  return {
    split: "test",
    count,
    images: fakeImages(count, 7),
    labels: fakeLabels(count),
  } as Dataset;
}

/**
 * The first `digits` MNIST test records, then `noise` images of noise,
 * labels 0..9 repeating.
 */
async function mixedSet(digits: number, noise: number): Promise<Dataset> {
  const test = await loadMnist("test", { limit: digits });
  const count = digits + noise;
  const images = new Uint8Array(count * PIXELS);
  images.set(test.images.subarray(0, digits * PIXELS));
  images.set(fakeImages(noise, 7), digits * PIXELS);
  const labels = new Uint8Array(count);
  labels.set(test.labels.subarray(0, digits));
  labels.set(fakeLabels(noise), digits);
  return { split: "test", count, images, labels } as Dataset;
}

Deno.test("predictAll() reads each record as readDigit() does, and lists the wrong and the refused ones", async () => {
  const data = await mixedSet(200, 20);
  const p = predictAll(reader, data);
  assertEquals(p.probs.length, data.count * CLASSES);
  assertEquals(p.threshold, reader.threshold);
  const wrong: number[] = [];
  let refused = 0;
  for (let i = 0; i < data.count; i++) {
    const one = readDigit(network, imageAt(data, i), {
      threshold: reader.threshold,
    });
    const best = one.probabilities.indexOf(Math.max(...one.probabilities));
    assertEquals(p.predicted[i], best, `record ${i}`);
    assertEquals(p.refused[i], one.digit === null ? 1 : 0, `record ${i}`);
    assert(
      Math.abs(p.highest[i] - Math.max(...one.outputs)) < 1e-6,
      `record ${i}`,
    );
    for (let d = 0; d < CLASSES; d++) {
      assert(
        Math.abs(p.probs[i * CLASSES + d] - one.probabilities[d]) < 1e-6,
        `record ${i}, digit ${d}`,
      );
    }
    if (one.digit === null) refused++;
    if (one.digit !== data.labels[i]) wrong.push(i);
  }
  assertEquals(Array.from(p.wrong), wrong);
  assertEquals(p.refusedCount, refused);
  // Noise is no digit; MNIST digits are read, almost all of them.
  assertEquals(Array.from(p.refused.subarray(200)), new Array(20).fill(1));
  assert(refused - 20 <= 4, `${refused - 20} of 200 MNIST digits refused`);
});

Deno.test("predictAll() refuses nothing at threshold 0 and everything at 1", () => {
  const data = noiseSet(30);
  const none = predictAll(readsAll, data);
  assertEquals(none.refusedCount, 0);
  const wrong: number[] = [];
  for (let i = 0; i < data.count; i++) {
    if (none.predicted[i] !== data.labels[i]) wrong.push(i);
  }
  assertEquals(Array.from(none.wrong), wrong);
  const all = predictAll({ network, threshold: 1 }, data);
  assertEquals(all.refusedCount, 30);
  assertEquals(all.wrong.length, 30);
  // The same digits and probabilities, whatever the threshold.
  assertEquals(all.predicted, none.predicted);
  assertEquals(all.probs, none.probs);
});

Deno.test("browserPanel() describes the record on screen and the answer for it", () => {
  const data = noiseSet(12);
  const p = predictAll(readsAll, data);
  const b = new Browser(data.count, 5, p.wrong);
  b.key(Key.SPACE);
  const panel = browserPanel(data, b, p);
  assertEquals(panel.index, 5);
  assertEquals(panel.count, 12);
  assertEquals(panel.label, 5);
  assertEquals(panel.labelShown, true);
  assertEquals(panel.wrongCount, p.wrong.length);
  assertEquals(panel.refusedCount, 0);
  assertEquals(panel.answer?.digit, p.predicted[5]);
  assertEquals(panel.answer?.p, p.probs[5 * CLASSES + p.predicted[5]]);
  assertEquals(panel.answer?.refused, false);
  assertEquals(panel.answer?.highest, p.highest[5]);
  assertEquals(panel.answer?.threshold, 0);
  const refusing = browserPanel(data, b, predictAll(reader, data));
  assertEquals(refusing.answer?.refused, true);
  // A refused record's bars are its raw outputs: the largest is the one the
  // threshold line gives.
  assertEquals(refusing.answer?.p, refusing.answer?.highest);
  assertEquals(refusing.answer?.threshold, reader.threshold);
  assertEquals(refusing.refusedCount, 12);
  const none = browserPanel(data, b, null);
  assertEquals([none.answer, none.wrongCount, none.refusedCount], [null, 0, 0]);
});

Deno.test("drawBrowserPanel() without a model says how to train one", () => {
  const data = noiseSet(3);
  const fake = new FakeWindow();
  drawBrowserPanel(
    fake.window,
    fakeFonts(),
    browserPanel(data, new Browser(3), null),
  );
  assertEquals(fake.textsWith("No trained model").length, 1);
  assertEquals(fake.textsWith("deno task train").length, 1);
  assertEquals(fake.textsWith("test set · record 1 of 3").length, 1);
  assertEquals(fake.textsWith("?  (SPACE shows it)").length, 1);
  for (const line of browserKeyLines(false)) {
    assertEquals(fake.textsWith(line).length, 1, line);
  }
  assertEquals(fake.textsWith("%").length, 0, "no bars");
});

Deno.test("drawBrowserPanel() shows a right answer in green and a wrong one in red with the label", () => {
  const data = noiseSet(20);
  // Labels the network gets right on even records, wrong on odd ones.
  const first = predictAll(readsAll, data);
  data.labels.forEach((_, i) =>
    data.labels[i] = i % 2 ? (first.predicted[i] + 1) % 10 : first.predicted[i]
  );
  const p = predictAll(readsAll, data);
  assertEquals(p.wrong.length, 10);
  for (let i = 0; i < 6; i++) {
    const b = new Browser(data.count, i, p.wrong);
    b.key(Key.SPACE);
    const fake = new FakeWindow();
    drawBrowserPanel(fake.window, fakeFonts(), browserPanel(data, b, p));
    const ok = p.predicted[i] === data.labels[i];
    const digit = fake.texts.filter((t) => t.size === 44);
    assertEquals(digit.map((t) => [t.text, t.rgb]), [[
      String(p.predicted[i]),
      ok ? COLOURS.right : COLOURS.wrong,
    ]]);
    const verdict = ok ? "✓ right" : `✗ WRONG: it is a ${data.labels[i]}`;
    assertEquals(fake.textsWith(verdict).length, 1, verdict);
    assertEquals(fake.textsWith(" sure").length, 1);
    assertEquals(fake.textsWith(`Wrong on ${p.wrong.length} of 20`).length, 1);
    assertEquals(fake.textsWith("0 of them refused").length, 1);
    assertEquals(
      fake.textsWith(`≥ threshold 0.000`).map((t) => t.text),
      [`top output ${p.highest[i].toFixed(3)} ≥ threshold 0.000`],
    );
    // The label's row is marked, in the label's colour.
    assert(fake.rects.some((r) => r.w === 5 && r.rgb === COLOURS.accent));
  }
});

Deno.test("drawBrowserPanel() shows a refused record as ? with the refusal, its bars, and counts it wrong", async () => {
  const data = await mixedSet(10, 2);
  const p = predictAll(reader, data);
  // The noise is refused; so the E key goes there from the digits.
  assertEquals(Array.from(p.refused.subarray(10)), [1, 1]);
  const b = new Browser(data.count, 0, p.wrong);
  assertEquals(b.key(Key.END), "changed");
  b.key(Key.E, Mod.SHIFT);
  assertEquals(b.index, 10);
  const fake = new FakeWindow();
  drawBrowserPanel(fake.window, fakeFonts(), browserPanel(data, b, p));
  const digit = fake.texts.filter((t) => t.size === 44);
  assertEquals(digit.map((t) => [t.text, t.rgb]), [["?", COLOURS.wrong]]);
  assertEquals(fake.textsWith("not a digit").length, 1);
  assertEquals(fake.textsWith(" sure").length, 0);
  const label = data.labels[10];
  assertEquals(fake.textsWith(`✗ WRONG: it is a ${label}`).length, 1);
  const line = thresholdLine(browserPanel(data, b, p).answer!);
  assertEquals(
    line,
    `top output ${p.highest[10].toFixed(3)} < threshold 0.193`,
  );
  assertEquals(fake.textsWith(line).length, 1);
  // The bars as for any record: ten percentages, red.
  assertEquals(fake.textsWith("%").length, 10 + 1);
  assertEquals(
    fake.textsWith(`${p.refusedCount} of them refused as not digits`).length,
    1,
  );
});
