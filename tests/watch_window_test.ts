/**
 * `deno task train --watch` as a person uses it: the trainer started with the
 * task's permissions on a private Xvfb, on a small data set, its window
 * photographed while it trains and driven with real key presses; and its one
 * line without a display.
 */
import { assert, assertEquals } from "./_assert.ts";
import { writeDataDir } from "./_fixtures.ts";
import { App, runToEnd, taskArgs } from "./_app.ts";
import {
  changedPixels,
  cpuWhileIdle,
  delay,
  focus,
  isAlive,
  pressKeys,
  requestClose,
  type Screenshot,
  screenshot,
  startXvfb,
  until,
  windowName,
  type Xvfb,
} from "./_x11.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { HEIGHT, WIDTH } from "../lib/ui/wide_window.ts";

/** A screen the 1200x800 window fits on. */
const SCREEN = { width: WIDTH + 80, height: HEIGHT + 80 };

/** A small MNIST folder and a folder for the model; `await using` removes both. */
async function folders(train: number, test: number) {
  const data = await writeDataDir(train, test);
  const out = await Deno.makeTempDir({ prefix: "mnist-watch-" });
  return {
    data,
    out,
    model: `${out}/m.safetensors`,
    async [Symbol.asyncDispose]() {
      await Deno.remove(data, { recursive: true });
      await Deno.remove(out, { recursive: true });
    },
  };
}

/** The train task's `deno run`, with write access to `dir` instead of models/. */
const trainArgs = (dir: string) =>
  taskArgs(
    "train",
    (flag) => flag.startsWith("--allow-write") ? `--allow-write=${dir}` : flag,
  );

/**
 * Starts `train --watch` on `x` on the data of `f`, saving to its model and
 * writing only to its output folder, with `args`, and waits for its window;
 * then for training to start.
 */
async function startWatch(
  x: Xvfb,
  f: { data: string; out: string; model: string },
  args: string[],
): Promise<App> {
  const app = new App([
    ...trainArgs(f.out),
    "--watch",
    "--data",
    f.data,
    "--out",
    f.model,
    ...args,
  ], x.env);
  try {
    await focus(x, await app.waitForWindow(x));
    await app.waitForLines(1, 30_000);
    assert(app.lines[0].startsWith("Training 784-200-10 on "), app.lines[0]);
  } catch (e) {
    await app[Symbol.asyncDispose]();
    throw e;
  }
  return app;
}

/** Waits until the window's title says `what`. */
function titleSays(x: Xvfb, app: App, what: string) {
  let seen = "";
  return until(
    () => `a window title with '${what}', last '${seen}'`,
    async () => (seen = await windowName(x, app.id)).includes(what),
    20_000,
  );
}

/** Waits until the window looks different from `before` (it trains on). */
async function changes(x: Xvfb, app: App, before: Screenshot) {
  let last = 0;
  await until(
    () => `the window to change while training (${last} pixels differ)`,
    async () =>
      (last = changedPixels(await screenshot(x, app.id), before)) > 500,
    20_000,
  );
}

/** Far more epochs than the test waits for: ESC or closing ends each run. */
const LONG_RUN = ["--limit", "1500", "--epochs", "2000", "--negatives", "none"];

Deno.test("mnist_train --watch shows the run as it trains; ESC stops it: exit 0, nothing saved", async () => {
  await using f = await folders(2000, 200);
  await using x = await startXvfb(SCREEN);
  await using app = await startWatch(x, f, LONG_RUN);
  await titleSays(x, app, "· epoch ");
  const first = await screenshot(x, app.id);
  await changes(x, app, first);
  const second = await screenshot(x, app.id);
  await changes(x, app, second);

  await pressKeys(x, "Escape");
  assertEquals(await app.exitCode(), 0, app.stderr);
  assertEquals(app.lines.at(-1), "Stopped: the model is not saved");
  assert(!app.lines.some((l) => l.startsWith("Saved")), app.lines.join("\n"));
  assertEquals(app.stderr, "");
  assertEquals(
    await Deno.stat(f.model).then(() => true, () => false),
    false,
    "no model file",
  );
});

Deno.test("mnist_train --watch: SPACE pauses (the window holds still and idles) and resumes; closing the window stops", async () => {
  await using f = await folders(2000, 200);
  await using x = await startXvfb(SCREEN);
  await using app = await startWatch(x, f, LONG_RUN);
  await titleSays(x, app, "· epoch ");
  await pressKeys(x, "space");
  await titleSays(x, app, "· paused");
  const paused = await screenshot(x, app.id);
  // Paused, the run waits for the window's events, asleep.
  const used = await cpuWhileIdle(app.child.pid, 1500);
  assert(used <= 0.1, `the paused run used ${used} s of CPU in 1.5 s`);
  assertEquals(changedPixels(await screenshot(x, app.id), paused), 0);
  const lines = app.lines.length;

  await pressKeys(x, "space");
  await titleSays(x, app, "· epoch ");
  await changes(x, app, paused);
  await until(
    () => "an epoch's line after the pause",
    () => Promise.resolve(app.lines.length > lines),
    20_000,
  );

  requestClose(x, app.id);
  assertEquals(await app.exitCode(), 0, app.stderr);
  assertEquals(app.lines.at(-1), "Stopped: the model is not saved");
  assertEquals(app.stderr, "");
  assertEquals(await Deno.stat(f.model).then(() => true, () => false), false);
});

Deno.test("mnist_train --watch saves the model as usual, then shows the final network until ESC", async () => {
  await using f = await folders(600, 200);
  await using x = await startXvfb(SCREEN);
  await using app = await startWatch(x, f, [
    "--epochs",
    "2",
    "--negatives",
    "none",
  ]);
  await app.waitForLines(3, 60_000);
  await until(
    () => `the 'Saved' line; stdout so far: ${app.lines.join(" | ")}`,
    () => Promise.resolve(app.lines.at(-1) === `Saved ${f.model}`),
    60_000,
  );
  await titleSays(x, app, "· done");
  const text = app.lines.join("\n");
  for (
    const line of ["epoch 1/2", "epoch 2/2", "Test accuracy", "Not a digit"]
  ) {
    assert(text.includes(line), `'${line}' in:\n${text}`);
  }
  // The window stays open on the final views, and still answers.
  const done = await screenshot(x, app.id);
  await delay(500);
  assert(await isAlive(app.child.pid), "the window stays open");
  assertEquals(changedPixels(await screenshot(x, app.id), done), 0);

  await pressKeys(x, "Escape");
  assertEquals(await app.exitCode(), 0, app.stderr);
  assertEquals(app.stderr, "");
  const model = await loadModel(f.model);
  assertEquals(model.metadata.epochs, "2");
});

Deno.test("mnist_train --watch without a display says so in one line, exit 1, before reading the data", async () => {
  await using f = await folders(20, 10);
  const r = await runToEnd([
    ...trainArgs(f.out),
    "--watch",
    "--data",
    `${f.data}/missing`,
    "--out",
    f.model,
  ]);
  assertEquals(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assertEquals(lines.length, 1, r.stderr);
  assert(lines[0].startsWith("train: No display"), lines[0]);
  assertEquals(r.stdout, "", "nothing trained, nothing read");
});
