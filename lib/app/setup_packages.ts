/**
 * What the set-up step installs or checks, and each package manager's name
 * for it (`PACKAGES`: one table per manager, apt's included). Without apt, the
 * set-up step only checks (`checkNeeds()`): the libraries load through the
 * scripts' own table of names (lib/native/library.ts), the fonts are looked
 * for where the windows look, and what is missing is one line with the
 * install command of the package manager found (Homebrew, dnf, pacman or
 * zypper; winget or Chocolatey on Windows).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.ts";
import {
  installCommand,
  LIBRARIES,
  LIBRARY_PACKAGES,
  libraryCandidates,
  type LibraryName,
  LibraryNotFoundError,
  openLibraryFrom,
  type Os,
  type PackageManager,
} from "../native/library.ts";
import { findFont, FONT_DIR_ENV } from "../ui/text.ts";

/** What the scripts need: the native libraries and the DejaVu fonts. */
export type RuntimeNeed = LibraryName | "DejaVu fonts";
/**
 * What the tests need besides: a virtual X server (xauth for xvfb-run),
 * xdotool and ImageMagick to drive and photograph windows, Python and NumPy
 * to check model files and computations independently.
 */
export type TestNeed =
  | "Xvfb"
  | "xauth"
  | "xdotool"
  | "ImageMagick"
  | "Python"
  | "NumPy";
/** Anything the set-up step installs or checks, but the data. */
export type Need = RuntimeNeed | TestNeed;

/** What the scripts need, in the order packages are installed. */
export const RUNTIME_NEEDS: readonly RuntimeNeed[] = [
  "OpenBLAS",
  "SDL2",
  "SDL2_ttf",
  "SDL2_image",
  "DejaVu fonts",
];
/** What the tests need besides, in the order packages are installed. */
export const TEST_NEEDS: readonly TestNeed[] = [
  "Xvfb",
  "xauth",
  "xdotool",
  "ImageMagick",
  "Python",
  "NumPy",
];

/**
 * The package of each need, one table per package manager; a need without
 * an entry has no package there that we know of. The libraries' packages are
 * the loader's (lib/native/library.ts), so that its messages name the same.
 */
export const PACKAGES: Readonly<
  Record<PackageManager, Readonly<Partial<Record<Need, string>>>>
> = {
  apt: {
    ...LIBRARY_PACKAGES.apt,
    "DejaVu fonts": "fonts-dejavu-core",
    Xvfb: "xvfb",
    xauth: "xauth",
    xdotool: "xdotool",
    ImageMagick: "imagemagick",
    Python: "python3",
    NumPy: "python3-numpy",
  },
  // Homebrew has no Xvfb or xauth (XQuartz brings them); font-dejavu is a
  // cask, which \`brew install\` installs by name too.
  brew: {
    ...LIBRARY_PACKAGES.brew,
    "DejaVu fonts": "font-dejavu",
    xdotool: "xdotool",
    ImageMagick: "imagemagick",
    Python: "python",
    NumPy: "numpy",
  },
  dnf: {
    ...LIBRARY_PACKAGES.dnf,
    "DejaVu fonts": "dejavu-sans-fonts",
    Xvfb: "xorg-x11-server-Xvfb",
    xauth: "xorg-x11-xauth",
    xdotool: "xdotool",
    ImageMagick: "ImageMagick",
    Python: "python3",
    NumPy: "python3-numpy",
  },
  pacman: {
    ...LIBRARY_PACKAGES.pacman,
    "DejaVu fonts": "ttf-dejavu",
    Xvfb: "xorg-server-xvfb",
    xauth: "xorg-xauth",
    xdotool: "xdotool",
    ImageMagick: "imagemagick",
    Python: "python",
    NumPy: "python-numpy",
  },
  zypper: {
    ...LIBRARY_PACKAGES.zypper,
    "DejaVu fonts": "dejavu-fonts",
    Xvfb: "xorg-x11-server-Xvfb",
    xauth: "xauth",
    xdotool: "xdotool",
    ImageMagick: "ImageMagick",
    Python: "python3",
    NumPy: "python3-numpy",
  },
  // Neither has the libraries, the fonts or an X server; their Python has no
  // NumPy (pip installs it).
  winget: {
    ...LIBRARY_PACKAGES.winget,
    ImageMagick: "ImageMagick.ImageMagick",
    Python: "Python.Python.3.12",
  },
  choco: {
    ...LIBRARY_PACKAGES.choco,
    ImageMagick: "imagemagick",
    Python: "python",
  },
};

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Runs a command in the project's folder with no input, its output shown
 * (`inherit`) or discarded; returns whether it succeeded. A command that does
 * not exist fails. The probe and the set-up step's installers share it.
 */
export async function exec(
  argv: string[],
  output: "inherit" | "null" = "inherit",
): Promise<boolean> {
  try {
    const status = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: ROOT,
      stdin: "null",
      stdout: output,
      stderr: output,
    }).output();
    return status.success;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The package managers looked for on `os`, in order. */
export function packageManagers(os: Os): PackageManager[] {
  if (os === "darwin") return ["brew"];
  if (os === "windows") return ["winget", "choco"];
  // Homebrew on Linux puts libraries where the sonames are not looked for.
  return ["dnf", "pacman", "zypper"];
}

/**
 * Whether `command` is a file in one of the folders of `path` (a PATH value;
 * on Windows, with one of the extensions of `pathExt`).
 */
export function onPath(
  command: string,
  { os = Deno.build.os, path = Deno.env.get("PATH") ?? "", pathExt = "" }: {
    os?: Os;
    path?: string;
    pathExt?: string;
  } = {},
): boolean {
  const windows = os === "windows";
  const extensions = windows
    ? ["", ...(pathExt || ".COM;.EXE;.BAT;.CMD").split(";")]
    : [""];
  for (const dir of path.split(windows ? ";" : ":")) {
    if (!dir) continue;
    for (const ext of extensions) {
      try {
        if (Deno.statSync(join(dir, command + ext)).isFile) return true;
      } catch {
        // Not there, or not readable: look further.
      }
    }
  }
  return false;
}

/** The first package manager of `packageManagers(os)` on the PATH. */
export function findPackageManager(
  os: Os = Deno.build.os,
): PackageManager | undefined {
  const pathExt = Deno.env.get("PATHEXT") ?? "";
  return packageManagers(os).find((m) => onPath(m, { os, pathExt }));
}

/** How the set-up step finds what is there; tests give their own. */
export interface Probe {
  /** Whether a library loads; throws for one that is there but unusable. */
  library(name: LibraryName): boolean;
  /** Whether the windows find both DejaVu faces. */
  fonts(): boolean;
  /** Whether a program is on the PATH. */
  command(name: string): boolean;
  /** Whether Python can import NumPy. */
  numpy(): Promise<boolean>;
}

/** The probe of this system. */
export const SYSTEM_PROBE: Probe = {
  library(name) {
    try {
      openLibraryFrom(LIBRARIES[name], {}).library.close();
      return true;
    } catch (e) {
      if (e instanceof LibraryNotFoundError) return false;
      throw e;
    }
  },
  fonts() {
    try {
      findFont("regular");
      findFont("bold");
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
  },
  command: (name) => onPath(name, { pathExt: Deno.env.get("PATHEXT") ?? "" }),
  numpy: () => exec(["python3", "-c", "import numpy"], "null"),
};

/** The program each test need is checked by. */
const TEST_COMMANDS: Record<Exclude<TestNeed, "NumPy">, string> = {
  Xvfb: "Xvfb",
  xauth: "xauth",
  xdotool: "xdotool",
  ImageMagick: "convert",
  Python: "python3",
};

/** The needs of `needs` that `probe` does not find, in order. */
export async function missingNeeds(
  needs: readonly Need[],
  probe: Probe = SYSTEM_PROBE,
): Promise<Need[]> {
  const missing: Need[] = [];
  const isThere = async (need: Need): Promise<boolean> => {
    if (need === "DejaVu fonts") return probe.fonts();
    if (need === "NumPy") {
      return !missing.includes("Python") && await probe.numpy();
    }
    if (need in LIBRARIES) return probe.library(need as LibraryName);
    return probe.command(TEST_COMMANDS[need as Exclude<TestNeed, "NumPy">]);
  };
  for (const need of needs) {
    if (!(await isThere(need))) missing.push(need);
  }
  return missing;
}

/** What to do for needs no package provides, kind by kind. */
function withoutPackage(needs: Need[], os: Os): string {
  const libraries = needs.filter((n): n is LibraryName => n in LIBRARIES);
  const others = needs.filter((n) => !(n in LIBRARIES));
  const parts: string[] = [];
  if (libraries.length > 0) {
    parts.push(
      `install ${
        libraries.map((n) => libraryCandidates(n, os)[0]).join(", ")
      } where the system finds libraries, or set ${
        libraries.map((n) => LIBRARIES[n].envVar).join(", ")
      } to their paths`,
    );
  }
  if (others.includes("DejaVu fonts")) {
    parts.push(
      `put DejaVuSans.ttf and DejaVuSans-Bold.ttf in a folder and set ${FONT_DIR_ENV} to it`,
    );
  }
  const tools = others.filter((n) => n !== "DejaVu fonts");
  if (tools.length > 0) parts.push(`install ${tools.join(", ")} by hand`);
  return parts.join("; ");
}

/**
 * The line that says what of `missing` to install and how: with `manager`'s
 * command for what it has a package for (through sudo for the Linux managers
 * unless `isRoot`), then what to do for the rest; with no manager (`looked`
 * are those looked for), what to install by hand. `fontDirSet` is the folder
 * MNIST_FONT_DIR names when the fonts are not there.
 */
export function missingMessage(
  { missing, manager, looked, os, isRoot = false, fontDirSet }: {
    missing: Need[];
    manager: PackageManager | undefined;
    looked: PackageManager[];
    os: Os;
    isRoot?: boolean;
    fontDirSet?: string;
  },
): string {
  const parts: string[] = [];
  if (missing.length > 0) {
    const packaged = manager
      ? missing.filter((n) => PACKAGES[manager][n] !== undefined)
      : [];
    const rest = missing.filter((n) => !packaged.includes(n));
    let line = `missing ${missing.join(", ")}`;
    if (manager && packaged.length > 0) {
      const sudo = !isRoot && ["dnf", "pacman", "zypper"].includes(manager)
        ? "sudo "
        : "";
      const command = sudo +
        installCommand(manager, packaged.map((n) => PACKAGES[manager][n]!));
      const what = rest.length > 0
        ? packaged.join(", ")
        : missing.length === 1
        ? "it"
        : "them";
      line += `; install ${what} with: ${command}`;
    }
    if (rest.length > 0) {
      line += manager
        ? `; ${manager} has no package for ${rest.join(", ")}: `
        : `; found no package manager (looked for ${looked.join(", ")}): `;
      line += withoutPackage(rest, os);
    }
    parts.push(line);
  }
  if (fontDirSet) {
    parts.push(
      `the DejaVu fonts are not in ${fontDirSet}, where ${FONT_DIR_ENV} points: point it at the folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf`,
    );
  }
  return parts.join("; ");
}

/**
 * Without apt: checks that `needs` are there, and stops with
 * `missingMessage()` when some are not. Installs nothing.
 */
export async function checkNeeds(
  needs: readonly Need[],
  {
    probe = SYSTEM_PROBE,
    os = Deno.build.os,
    manager = findPackageManager(os),
  }: {
    probe?: Probe;
    os?: Os;
    manager?: PackageManager;
  } = {},
): Promise<void> {
  const missing = await missingNeeds(needs, probe);
  if (missing.length === 0) return;
  // The windows look where each system's packages put the fonts (see
  // fontPlaces()), unless MNIST_FONT_DIR names a folder: then that is wrong.
  let fontDirSet: string | undefined;
  if (missing.includes("DejaVu fonts")) {
    fontDirSet = Deno.env.get(FONT_DIR_ENV) || undefined;
    if (fontDirSet) missing.splice(missing.indexOf("DejaVu fonts"), 1);
  }
  throw new UserError(
    missingMessage({
      missing,
      manager,
      looked: packageManagers(os),
      os,
      isRoot: Deno.uid() === 0,
      fontDirSet,
    }),
  );
}
