/**
 * Installs what the scripts need (lib/app/setup.ts), and does nothing when all
 * is there; without apt, checks that it is there and says how to install what
 * is not.
 *
 * Usage: deno task setup [--test]
 *
 * @module
 */
import { run } from "../lib/cli.ts";
import { HELP, parseSetupArgs, runSetup } from "../lib/app/setup.ts";

async function main() {
  const options = parseSetupArgs(Deno.args);
  if (options === null) {
    console.log(HELP);
    return;
  }
  await runSetup(options);
}

if (import.meta.main) {
  await run("setup", main);
}
