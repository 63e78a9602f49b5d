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
import { CLASSES, type Dataset, PIXELS } from "../lib/data/mnist.ts";
import { loadModel } from "../lib/nn/model_file.ts";
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
} from "../lib/app/render/view.ts";
import { HELP, loadNetwork, parseRenderArgs } from "../lib/app/render/main.ts";
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

Deno.test("loadNetwork() tolerates a missing default model, not a missing --model", async () => {
  const lines: string[] = [];
  const none = await loadNetwork(
    undefined,
    (l) => lines.push(l),
    "/nonexistent/model.safetensors",
  );
  assertEquals(none, null);
  assertEquals(lines.length, 1);
  assert(lines[0].includes("no predictions"), lines[0]);
  await assertRejects(
    () => loadNetwork("/nonexistent/model.safetensors", () => {}),
    Deno.errors.NotFound,
    "/nonexistent/model.safetensors",
  );
});

const { network } = await loadModel(FIXTURE_MODEL);

/** A small data set of noise images, labels 0..9 repeating. */
function noiseSet(count: number): Dataset {
  return {
    split: "test",
    count,
    images: fakeImages(count, 7),
    labels: fakeLabels(count),
  } as Dataset;
}

Deno.test("predictAll() gives each record's most probable digit and lists the wrong ones", () => {
  const data = noiseSet(30);
  const p = predictAll(network, data);
  assertEquals(p.probs.length, 30 * CLASSES);
  const wrong: number[] = [];
  for (let i = 0; i < data.count; i++) {
    // A naive argmax over the network's own answer for this one record.
    const one = network.predict(
      data.images.subarray(i * PIXELS, (i + 1) * PIXELS),
      1,
    );
    let best = 0;
    for (let d = 1; d < CLASSES; d++) if (one[d] > one[best]) best = d;
    assertEquals(p.predicted[i], best, `record ${i}`);
    if (best !== data.labels[i]) wrong.push(i);
  }
  assertEquals(Array.from(p.wrong), wrong);
});

Deno.test("browserPanel() describes the record on screen and the answer for it", () => {
  const data = noiseSet(12);
  const p = predictAll(network, data);
  const b = new Browser(data.count, 5, p.wrong);
  b.key(Key.SPACE);
  const panel = browserPanel(data, b, p);
  assertEquals(panel.index, 5);
  assertEquals(panel.count, 12);
  assertEquals(panel.label, 5);
  assertEquals(panel.labelShown, true);
  assertEquals(panel.wrongCount, p.wrong.length);
  assertEquals(panel.answer?.digit, p.predicted[5]);
  assertEquals(panel.answer?.p, p.probs[5 * CLASSES + p.predicted[5]]);
  const none = browserPanel(data, b, null);
  assertEquals([none.answer, none.wrongCount], [null, 0]);
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
  const first = predictAll(network, data);
  data.labels.forEach((_, i) =>
    data.labels[i] = i % 2 ? (first.predicted[i] + 1) % 10 : first.predicted[i]
  );
  const p = predictAll(network, data);
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
    assertEquals(fake.textsWith(`Wrong on ${p.wrong.length} of 20`).length, 1);
    // The label's row is marked, in the label's colour.
    assert(fake.rects.some((r) => r.w === 5 && r.rgb === COLOURS.accent));
  }
});
