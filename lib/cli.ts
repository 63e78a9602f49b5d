/**
 * What the entry scripts share: how a user's mistake becomes one line on stderr
 * and exit code 1, never a stack trace.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** A bad command line; the message is shown with a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The one-line message for an error that ends a script. */
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
 * Runs a script's main function; an error thrown from it is printed as
 * "name: message" and exits with code 1.
 */
export async function run(name: string, main: () => Promise<void> | void) {
  try {
    await main();
  } catch (e) {
    console.error(`${name}: ${describeError(e)}`);
    Deno.exit(1);
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
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
}
