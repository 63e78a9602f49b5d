/**
 * The SDL2 binding: its error paths, and a real window on a private Xvfb that is
 * drawn in, photographed and sent real key and mouse input.
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  focus,
  mouseButton,
  mouseMove,
  pixel,
  pressKeys,
  screenshot,
  startXvfb,
  waitForWindow,
  xdotool,
} from "./_x11.ts";
import {
  DisplayError,
  Key,
  Mod,
  MouseButton,
  SDL2_PATH_ENV,
  SdlError,
  type SdlEvent,
  Window,
} from "../lib/native/sdl2.ts";
import {
  Font,
  FontError,
  SDL2_TTF_PATH_ENV,
  Text,
} from "../lib/native/sdl2_ttf.ts";
import { UserError } from "../lib/errors.ts";
import { openFont } from "../lib/ui/text.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs `code` (TypeScript importing lib/native/*) in a fresh process, where no
 * library is loaded yet, and returns what it prints.
 */
async function runScript(code: string, env: Record<string, string>) {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      file,
      code.replaceAll("LIB/", new URL("../lib/", import.meta.url).href),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-env", "--allow-ffi", file],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(out.stdout).trim() +
      new TextDecoder().decode(out.stderr).trim();
  } finally {
    await Deno.remove(file);
  }
}

const OPEN_FONT = `
  import { openFont } from "LIB/ui/text.ts";
  try { openFont(12); console.log("opened"); }
  catch (e) { console.log(e.name + ": " + e.message); }`;

Deno.test("Font() loads SDL2_ttf from MNIST_SDL2_TTF_PATH, and says what is wrong with it", async () => {
  assertEquals(
    await runScript(OPEN_FONT, { [SDL2_TTF_PATH_ENV]: "/nonexistent/ttf.so" }),
    "LibraryError: Cannot load SDL2_ttf from '/nonexistent/ttf.so' (set by MNIST_SDL2_TTF_PATH): /nonexistent/ttf.so: cannot open shared object file: No such file or directory",
  );
  // SDL2 itself is a library, but not SDL2_ttf.
  const got = await runScript(OPEN_FONT, {
    [SDL2_TTF_PATH_ENV]: "libSDL2-2.0.so.0",
  });
  assert(
    /^LibraryError: Cannot load SDL2_ttf from 'libSDL2-2\.0\.so\.0' \(set by MNIST_SDL2_TTF_PATH\): it has no symbol TTF_\w+, so it is not SDL2_ttf or too old a version of it$/
      .test(got),
    got,
  );
  assertEquals(await runScript(OPEN_FONT, {}), "opened");
});

Deno.test("Font() of a missing file throws a FontError naming it", () => {
  const e = assertThrows(
    () => new Font("/nonexistent/DejaVuSans.ttf", 12),
    FontError,
    "Cannot open the font '/nonexistent/DejaVuSans.ttf'",
  );
  assert(e instanceof UserError, "the user's to fix");
  assert(!e.message.includes("\n"), e.message);
});

Deno.test("mnist_render.ts reports an SDL2 path override that does not load, in one line", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-ffi",
      "scripts/mnist_render.ts",
    ],
    cwd: ROOT,
    env: { [SDL2_PATH_ENV]: "/nonexistent/libSDL2.so", DISPLAY: ":0" },
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 1, stderr);
  assertEquals(stderr.trim().split("\n").length, 1, stderr);
  assert(
    stderr.startsWith(
      "render: Cannot load SDL2 from '/nonexistent/libSDL2.so' (set by MNIST_SDL2_PATH)",
    ),
    stderr,
  );
});

// This must run before any window opens in this process: SDL initialises once.
Deno.test("Window() without a display throws a DisplayError that says so", () => {
  const saved = Deno.env.get("DISPLAY");
  const savedWayland = Deno.env.get("WAYLAND_DISPLAY");
  Deno.env.delete("DISPLAY");
  Deno.env.delete("WAYLAND_DISPLAY");
  try {
    const e = assertThrows(
      () => new Window("none", 10, 10),
      DisplayError,
      "No display",
    );
    assert(e instanceof UserError, "the user's to fix");
    assert(!e.message.includes("\n"), e.message);
  } finally {
    if (saved !== undefined) Deno.env.set("DISPLAY", saved);
    if (savedWayland !== undefined) {
      Deno.env.set("WAYLAND_DISPLAY", savedWayland);
    }
  }
});

Deno.test("Window() on a display that is not there throws a DisplayError naming it", async () => {
  // A fresh process: SDL's video initialises once per process.
  const got = await runScript(
    `import { Window } from "LIB/native/sdl2.ts";
    try { new Window("none", 10, 10); console.log("opened"); }
    catch (e) { console.log(e.name + ": " + e.message); }`,
    { DISPLAY: ":987", WAYLAND_DISPLAY: "" },
  );
  assert(got.startsWith("DisplayError: Cannot open the display ':987'"), got);
  assert(!got.includes("\n"), got);
});

/** Sets the environment variable `name` until disposed, then restores it. */
function setEnv(name: string, value: string): Disposable {
  const saved = Deno.env.get(name);
  Deno.env.set(name, value);
  return {
    [Symbol.dispose]() {
      if (saved === undefined) Deno.env.delete(name);
      else Deno.env.set(name, saved);
    },
  };
}

/** The events `wanted` keeps, until there are `n` of them or 3 s passed. */
function collect(
  win: Window,
  n: number,
  wanted: (e: SdlEvent) => boolean,
): SdlEvent[] {
  const got: SdlEvent[] = [];
  const end = Date.now() + 3000;
  while (got.length < n && Date.now() < end) {
    const e = win.waitEvent(100);
    if (e && wanted(e)) got.push(e);
  }
  return got;
}

/** SDL key codes of the modifier keys themselves (LCTRL ... RGUI). */
const isModifierKey = (key: number) =>
  key >= (224 | 1 << 30) && key <= (231 | 1 << 30);

Deno.test("Window draws, and reports real keys, mouse buttons and motion", async (t) => {
  await using x = await startXvfb();
  using _display = setEnv("DISPLAY", x.display);
  using win = new Window("sdl2-test", 320, 240);
  using font = openFont(20);
  const id = await waitForWindow(x, Deno.pid);

  await t.step("clear(), fillRect() and Text draw where asked", async () => {
    win.setColour(0x102030);
    win.clear();
    win.setColour(0xff8000);
    win.fillRect(10, 20, 50, 40);
    using text = new Text(win, font, "Hello 123", 0xffffff);
    assert(text.width > 60 && text.height > 15, `${text.width}x${text.height}`);
    text.draw(100, 150);
    win.present();
    const shot = await screenshot(x, id);
    assertEquals(pixel(shot, 30, 40), [0xff, 0x80, 0x00]);
    assertEquals(pixel(shot, 9, 40), [0x10, 0x20, 0x30]);
    assertEquals(pixel(shot, 60, 40), [0x10, 0x20, 0x30]);
    assertEquals(pixel(shot, 300, 200), [0x10, 0x20, 0x30]);
    let light = 0;
    for (let py = 150; py < 150 + text.height; py++) {
      for (let px = 100; px < 100 + text.width; px++) {
        if (pixel(shot, px, py)[0] > 0xc0) light++;
      }
    }
    assert(light > 100, `only ${light} light pixels where the text is`);
  });

  await t.step("waitEvent() returns null when nothing happens in time", () => {
    while (win.waitEvent(0)); // what showing the window queued
    const start = performance.now();
    assertEquals(win.waitEvent(150), null);
    assert(performance.now() - start >= 140);
  });

  await t.step(
    "waitEvent() reports key presses with their codes and modifiers",
    async () => {
      await focus(x, id);
      await pressKeys(x, "c", "BackSpace", "3", "shift+e", "Escape");
      const keys = collect(
        win,
        5,
        (e) => e.type === "keydown" && !isModifierKey(e.key),
      ).map((e) =>
        e.type === "keydown" ? [e.key, e.mod & Mod.SHIFT ? "shift" : ""] : []
      );
      assertEquals(keys, [
        [Key.C, ""],
        [Key.BACKSPACE, ""],
        [Key.DIGIT_0 + 3, ""],
        [Key.E, "shift"],
        [Key.ESCAPE, ""],
      ]);
    },
  );

  await t.step(
    "waitEvent() reports buttons, and motion with the buttons held",
    async () => {
      await mouseMove(x, id, 100, 80);
      await mouseButton(x, "down", MouseButton.RIGHT);
      await mouseMove(x, id, 140, 90);
      await mouseButton(x, "up", MouseButton.RIGHT);
      await mouseButton(x, "down", MouseButton.LEFT);
      await mouseButton(x, "up", MouseButton.LEFT);
      // Motion without a button held (moving there) is not what this is about.
      const events = collect(
        win,
        5,
        (e) =>
          e.type === "mousedown" || e.type === "mouseup" ||
          (e.type === "mousemove" && e.buttons !== 0),
      );
      assertEquals(events, [
        { type: "mousedown", button: MouseButton.RIGHT, x: 100, y: 80 },
        {
          type: "mousemove",
          x: 140,
          y: 90,
          buttons: 1 << (MouseButton.RIGHT - 1),
        },
        { type: "mouseup", button: MouseButton.RIGHT, x: 140, y: 90 },
        { type: "mousedown", button: MouseButton.LEFT, x: 140, y: 90 },
        { type: "mouseup", button: MouseButton.LEFT, x: 140, y: 90 },
      ]);
    },
  );

  await t.step("setTitle() renames the window", async () => {
    win.setTitle("renamed ✓");
    assertEquals(await xdotool(x, "getwindowname", String(id)), "renamed ✓");
  });

  await t.step(
    "close() removes the window, and may be called again",
    async () => {
      win.close();
      win.close();
      assertEquals(win.isOpen, false);
      assertThrows(() => win.waitEvent(0), SdlError, "closed");
      const left = await new Deno.Command("xdotool", {
        args: ["search", "--onlyvisible", "--pid", String(Deno.pid)],
        env: x.env,
        stdout: "piped",
        stderr: "null",
      }).output();
      assertEquals(new TextDecoder().decode(left.stdout).trim(), "");
    },
  );
});
