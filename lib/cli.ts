/**
 * What the entry scripts share: how an error that ends a script is reported.
 *
 * A user's mistake (see `isUserError()` in lib/errors.ts) becomes one line on
 * stderr, "name: message", and exit code 1, never a stack trace. Anything else
 * is a bug of ours: it keeps its stack trace, asks for a report and exits with
 * code 70 (`EX_SOFTWARE` in sysexits.h).
 *
 * @module
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { isUserError, UserError } from "./errors.ts";

/** A bad command line or environment; shown with a pointer to --help. */
export class UsageError extends UserError {}

/** Exit code of a script that ends with a bug (sysexits.h `EX_SOFTWARE`). */
export const EXIT_BUG = 70;

/** The one-line message for a user's error that ends a script. */
export function describeError(e: unknown): string {
  if (e instanceof UsageError) return `${e.message} (see --help)`;
  if (e instanceof Deno.errors.NotCapable) {
    return `${
      e.message.split("\n")[0]
    } (the task's permissions do not allow this)`;
  }
  if (e instanceof Error) return e.message.split("\n")[0];
  return String(e);
}

/**
 * What a script prints for an error that ends it, and its exit code: one line
 * and 1 for a user's error, a line that says it is a bug plus the stack trace
 * and `EXIT_BUG` for anything else.
 */
export function reportError(
  name: string,
  e: unknown,
): { text: string; code: number } {
  if (isUserError(e)) return { text: `${name}: ${describeError(e)}`, code: 1 };
  const trace = e instanceof Error ? (e.stack ?? String(e)) : String(e);
  return {
    text:
      `${name}: internal error (a bug; please report it with the trace below)\n${trace}`,
    code: EXIT_BUG,
  };
}

/**
 * Runs a script's main function and reports an error thrown from it as
 * `reportError()` says, exiting with its code.
 */
export async function run(name: string, main: () => Promise<void> | void) {
  try {
    await main();
  } catch (e) {
    const { text, code } = reportError(name, e);
    console.error(text);
    Deno.exit(code);
  }
}

/**
 * Parses `--name value` flags with node:util's parseArgs (strict, no positional
 * arguments); a bad command line becomes a `UsageError` with parseArgs's message.
 */
export function parseFlags<T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false })
      .values;
  } catch (e) {
    throw parseArgsError(e);
  }
}

/**
 * node:util parseArgs's error as a `UsageError`: its first sentence, which
 * names the option ("Unknown option '--bogus'"), without its advice on
 * positional arguments that start with a dash.
 */
export function parseArgsError(e: unknown): UsageError {
  const message = e instanceof Error ? e.message : String(e);
  return new UsageError(message.split("\n")[0].split(/\.\s/)[0]);
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w./=:,+@%-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that runs a script again with `args` and permission to write
 * `dir`: `permissions` are the task's others (e.g. "--allow-read"), and the
 * script is the one running (`script`, by default `Deno.mainModule`), so that
 * a task that may write only inside the project can tell its user how to
 * write elsewhere.
 */
export function commandWithWriteAccess(
  dir: string,
  args: string[],
  permissions: string[],
  script: string = Deno.mainModule,
): string {
  const path = script.startsWith("file:") ? fileURLToPath(script) : script;
  const read = permissions.filter((p) => p.startsWith("--allow-read"));
  const others = permissions.filter((p) => !p.startsWith("--allow-read"));
  return [
    "deno",
    "run",
    ...read,
    `--allow-write=${dir}`,
    ...others,
    relative(Deno.cwd(), path),
    ...args,
  ].map(shellQuote).join(" ");
}
