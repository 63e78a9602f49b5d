/**
 * Driving windows the way a person would, on a private X server: start and stop
 * Xvfb, find a process's window, press keys and buttons with xdotool (XTEST,
 * so they arrive as real input), close a window as a window manager's close
 * button does, take screenshots with ImageMagick and read their pixels.
 *
 * Needs the Debian packages xvfb, xdotool and imagemagick
 * (`deno task setup:test` installs them) and --allow-run --allow-ffi.
 *
 * @module
 */

/** A running Xvfb server; `await using` stops it. */
export interface Xvfb extends AsyncDisposable {
  /** The display name, e.g. ":93". */
  display: string;
  /** Environment for programs that should use this display. */
  env: Record<string, string>;
  /** Stops the server (also done on dispose). */
  stop(): Promise<void>;
}

/** Default screen size of the tests' X servers: unusual, to tell them apart. */
export const TEST_SCREEN: { readonly width: number; readonly height: number } =
  { width: 1136, height: 752 };

/**
 * Starts Xvfb on a random display number from 1000 up, away from the low
 * numbers other servers take first, and returns once it accepts connections
 * (-displayfd) and answers with its own screen size: a number that is taken,
 * or that some other server also answers on, is given up for another one.
 * `nice` (0-19) runs the server at a lower priority, a slow X server for
 * shaking out races.
 */
export async function startXvfb(
  { width = TEST_SCREEN.width, height = TEST_SCREEN.height, nice = 0 } = {},
): Promise<Xvfb> {
  const shadowed: Xvfb[] = [];
  try {
    for (let tries = 0; tries < 5; tries++) {
      const display = 1000 + Math.floor(Math.random() * 30000);
      let x: Xvfb;
      try {
        x = await launchXvfb(display, width, height, nice);
      } catch {
        continue; // taken
      }
      try {
        const size = await xdotool(x, "getdisplaygeometry");
        if (size === `${width} ${height}`) return x;
      } catch { /* not reachable */ }
      shadowed.push(x);
    }
    throw new Error(
      "Xvfb did not start on any of 5 displays (is the xvfb package installed?)",
    );
  } finally {
    for (const x of shadowed) await x.stop();
  }
}

async function launchXvfb(
  displayNumber: number,
  width: number,
  height: number,
  nice: number,
): Promise<Xvfb> {
  const child = new Deno.Command(nice ? "nice" : "Xvfb", {
    args: [
      ...(nice ? ["-n", String(nice), "Xvfb"] : []),
      `:${displayNumber}`,
      "-displayfd",
      "1",
      "-screen",
      "0",
      `${width}x${height}x24`,
      "-nolisten",
      "tcp",
      // Without it the server resets whenever its last client leaves, and a
      // program connecting during the reset fails to open the display.
      "-noreset",
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  // Xvfb writes the display number and a newline to fd 1 when it is ready.
  let text = "";
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  const deadline = setTimeout(() => reader.cancel(), 10_000);
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  clearTimeout(deadline);
  reader.releaseLock();
  await child.stdout.cancel();
  const n = parseInt(text, 10);
  if (!Number.isInteger(n)) {
    try {
      child.kill();
    } catch { /* already gone */ }
    await child.status;
    throw new Error("Xvfb did not start (is the xvfb package installed?)");
  }
  const display = `:${n}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
  };
  return {
    display,
    env: { DISPLAY: display },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * How long one X tool (xdotool, import) may take: an X server that stopped
 * answering makes a test fail, not hang.
 */
export const TOOL_TIMEOUT_MS = 30_000;

/** Runs a command to completion; throws with its stderr when it fails. */
export async function exec(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<Uint8Array> {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(TOOL_TIMEOUT_MS),
  }).output();
  if (out.signal === "SIGTERM" && !out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} did not finish in ${TOOL_TIMEOUT_MS} ms`,
    );
  }
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
  return out.stdout;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();

/** Runs xdotool on `x`'s display and returns its output. */
export async function xdotool(x: Xvfb, ...args: string[]): Promise<string> {
  return text(await exec("xdotool", args, x.env));
}

/**
 * Waits up to `timeoutMs` for a visible window of process `pid` and returns its
 * id. Fails early if the process ends first.
 */
export async function waitForWindow(
  x: Xvfb,
  pid: number,
  timeoutMs = 15_000,
): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const out = await new Deno.Command("xdotool", {
      args: ["search", "--onlyvisible", "--pid", String(pid)],
      env: x.env,
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(TOOL_TIMEOUT_MS),
    }).output();
    const id = parseInt(text(out.stdout).split("\n")[0], 10);
    if (Number.isInteger(id)) return id;
    if (!(await isAlive(pid))) {
      throw new Error(`process ${pid} ended without a window`);
    }
    await delay(50);
  }
  throw new Error(`no window of process ${pid} after ${timeoutMs} ms`);
}

/** Gives window `id` the keyboard focus (there is no window manager to do it). */
export async function focus(x: Xvfb, id: number): Promise<void> {
  await xdotool(x, "windowfocus", "--sync", String(id));
}

/** Presses and releases keys, e.g. "Down", "space", "shift+e" (XTEST input). */
export async function pressKeys(x: Xvfb, ...keys: string[]): Promise<void> {
  await xdotool(x, "key", "--delay", "20", ...keys);
}

/** Moves the pointer to (px, py) inside window `id`. */
export async function mouseMove(
  x: Xvfb,
  id: number,
  px: number,
  py: number,
): Promise<void> {
  await xdotool(
    x,
    "mousemove",
    "--sync",
    "--window",
    String(id),
    String(px),
    String(py),
  );
}

/** Presses (down) or releases (up) mouse button 1 (left), 2 or 3 (right). */
export async function mouseButton(
  x: Xvfb,
  action: "down" | "up",
  button = 1,
): Promise<void> {
  await xdotool(x, action === "down" ? "mousedown" : "mouseup", String(button));
}

/**
 * Draws one stroke in window `id` through `points` (window pixels) with a
 * button held: press at the first point, move through the others, release at
 * the last. One xdotool call, so the moves come as fast as a quick hand.
 */
export async function stroke(
  x: Xvfb,
  id: number,
  points: readonly (readonly number[])[],
  button = 1,
): Promise<void> {
  const w = String(id);
  const at = (p: readonly number[]) => [
    String(Math.round(p[0])),
    String(Math.round(p[1])),
  ];
  const args = ["mousemove", "--window", w, ...at(points[0])];
  args.push("mousedown", String(button));
  for (const p of points.slice(1)) {
    args.push("mousemove", "--window", w, ...at(p));
  }
  args.push("mouseup", String(button));
  await xdotool(x, ...args);
}

/** The title of window `id`. */
export async function windowName(x: Xvfb, id: number): Promise<string> {
  return await xdotool(x, "getwindowname", String(id));
}

/** An RGB screenshot: 3 bytes per pixel, row-major. */
export interface Screenshot {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** The [r, g, b] of pixel (px, py). */
export function pixel(s: Screenshot, px: number, py: number): number[] {
  const i = (py * s.width + px) * 3;
  return [s.rgb[i], s.rgb[i + 1], s.rgb[i + 2]];
}

/**
 * How many pixels of the rectangle (x, y, w, h), by default the whole
 * picture, differ between two screenshots of one size.
 */
export function changedPixels(
  a: Screenshot,
  b: Screenshot,
  rect = { x: 0, y: 0, w: a.width, h: a.height },
): number {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(
      `screenshots of ${a.width}x${a.height} and ${b.width}x${b.height}`,
    );
  }
  let n = 0;
  for (let py = rect.y; py < rect.y + rect.h; py++) {
    for (let px = rect.x; px < rect.x + rect.w; px++) {
      const i = (py * a.width + px) * 3;
      if (
        a.rgb[i] !== b.rgb[i] || a.rgb[i + 1] !== b.rgb[i + 1] ||
        a.rgb[i + 2] !== b.rgb[i + 2]
      ) n++;
    }
  }
  return n;
}

/** A rectangle of a screenshot, in pixels. */
export type Rect = { x: number; y: number; w: number; h: number };

/** How many pixels of `rect` have an [r, g, b] that `test` accepts. */
export function countPixels(
  s: Screenshot,
  rect: Rect,
  test: (rgb: number[]) => boolean,
): number {
  let n = 0;
  for (let py = rect.y; py < rect.y + rect.h; py++) {
    for (let px = rect.x; px < rect.x + rect.w; px++) {
      if (test(pixel(s, px, py))) n++;
    }
  }
  return n;
}

/** How many pixels of `rect` have red below `below`. */
export function countDark(s: Screenshot, rect: Rect, below = 64): number {
  return countPixels(s, rect, ([r]) => r < below);
}

/** How many pixels of `rect` are within 40 of colour `rgb` in each channel. */
export function countColour(s: Screenshot, rect: Rect, rgb: number): number {
  const want = [rgb >> 16 & 255, rgb >> 8 & 255, rgb & 255];
  return countPixels(
    s,
    rect,
    (got) => got.every((v, c) => Math.abs(v - want[c]) <= 40),
  );
}

/** Photographs window `id` with ImageMagick's `import`, as binary PPM. */
export async function screenshot(x: Xvfb, id: number): Promise<Screenshot> {
  const ppm = await exec(
    "import",
    ["-window", String(id), "-depth", "8", "ppm:-"],
    x.env,
  );
  // "P6\n<width> <height>\n<maxval>\n" then the pixels.
  let pos = 0;
  const fields: number[] = [];
  const magic = String.fromCharCode(ppm[0], ppm[1]);
  if (magic !== "P6") throw new Error(`import gave '${magic}', not a PPM`);
  pos = 2;
  while (fields.length < 3) {
    while (/\s/.test(String.fromCharCode(ppm[pos]))) pos++;
    let n = "";
    while (!/\s/.test(String.fromCharCode(ppm[pos]))) {
      n += String.fromCharCode(ppm[pos++]);
    }
    fields.push(Number(n));
  }
  pos++;
  const [width, height] = fields;
  return { width, height, rgb: ppm.subarray(pos, pos + width * height * 3) };
}

/** Saves a screenshot as PNG, for a person to look at. */
export async function savePng(s: Screenshot, path: string): Promise<void> {
  const child = new Deno.Command("convert", {
    args: ["-size", `${s.width}x${s.height}`, "-depth", "8", "rgb:-", path],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(s.rgb);
  await writer.close();
  await child.status;
}

// libX11, to send WM_DELETE_WINDOW: what a window manager's close button does.
// (`xdotool windowclose` instead destroys the window under its owner's feet,
// like xkill, which no program is expected to survive gracefully.)
const X11_SYMBOLS = {
  // Display *XOpenDisplay(const char *display_name)
  XOpenDisplay: { parameters: ["buffer"], result: "pointer" },
  // Atom XInternAtom(Display *display, const char *atom_name, Bool only_if_exists)
  XInternAtom: { parameters: ["pointer", "buffer", "i32"], result: "u64" },
  // Status XSendEvent(Display *display, Window w, Bool propagate, long event_mask,
  //                   XEvent *event_send)
  XSendEvent: {
    parameters: ["pointer", "u64", "i32", "i64", "buffer"],
    result: "i32",
  },
  // int XCloseDisplay(Display *display)   (flushes and waits for the server)
  XCloseDisplay: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

let x11: Deno.DynamicLibrary<typeof X11_SYMBOLS>["symbols"] | null = null;

const cstr = (s: string) => new TextEncoder().encode(s + "\0");

/**
 * Asks window `id` to close, as a window manager does when its close button is
 * clicked: a WM_PROTOCOLS ClientMessage carrying WM_DELETE_WINDOW.
 */
export function requestClose(x: Xvfb, id: number): void {
  x11 ??= Deno.dlopen("libX11.so.6", X11_SYMBOLS).symbols;
  const dpy = x11.XOpenDisplay(cstr(x.display));
  if (dpy === null) throw new Error(`cannot open display ${x.display}`);
  try {
    const protocols = x11.XInternAtom(dpy, cstr("WM_PROTOCOLS"), 0);
    const deleteWindow = x11.XInternAtom(dpy, cstr("WM_DELETE_WINDOW"), 0);
    // XClientMessageEvent on x86-64 / aarch64, inside the 192-byte XEvent union:
    //   int type @0, unsigned long serial @8, Bool send_event @16,
    //   Display *display @24, Window window @32, Atom message_type @40,
    //   int format @48, long data.l[5] @56
    const event = new Uint8Array(192);
    const v = new DataView(event.buffer);
    v.setInt32(0, 33, true); // ClientMessage
    v.setBigUint64(32, BigInt(id), true);
    v.setBigUint64(40, BigInt(protocols), true);
    v.setInt32(48, 32, true);
    v.setBigUint64(56, BigInt(deleteWindow), true);
    v.setBigUint64(64, 0n, true); // CurrentTime
    if (x11.XSendEvent(dpy, BigInt(id), 0, 0n, event) === 0) {
      throw new Error(`XSendEvent to window ${id} failed`);
    }
  } finally {
    x11.XCloseDisplay(dpy);
  }
}

/**
 * The text of /proc/PID/stat, or null when the process is gone. Read through
 * `cat`: Deno lets only --allow-all read /proc itself.
 */
async function procStat(pid: number): Promise<string | null> {
  const out = await new Deno.Command("cat", {
    args: [`/proc/${pid}/stat`],
    stdout: "piped",
    stderr: "null",
  }).output();
  return out.success ? new TextDecoder().decode(out.stdout) : null;
}

/** True while process `pid` runs (not ended, nor a zombie awaiting its parent). */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await procStat(pid);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

/** CPU time process `pid` has used so far, user plus system, in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await procStat(pid);
  if (stat === null) throw new Error(`process ${pid} is gone`);
  // Fields after the command name (which may hold spaces) start at field 3;
  // utime and stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const delay = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `f` until it returns true, or fails after `ms` with `what()`, which
 * may say what was seen last.
 */
export async function until(
  what: () => string,
  f: () => Promise<boolean>,
  ms = 8000,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await delay(40);
  }
  throw new Error(`timed out waiting: ${what()}`);
}

/** CPU seconds process `pid` uses while the test waits `ms` milliseconds. */
export async function cpuWhileIdle(pid: number, ms: number): Promise<number> {
  const before = await cpuSeconds(pid);
  await delay(ms);
  return (await cpuSeconds(pid)) - before;
}
