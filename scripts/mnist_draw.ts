/**
 * Draw a digit with the mouse and watch the trained network read it.
 *
 * Usage: deno task draw [options]   (see --help)
 *
 * @module
 */
import { run } from "../lib/cli.ts";
import { HELP, parseDrawArgs, runDraw } from "../lib/app/draw/main.ts";

async function main() {
  const options = parseDrawArgs(Deno.args);
  if (options === null) {
    console.log(HELP);
    return;
  }
  await runDraw(options);
  // The window is closed and what was asked saved: the worker that learns
  // from corrections, terminated mid-job, is not waited for.
  Deno.exit(0);
}

if (import.meta.main) {
  await run("draw", main);
}
