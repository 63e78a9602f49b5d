/**
 * The record browser as a person uses it: started with the task's permissions
 * on a private Xvfb, driven with real key presses, checked on screen.
 */
import { fileURLToPath } from "node:url";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./_assert.ts";
import { writeDataDir } from "./_fixtures.ts";
import {
  cpuSeconds,
  delay,
  focus,
  pixel,
  pressKeys,
  requestClose,
  type Screenshot,
  screenshot,
  startXvfb,
  waitForWindow,
  windowName,
  type Xvfb,
} from "./_x11.ts";
import { UsageError } from "../lib/cli.ts";
import { imageAt, loadMnist, SIDE } from "../lib/data/mnist.ts";
import { DEFAULT_MODEL_PATH } from "../lib/nn/model_file.ts";
import { Browser, PAGE, windowTitle } from "../lib/app/render/browser.ts";
import { HELP, loadNetwork, parseRenderArgs } from "../lib/app/render/main.ts";
import { Key, Mod } from "../lib/native/sdl2.ts";
import { CELL, cellGrey } from "../lib/ui/digit_grid.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** `deno run` and the permissions of the render task, as in deno.json. */
const TASK_ARGS: string[] = (() => {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
  return config.tasks.render.command.split(" ").slice(1);
})();

/** Starts the render script as the task does, on display `x` (or none). */
function startRender(
  x: Xvfb | null,
  args: string[],
): Deno.ChildProcess {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/",
  };
  const dir = Deno.env.get("DENO_DIR");
  if (dir) env.DENO_DIR = dir;
  if (x) Object.assign(env, x.env);
  return new Deno.Command(Deno.execPath(), {
    args: [...TASK_ARGS, ...args],
    cwd: ROOT,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(child: Deno.ChildProcess, timeoutMs = 15_000) {
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** Polls `f` until it returns true, or fails with `what` after `ms`. */
async function until(what: () => string, f: () => Promise<boolean>, ms = 8000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await delay(40);
  }
  throw new Error(`timed out waiting: ${what()}`);
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

Deno.test("mnist_render.ts reports a bad --model or --index in one line, exit code 1", async () => {
  const dir = await writeDataDir(4, 2);
  try {
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
      const r = await finish(startRender(null, args as string[]));
      assertEquals(r.code, 1, r.stderr);
      const lines = r.stderr.trim().split("\n");
      assertEquals(lines.length, 1, r.stderr);
      assert(lines[0].startsWith("render: "), lines[0]);
      assert(lines[0].includes(fragment as string), lines[0]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mnist_render.ts without a display says so in one line, exit code 1", async () => {
  const dir = await writeDataDir(4, 2);
  try {
    const r = await finish(startRender(null, ["--data", dir]));
    assertEquals(r.code, 1, r.stderr);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert(r.stderr.startsWith("render: No display"), r.stderr);
    assert(r.stderr.includes("xvfb-run"), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "mnist_render.ts shows each record's pixels, stops at both ends, toggles the label and idles",
  async fn() {
    const dir = await writeDataDir(7, 3);
    await using x = await startXvfb();
    const data = await loadMnist("train", { dir });
    const child = startRender(x, [
      "--data",
      dir,
      "--model",
      DEFAULT_MODEL_PATH,
    ]);
    try {
      const id = await waitForWindow(x, child.pid);
      await focus(x, id);
      let shot: Screenshot | null = null;
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
            shot = await screenshot(x, id);
            bad = gridMismatches(shot, imageAt(data, record));
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
      let covered = 0;
      await until(() => `the label over the digit`, async () => {
        covered = gridMismatches(await screenshot(x, id), imageAt(data, 0))
          .length;
        return covered > 20;
      });
      await pressKeys(x, "space");
      await until(() => `the label gone again`, async () => {
        return gridMismatches(await screenshot(x, id), imageAt(data, 0))
          .length === 0;
      });

      // Waiting for events sleeps: 2 s idle use almost no CPU.
      await delay(300);
      const before = await cpuSeconds(child.pid);
      await delay(2000);
      const used = (await cpuSeconds(child.pid)) - before;
      assert(used <= 0.06, `the idle window used ${used} s of CPU in 2 s`);

      await pressKeys(x, "Escape");
      const r = await finish(child);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stderr, "");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("mnist_render.ts exits with code 0 on ESC and on closing the window, every time", async () => {
  const dir = await writeDataDir(3, 3);
  await using x = await startXvfb();
  try {
    for (let run = 0; run < 8; run++) {
      const byClose = run % 2 === 1;
      const child = startRender(x, ["--data", dir, "--set", "test"]);
      const id = await waitForWindow(x, child.pid);
      await focus(x, id);
      // An event right before quitting, so SDL has just woken up from waiting.
      await pressKeys(x, "Down");
      await until(
        () => "the second record",
        async () => (await windowName(x, id)) === "test 2/3",
      );
      if (byClose) requestClose(x, id);
      else await pressKeys(x, "Escape");
      const r = await finish(child);
      assertEquals(
        r.code,
        0,
        `run ${run + 1} (${byClose ? "close" : "ESC"}): ${r.stderr}`,
      );
      assertEquals(r.stderr, "");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
