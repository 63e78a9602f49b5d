/**
 * Read digits in image files (PNG, JPEG, BMP) with the trained network.
 *
 * Usage: deno task predict [--model PATH] [--json] FILE...   (see --help)
 *
 * @module
 */
import { run } from "../lib/cli.ts";
import { HELP, parsePredictArgs, runPredict } from "../lib/app/predict_app.ts";

async function main() {
  const options = parsePredictArgs(Deno.args);
  if (options === null) {
    console.log(HELP);
    return;
  }
  const code = await runPredict(options);
  if (code !== 0) Deno.exit(code);
}

if (import.meta.main) {
  await run("predict", main);
}
