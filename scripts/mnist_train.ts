/**
 * Trains the 784-200-10 sigmoid network on MNIST and saves it as safetensors.
 *
 * Usage: deno task train [options]   (see --help)
 *
 * @module
 */
import { run } from "../lib/cli.ts";
import { HELP, parseTrainArgs, runTrain } from "../lib/app/train_app.ts";

async function main() {
  const options = parseTrainArgs(Deno.args, (name) => Deno.env.get(name));
  if (options === null) {
    console.log(HELP);
    return;
  }
  await runTrain(options);
}

if (import.meta.main) {
  await run("train", main);
}
