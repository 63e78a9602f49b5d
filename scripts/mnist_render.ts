/**
 * Browses the MNIST records in a window, with the trained network's answers.
 *
 * Usage: deno task render [options]   (see --help)
 *
 * @module
 */
import { run } from "../lib/cli.ts";
import { HELP, parseRenderArgs, runRender } from "../lib/app/render/main.ts";

async function main() {
  const options = parseRenderArgs(Deno.args);
  if (options === null) {
    console.log(HELP);
    return;
  }
  await runRender(options, (line) => console.log(`render: ${line}`));
}

if (import.meta.main) {
  await run("render", main);
}
