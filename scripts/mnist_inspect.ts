/**
 * Shows the trained network from inside: hidden units, backquery, test-set
 * confusions and training curves, in a window or as PNG files.
 *
 * Usage: deno task inspect [options]   (see --help)
 *
 * @module
 */
import { run } from "../lib/cli.ts";
import { HELP, parseInspectArgs, runInspect } from "../lib/app/inspect/main.ts";

async function main() {
  const options = parseInspectArgs(Deno.args);
  if (options === null) {
    console.log(HELP);
    return;
  }
  await runInspect(options, (line) => console.log(`inspect: ${line}`));
}

if (import.meta.main) {
  await run("inspect", main);
}
