/**
 * The record browser as a person uses it: started with the task's permissions
 * on a private Xvfb, driven with real key presses, checked on screen; and its
 * one-line errors, found before any window opens.
 */
import { assert, assertEquals } from "./_assert.ts";
import { writeDataDir } from "./_fixtures.ts";
import { App, FIXTURE_MODEL, runToEnd, taskArgs } from "./_app.ts";
import {
  cpuWhileIdle,
  focus,
  pixel,
  pressKeys,
  requestClose,
  type Screenshot,
  screenshot,
  startXvfb,
  until,
  windowName,
  type Xvfb,
} from "./_x11.ts";
import { fakeImages } from "./_fixtures.ts";
import { encodeIdx } from "../lib/data/idx.ts";
import { imageAt, loadMnist, PIXELS, SIDE } from "../lib/data/mnist.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { readerOf } from "../lib/read/read_number.ts";
import { predictAll } from "../lib/app/render/browser.ts";
import { CELL, cellGrey } from "../lib/ui/digit_grid.ts";

/** `deno run` and the permissions of the render task, as in deno.json. */
const TASK_ARGS = taskArgs("render");

/** Runs the render script as the task does, with no display, to its end. */
function renderWithoutDisplay(
  args: string[],
  env: Record<string, string> = {},
) {
  return runToEnd([...TASK_ARGS, ...args], env);
}

/** Starts the render script as the task does on `x` and waits for its window. */
async function startRender(x: Xvfb, args: string[]): Promise<App> {
  const app = new App([...TASK_ARGS, ...args], x.env);
  try {
    await focus(x, await app.waitForWindow(x));
  } catch (e) {
    await app[Symbol.asyncDispose]();
    throw e;
  }
  return app;
}

/** A small MNIST folder; `await using` removes it. */
async function dataDir(train: number, test: number) {
  const path = await writeDataDir(train, test);
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/**
 * The cells whose centre on screen does not have the grey of the record's
 * pixel, as "row,col: screen g, expected e"; empty when the grid matches.
 */
function gridMismatches(shot: Screenshot, pixels: Uint8Array): string[] {
  const bad: string[] = [];
  for (let row = 0; row < SIDE; row++) {
    for (let col = 0; col < SIDE; col++) {
      const [r, g, b] = pixel(
        shot,
        col * CELL + CELL / 2,
        row * CELL + CELL / 2,
      );
      const want = cellGrey(pixels[row * SIDE + col]);
      if (
        Math.abs(r - want) > 1 || Math.abs(g - want) > 1 ||
        Math.abs(b - want) > 1
      ) {
        bad.push(`${row},${col}: screen ${r}/${g}/${b}, expected ${want}`);
      }
    }
  }
  return bad;
}

Deno.test("mnist_render.ts reports a bad --model or --index in one line, exit code 1", async () => {
  await using data = await dataDir(4, 2);
  const dir = data.path;
  for (
    const [args, fragment] of [
      [
        ["--data", dir, "--model", `${dir}/none.safetensors`],
        "none.safetensors",
      ],
      [
        ["--data", dir, "--model", `${dir}/train-labels-idx1-ubyte`],
        "Cannot load model",
      ],
      [["--data", dir, "--index", "5"], "records 1 to 4"],
      [["--data", `${dir}/missing`], "Cannot find"],
    ]
  ) {
    const r = await renderWithoutDisplay(args as string[]);
    assertEquals(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, r.stderr);
    assert(lines[0].startsWith("render: "), lines[0]);
    assert(lines[0].includes(fragment as string), lines[0]);
  }
});

Deno.test("mnist_render.ts finds a corrupt model, a missing font or library before it opens a window", async () => {
  await using data = await dataDir(4, 2);
  const corrupt = `${data.path}/corrupt.safetensors`;
  const model = await Deno.readFile(FIXTURE_MODEL);
  // A whole header, then only half of the weights.
  await Deno.writeFile(corrupt, model.subarray(0, model.length >> 1));
  for (
    const [env, args, fragment] of [
      [{}, ["--model", corrupt], "corrupt.safetensors"],
      [{ MNIST_FONT_DIR: "/nonexistent" }, [], "fonts-dejavu-core"],
      [{ MNIST_SDL2_TTF_PATH: "/nonexistent/libttf.so" }, [], "SDL2_ttf"],
    ] as const
  ) {
    // No display at all: had the window been tried first, the error would be
    // "No display".
    const r = await renderWithoutDisplay(
      ["--data", data.path, "--model", FIXTURE_MODEL, ...args],
      env,
    );
    assertEquals(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, r.stderr);
    assert(lines[0].startsWith("render: "), lines[0]);
    assert(lines[0].includes(fragment), lines[0]);
  }
});

Deno.test("mnist_render.ts without a display says so in one line, exit code 1", async () => {
  await using data = await dataDir(4, 2);
  const r = await renderWithoutDisplay([
    "--data",
    data.path,
    "--model",
    FIXTURE_MODEL,
  ]);
  assertEquals(r.code, 1, r.stderr);
  assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert(r.stderr.startsWith("render: No display"), r.stderr);
  assert(r.stderr.includes("xvfb-run"), r.stderr);
});

Deno.test("mnist_render.ts shows each record's pixels, stops at both ends, toggles the label and idles", async () => {
  await using dir = await dataDir(7, 3);
  await using x = await startXvfb();
  const data = await loadMnist("train", { dir: dir.path });
  await using app = await startRender(x, [
    "--data",
    dir.path,
    "--model",
    FIXTURE_MODEL,
  ]);
  const id = app.id;
  const shows = async (title: string, record: number) => {
    await until(
      () => `window title '${title}'`,
      async () => (await windowName(x, id)) === title,
    );
    let bad: string[] = [];
    await until(
      () =>
        `record ${record + 1} on screen; ${bad.length} cells differ, e.g. ${
          bad.slice(0, 3).join("; ")
        }`,
      async () => {
        bad = gridMismatches(await screenshot(x, id), imageAt(data, record));
        return bad.length === 0;
      },
    );
  };
  await shows("train 1/7", 0);
  // UP at the first record stays there, so DOWN then goes to the second.
  await pressKeys(x, "Up", "Left", "Down");
  await shows("train 2/7", 1);
  await pressKeys(x, "Right", "Right");
  await shows("train 4/7", 3);
  // DOWN at the last record stays there, so LEFT then goes to the one before.
  await pressKeys(x, "End", "Down", "Down", "Left");
  await shows("train 6/7", 5);
  await pressKeys(x, "Prior");
  await shows("train 1/7", 0);
  await pressKeys(x, "Next");
  await shows("train 7/7", 6);
  await pressKeys(x, "Home");
  await shows("train 1/7", 0);

  // SPACE puts the label over the digit; SPACE again takes it away.
  await pressKeys(x, "space");
  await until(() => `the label over the digit`, async () => {
    return gridMismatches(await screenshot(x, id), imageAt(data, 0))
      .length > 20;
  });
  await pressKeys(x, "space");
  await until(() => `the label gone again`, async () => {
    return gridMismatches(await screenshot(x, id), imageAt(data, 0))
      .length === 0;
  });

  // Waiting for events sleeps: 2 s idle use almost no CPU.
  await new Promise((r) => setTimeout(r, 300));
  const used = await cpuWhileIdle(app.child.pid, 2000);
  assert(used <= 0.06, `the idle window used ${used} s of CPU in 2 s`);

  await pressKeys(x, "Escape");
  assertEquals(await app.exitCode(), 0, app.stderr);
  assertEquals(app.stderr, "");
});

Deno.test("mnist_render.ts counts the records the network refuses as wrong, and E goes to them", async () => {
  // MNIST test digits 0-7 that the network reads, and two records of noise
  // after them, which it refuses as not digits.
  const mnist = await loadMnist("test", { limit: 8 });
  const images = new Uint8Array(10 * PIXELS);
  images.set(mnist.images.subarray(0, 8 * PIXELS));
  images.set(fakeImages(2, 3), 8 * PIXELS);
  const labels = Uint8Array.from([...mnist.labels.subarray(0, 8), 3, 4]);
  await using dir = {
    path: await writeDataDir(10, 2, {
      trainImages: encodeIdx([10, SIDE, SIDE], images),
      trainLabels: encodeIdx([10], labels),
    }),
    [Symbol.asyncDispose]() {
      return Deno.remove(this.path, { recursive: true });
    },
  };
  const data = await loadMnist("train", { dir: dir.path });
  const expected = predictAll(readerOf(await loadModel(FIXTURE_MODEL)), data);
  assertEquals(Array.from(expected.refused.subarray(8)), [1, 1]);
  assertEquals(Array.from(expected.wrong), [8, 9], "the digits are read");

  await using x = await startXvfb();
  await using app = await startRender(x, [
    "--data",
    dir.path,
    "--model",
    FIXTURE_MODEL,
  ]);
  assertEquals(
    app.lines[0],
    "render: The network gets 2 of the 10 train records wrong (2 of them refused as not digits); E and W jump between them",
  );
  const title = (t: string) =>
    until(
      () => `window title '${t}'`,
      async () => (await windowName(x, app.id)) === t,
    );
  await title("train 1/10");
  await pressKeys(x, "e");
  await title("train 9/10");
  await pressKeys(x, "e");
  await title("train 10/10");
  await pressKeys(x, "w", "w");
  await title("train 9/10");
  await pressKeys(x, "Escape");
  assertEquals(await app.exitCode(), 0, app.stderr);
});

/**
 * Starts `yes` on every core, to load the machine while `f` runs; `await
 * using` stops them.
 */
function busyCores() {
  const loops = Array.from(
    { length: navigator.hardwareConcurrency },
    () => new Deno.Command("yes", { stdout: "null", stderr: "null" }).spawn(),
  );
  return {
    async [Symbol.asyncDispose]() {
      for (const p of loops) {
        try {
          p.kill();
        } catch { /* gone */ }
      }
      await Promise.all(loops.map((p) => p.status));
    },
  };
}

// SDL 2.26 on X11 can die with "BadWindow (X_SendEvent)" and exit code 1
// when it is shut down right after waking from a wait (see
// lib/native/sdl2.ts). A busy machine and an X server at low priority make
// that far more likely: the server must read the window's destruction
// before SDL's own wake-up message.
Deno.test("mnist_render.ts exits with code 0 on ESC and on closing the window, every time, on a busy machine", async () => {
  await using dir = await dataDir(3, 3);
  await using x = await startXvfb({ nice: 19 });
  await using _load = busyCores();
  const runs = ["ESC", "close", "ESC", "close", "ESC", "close"] as const;
  for (const [run, how] of runs.entries()) {
    await using app = await startRender(x, [
      "--data",
      dir.path,
      "--set",
      "test",
      "--model",
      FIXTURE_MODEL,
    ]);
    // Quit right after another key, while SDL has just woken up for it.
    if (how === "ESC") {
      await pressKeys(x, "Down", "Escape");
    } else {
      await pressKeys(x, "Down");
      requestClose(x, app.id);
    }
    const code = await app.exitCode();
    assertEquals(code, 0, `run ${run + 1} (${how}): ${app.stderr}`);
    assertEquals(app.stderr, "", `run ${run + 1} (${how})`);
  }
});
