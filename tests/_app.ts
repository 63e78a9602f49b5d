/**
 * Running the entry scripts as a user would: with their task's permissions
 * from deno.json, in a clean environment, their stdout read line by line and
 * their stderr kept, and, for the window apps, their window found on a test
 * X server. `await using` ends the process, whatever happened.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./_assert.ts";
import { isAlive, waitForWindow, type Xvfb } from "./_x11.ts";

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The model the tests use; never the one under models/ that training rewrites. */
export const FIXTURE_MODEL = fileURLToPath(
  new URL("fixtures/model-784-200-10.safetensors", import.meta.url),
);

/**
 * The `deno run` arguments of task `name` in deno.json, up to and including
 * the script, with `replace` applied to each permission flag.
 */
export function taskArgs(
  name: string,
  replace: (flag: string) => string = (f) => f,
): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));
  const words: string[] = config.tasks[name].command.split(/\s+/).slice(1);
  return words.map((w) => w.startsWith("--allow") ? replace(w) : w);
}

/**
 * An environment without any display: PATH, HOME and DENO_DIR only. (An empty
 * DISPLAY is not enough: Xlib then tries display :0, which may well exist.)
 */
export function bareEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** A script running as a child process, its output collected as it comes. */
export class App implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  /** Its window, once `waitForWindow()` found it. */
  id = 0;
  /** The lines it printed to stdout so far. */
  readonly lines: string[] = [];
  stderr = "";
  readonly #reading: Promise<void>;
  #wake: (() => void) | null = null;

  /**
   * Starts `deno` with `args` in the repository root, in `bareEnv()` plus
   * `env` (e.g. an X server's DISPLAY).
   */
  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env: { ...bareEnv(), ...env },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reading = Promise.all([this.#readLines(), this.#readStderr()])
      .then(() => {});
  }

  async #readLines() {
    let rest = "";
    for await (
      const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      this.lines.push(...parts);
      this.#wake?.();
    }
    if (rest) this.lines.push(rest);
    this.#wake?.();
  }

  async #readStderr() {
    for await (
      const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      this.stderr += chunk;
    }
  }

  /**
   * Waits for the app's window on `x` and returns its id; if none comes, the
   * error says how the process ended and what it printed.
   */
  async waitForWindow(x: Xvfb): Promise<number> {
    try {
      this.id = await waitForWindow(x, this.child.pid);
      return this.id;
    } catch (e) {
      const code = await this.exitCode(1000);
      throw new Error(
        `${(e as Error).message} (exit code ${code}); stdout: ${
          this.lines.join("\n")
        }; stderr: ${this.stderr}`,
      );
    }
  }

  /** Waits until stdout has at least `n` lines, or fails after `timeoutMs`. */
  async waitForLines(n: number, timeoutMs = 5000): Promise<string[]> {
    const end = Date.now() + timeoutMs;
    while (this.lines.length < n) {
      const left = end - Date.now();
      if (left <= 0) {
        throw new Error(
          `waited for ${n} lines of stdout, got ${this.lines.length}: ${
            JSON.stringify(this.lines)
          }; stderr: ${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    return this.lines;
  }

  /**
   * Waits until stdout has a line at index `from` or later that `test`
   * accepts, or fails after `timeoutMs`; returns that line's index.
   */
  async waitForLine(
    from: number,
    test: (line: string) => boolean,
    timeoutMs = 5000,
  ): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (let k = from;; k++) {
      await this.waitForLines(k + 1, Math.max(1, end - Date.now()));
      if (test(this.lines[k])) return k;
    }
  }

  /**
   * Waits for the process to end (killing it after `timeoutMs`) and for its
   * output; returns its exit code.
   */
  async exitCode(timeoutMs = 15_000): Promise<number> {
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch { /* gone */ }
    }, timeoutMs);
    const status = await this.child.status;
    clearTimeout(timer);
    await this.#reading;
    return status.code;
  }

  /** Ends the process if it still runs, and waits for it. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (await isAlive(this.child.pid)) {
      try {
        this.child.kill("SIGKILL");
      } catch { /* gone */ }
    }
    await this.exitCode();
  }
}

/** Runs a script to its end; its exit code, stdout and stderr. */
export async function runToEnd(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  await using app = new App(args, env);
  const code = await app.exitCode();
  return { code, stdout: app.lines.join("\n"), stderr: app.stderr };
}

/**
 * The command that `task`'s one line on stderr gives for writing pictures
 * into `dir`, a folder outside the project the task may not write to.
 */
export function rerunCommand(
  task: string,
  dir: string,
  stderr: string,
): string {
  const lines = stderr.trim().split("\n");
  assertEquals(lines.length, 1, stderr);
  const prefix =
    `${task}: cannot write the pictures into '${dir}': the ${task} task may write only inside the project folder; to write there, run: `;
  assert(lines[0].startsWith(prefix), lines[0]);
  return lines[0].slice(prefix.length);
}
