/**
 * Runs the book's experiments: test accuracy against the learning rate, the
 * number of epochs and the number of hidden units.
 *
 * Usage: deno task sweep [options]   (see --help)
 *
 * @module
 */
import { run } from "../lib/cli.ts";
import { HELP, parseSweepArgs, runSweep } from "../lib/app/sweep.ts";

async function main() {
  const options = parseSweepArgs(Deno.args);
  if (options === null) {
    console.log(HELP);
    return;
  }
  await runSweep(options);
}

if (import.meta.main) {
  await run("sweep", main);
}
