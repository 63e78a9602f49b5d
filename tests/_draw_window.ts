/**
 * The drawing window driven as a person drives it, for the window tests: the
 * script started with the draw task's permissions on a private X server,
 * strokes and keys sent with xdotool, stdout read as another program would.
 *
 * @module
 */
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { App, FIXTURE_MODEL, ROOT, taskArgs } from "./_app.ts";
import {
  focus,
  pressKeys,
  savePng,
  type Screenshot,
  screenshot,
  startXvfb,
  stroke,
  type Xvfb,
} from "./_x11.ts";

export const SCRIPT = join(ROOT, "scripts", "mnist_draw.ts");
export const SHOTS = Deno.env.get("MNIST_TEST_SCREENSHOTS");

/**
 * The draw task's arguments, with its write folders (the own drawings', the
 * models') swapped for `ownDir`.
 */
export function drawTaskArgs(ownDir: string): string[] {
  const args = taskArgs(
    "draw",
    (f) => f.startsWith("--allow-write=") ? `--allow-write=${ownDir}` : f,
  );
  assert(args.includes(`--allow-write=${ownDir}`), args.join(" "));
  return args;
}

/** A running draw window, and what a person does with it. */
export class DrawWindow implements AsyncDisposable {
  readonly app: App;
  readonly x: Xvfb;

  private constructor(x: Xvfb, app: App) {
    this.x = x;
    this.app = app;
  }

  /**
   * Starts the script on `x` with `model` (the test model by default),
   * saving to `ownDir`, and waits for its window.
   */
  static async start(
    x: Xvfb,
    ownDir: string,
    model = FIXTURE_MODEL,
  ): Promise<DrawWindow> {
    const app = new App(
      [...drawTaskArgs(ownDir), "--model", model, "--own", ownDir],
      x.env,
    );
    const w = new DrawWindow(x, app);
    try {
      await focus(x, await app.waitForWindow(x));
    } catch (e) {
      await app[Symbol.asyncDispose]();
      throw e;
    }
    return w;
  }

  get id(): number {
    return this.app.id;
  }

  get lines(): string[] {
    return this.app.lines;
  }

  waitForLines(n: number): Promise<string[]> {
    return this.app.waitForLines(n);
  }

  /**
   * Presses SPACE and returns the lines it printed, up to the prediction
   * (or "nothing drawn").
   */
  async report(): Promise<string[]> {
    const before = this.lines.length;
    await pressKeys(this.x, "space");
    const last = await this.app.waitForLine(
      before,
      (line) => line === "nothing drawn" || line.startsWith("prediction: "),
    );
    return this.lines.slice(before, last + 1);
  }

  /** Presses SPACE and returns the digit it printed for a drawing of one digit. */
  async prediction(): Promise<number> {
    const answer = await this.verdict();
    assert(answer !== "?", "prediction: ?");
    return answer;
  }

  /**
   * Presses SPACE and returns what it printed for a drawing of one piece on
   * the last line: a digit, or "?" for a drawing that is no digit.
   */
  async verdict(): Promise<number | "?"> {
    const lines = await this.report();
    assertEquals(lines.length, 11, lines.join("\n"));
    const last = lines.at(-1)!;
    const m = /^prediction: (\d|\?)$/.exec(last);
    assert(m, `last line is '${last}'`);
    // The probabilities are there too, and add up to 100 %.
    let sum = 0;
    lines.slice(0, 10).forEach((line, d) => {
      const p = new RegExp(`^${d}=(\\d+\\.\\d)%$`).exec(line);
      assert(p, `line ${d} is '${line}'`);
      sum += Number(p[1]);
    });
    assert(Math.abs(sum - 100) < 1, `percentages add up to ${sum}`);
    return m[1] === "?" ? "?" : Number(m[1]);
  }

  /**
   * Presses SPACE and returns what it printed for a number: "42", or "?"
   * when a piece is no digit, and the lines of its pieces ("piece 1: 4
   * (97.1%)"), which it checks against the number.
   */
  async number(): Promise<{ number: string; pieces: string[] }> {
    const lines = await this.report();
    const m = /^prediction: (\d+|\?)$/.exec(lines.at(-1)!);
    assert(m, `last line is '${lines.at(-1)}'`);
    const pieces = lines.slice(0, -1);
    assert(pieces.length >= 2, `a number of pieces: ${lines.join(", ")}`);
    pieces.forEach((line, k) => {
      const p = /^piece (\d+): (\d \(\d+\.\d%\)|\? \(.+\))$/.exec(line);
      assert(p && Number(p[1]) === k + 1, `line ${k} is '${line}'`);
      if (m[1] !== "?") assertEquals(line[9], m[1][k], line);
    });
    assertEquals(m[1] === "?", pieces.some((l) => l[9] === "?"));
    return { number: m[1], pieces };
  }

  /** One stroke through `points` (window pixels) with `button` held. */
  async stroke(points: number[][], button = 1): Promise<void> {
    await stroke(this.x, this.id, points, button);
  }

  /** Draws `strokes` (in a unit square) scaled into the box (x, y, w, h). */
  async draw(
    strokes: number[][][],
    box: { x: number; y: number; w: number; h: number },
  ): Promise<void> {
    for (const s of strokes) {
      await this.stroke(
        s.map(([u, v]) => [box.x + u * box.w, box.y + v * box.h]),
      );
    }
  }

  async press(...keys: string[]): Promise<void> {
    await pressKeys(this.x, ...keys);
  }

  /** Takes a screenshot, kept as `name`.png when MNIST_TEST_SCREENSHOTS is set. */
  async shot(name: string): Promise<Screenshot> {
    const s = await screenshot(this.x, this.id);
    if (SHOTS) {
      await Deno.mkdir(SHOTS, { recursive: true });
      await savePng(s, join(SHOTS, `${name}.png`));
    }
    return s;
  }

  /** Waits for the process to end; its exit code. */
  exitCode(): Promise<number> {
    return this.app.exitCode();
  }

  get stderr(): string {
    return this.app.stderr;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.app[Symbol.asyncDispose]();
  }
}

/** A fresh folder to save drawings to; `await using` removes it. */
export async function ownFolder() {
  const path = await Deno.makeTempDir({ prefix: "draw-test-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/**
 * Runs `test` with a draw window on a fresh X server, saving to a fresh folder;
 * afterwards the window's process is ended and the folder removed, whatever
 * happened.
 */
export async function withDrawWindow(
  test: (app: DrawWindow, x: Xvfb, own: string) => Promise<void>,
): Promise<void> {
  await using x = await startXvfb();
  await using own = await ownFolder();
  await using app = await DrawWindow.start(x, own.path);
  await test(app, x, own.path);
}
