import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  describeError,
  EXIT_BUG,
  parseFlags,
  reportError,
  UsageError,
} from "../lib/cli.ts";
import { FileFormatError, isUserError, UserError } from "../lib/errors.ts";
import { DivergedError } from "../lib/nn/train.ts";

const CLI = new URL("../lib/cli.ts", import.meta.url).href;
const ERRORS = new URL("../lib/errors.ts", import.meta.url).href;

Deno.test("UsageError and DivergedError are UserErrors", () => {
  const usage = new UsageError("bad flag");
  assert(usage instanceof UserError);
  assertEquals(usage.name, "UsageError");
  assert(isUserError(new DivergedError(1, 2, 0.5, NaN)));
});

Deno.test("isUserError() accepts file errors and FileFormatError, not bugs", () => {
  assert(isUserError(new Deno.errors.NotFound("x")));
  assert(isUserError(new Deno.errors.PermissionDenied("x")));
  assert(isUserError(new FileFormatError("x")));
  // A SyntaxError may as well be a bug of ours: it keeps its stack trace.
  assert(!isUserError(new SyntaxError("x")));
  assert(!isUserError(new TypeError("x")));
  assert(!isUserError(new RangeError("x")));
  assert(!isUserError("a string"));
});

Deno.test("describeError() points a UsageError to --help, keeps one line", () => {
  assertEquals(describeError(new UsageError("bad")), "bad (see --help)");
  assertEquals(describeError(new UserError("one\ntwo")), "one");
});

Deno.test("reportError() gives a user's error one line and exit 1", () => {
  assertEquals(reportError("train", new UserError("no data")), {
    text: "train: no data",
    code: 1,
  });
});

Deno.test("reportError() gives a bug its stack trace and EXIT_BUG", () => {
  const e = new TypeError("x is undefined");
  const r = reportError("train", e);
  assertEquals(r.code, EXIT_BUG);
  const [first, ...rest] = r.text.split("\n");
  assertEquals(
    first,
    "train: internal error (a bug; please report it with the trace below)",
  );
  assertEquals(rest.join("\n"), e.stack);
});

Deno.test("parseFlags() turns a bad command line into a UsageError", () => {
  assertThrows(
    () => parseFlags(["--nope"], { yes: { type: "boolean" } }),
    UsageError,
    "Unknown option '--nope'",
  );
  assertThrows(
    () => parseFlags(["extra"], { yes: { type: "boolean" } }),
    UsageError,
  );
});

/** Runs `run("demo", ...)` in a child process with `main` throwing `thrown`. */
async function runThrowing(thrown: string) {
  const code = `import { run, UsageError } from "${CLI}";
import { FileFormatError, UserError } from "${ERRORS}";
function inner() { ${thrown}; }
await run("demo", () => inner());`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("run() prints a user's error as one line and exits 1", async () => {
  const cases: [string, string][] = [
    [
      'throw new UsageError("--epochs must be an integer")',
      "demo: --epochs must be an integer (see --help)",
    ],
    ['throw new UserError("no display")', "demo: no display"],
    [
      'throw new FileFormatError("Cannot load x: line 3 is empty")',
      "demo: Cannot load x: line 3 is empty",
    ],
    [
      'Deno.readFileSync("/nonexistent/mnist-file")',
      "demo: No such file or directory",
    ],
  ];
  for (const [thrown, expected] of cases) {
    const r = await runThrowing(thrown);
    assertEquals(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assertEquals(lines.length, 1, r.stderr);
    assert(lines[0].startsWith(expected), `${lines[0]}\nexpected ${expected}`);
  }
});

Deno.test("run() keeps a bug's stack trace, says it is one, exits EXIT_BUG", async () => {
  for (const thrown of ["null.x", 'throw new RangeError("index 9 of 3")']) {
    const r = await runThrowing(thrown);
    assertEquals(r.code, EXIT_BUG, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assertEquals(
      lines[0],
      "demo: internal error (a bug; please report it with the trace below)",
    );
    assert(/^(TypeError|RangeError): /.test(lines[1]), r.stderr);
    assert(lines.some((l) => /^\s+at inner /.test(l)), r.stderr);
  }
});
