/**
 * Loads a native library for one of the binding files in this folder: from the
 * path in an environment variable when it is set, else from the first of the
 * names that this system's table lists and its dynamic linker finds.
 *
 * Each system has one table (`libraryCandidates()`): sonames on Linux and the
 * other ELF systems, Homebrew's paths and `.dylib` names on macOS, `.dll`
 * names on Windows. A library that is not there is one line that says what to
 * install on this system (`notInstalledMessage()`): the Debian package on
 * Debian and Ubuntu, the package of the system's package manager where it is
 * known, else the variable to set.
 *
 * @module
 */
import { UserError } from "../errors.ts";

/** The native libraries the bindings load. */
export type LibraryName = "OpenBLAS" | "SDL2" | "SDL2_ttf" | "SDL2_image";

/** A system, as `Deno.build.os` names it. */
export type Os = typeof Deno.build.os;

/** Which library, and the variable that overrides where it is. */
export interface LibrarySpec {
  /** The library's name, for messages and the tables, e.g. "SDL2_ttf". */
  name: LibraryName;
  /** Environment variable that overrides the path, e.g. "MNIST_SDL2_TTF_PATH". */
  envVar: string;
}

/** Every library the bindings load, with its override variable. */
export const LIBRARIES: Readonly<Record<LibraryName, LibrarySpec>> = {
  OpenBLAS: { name: "OpenBLAS", envVar: "MNIST_OPENBLAS_PATH" },
  SDL2: { name: "SDL2", envVar: "MNIST_SDL2_PATH" },
  SDL2_ttf: { name: "SDL2_ttf", envVar: "MNIST_SDL2_TTF_PATH" },
  SDL2_image: { name: "SDL2_image", envVar: "MNIST_SDL2_IMAGE_PATH" },
};

type CandidateTable = Readonly<Record<LibraryName, readonly string[]>>;

/**
 * Linux and the other ELF systems: sonames, which the dynamic linker looks up
 * in its cache and LD_LIBRARY_PATH. Debian's OpenBLAS first, by soname and at
 * its alternatives' paths; then Fedora's and openSUSE's threaded builds, which
 * have sonames of their own.
 */
const LINUX: CandidateTable = {
  OpenBLAS: [
    "libopenblas.so.0",
    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "libopenblasp.so.0",
    "libopenblas_pthreads.so.0",
  ],
  SDL2: ["libSDL2-2.0.so.0", "libSDL2-2.0.so"],
  SDL2_ttf: ["libSDL2_ttf-2.0.so.0", "libSDL2_ttf-2.0.so"],
  SDL2_image: ["libSDL2_image-2.0.so.0", "libSDL2_image-2.0.so"],
};

/**
 * macOS: Homebrew's libraries, which dlopen() does not look for by name, at
 * their paths (/opt/homebrew on Apple silicon, /usr/local on Intel); then the
 * plain names, for libraries that DYLD_LIBRARY_PATH or
 * DYLD_FALLBACK_LIBRARY_PATH point at. Homebrew's OpenBLAS is keg-only, so it
 * is under opt/openblas, not lib. Apple's Accelerate framework comes last for
 * BLAS: it is on every Mac and has the same CBLAS functions.
 */
const MACOS: CandidateTable = {
  OpenBLAS: [
    "/opt/homebrew/opt/openblas/lib/libopenblas.0.dylib",
    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
    "/usr/local/opt/openblas/lib/libopenblas.0.dylib",
    "/usr/local/opt/openblas/lib/libopenblas.dylib",
    "/opt/homebrew/lib/libopenblas.0.dylib",
    "/opt/homebrew/lib/libopenblas.dylib",
    "/usr/local/lib/libopenblas.0.dylib",
    "/usr/local/lib/libopenblas.dylib",
    "libopenblas.0.dylib",
    "libopenblas.dylib",
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
  ],
  SDL2: [
    "/opt/homebrew/lib/libSDL2-2.0.0.dylib",
    "/usr/local/lib/libSDL2-2.0.0.dylib",
    "libSDL2-2.0.0.dylib",
    "libSDL2.dylib",
  ],
  SDL2_ttf: [
    "/opt/homebrew/lib/libSDL2_ttf-2.0.0.dylib",
    "/usr/local/lib/libSDL2_ttf-2.0.0.dylib",
    "libSDL2_ttf-2.0.0.dylib",
    "libSDL2_ttf.dylib",
  ],
  SDL2_image: [
    "/opt/homebrew/lib/libSDL2_image-2.0.0.dylib",
    "/usr/local/lib/libSDL2_image-2.0.0.dylib",
    "libSDL2_image-2.0.0.dylib",
    "libSDL2_image.dylib",
  ],
};

/**
 * Windows: DLL names, which LoadLibrary looks for beside the program, in the
 * system folders and on PATH. OpenBLAS's own builds name it libopenblas.dll,
 * vcpkg's openblas.dll.
 */
const WINDOWS: CandidateTable = {
  OpenBLAS: ["libopenblas.dll", "openblas.dll"],
  SDL2: ["SDL2.dll"],
  SDL2_ttf: ["SDL2_ttf.dll"],
  SDL2_image: ["SDL2_image.dll"],
};

/** The names tried for `library` on `os`, in order. */
export function libraryCandidates(library: LibraryName, os: Os): string[] {
  const table = os === "darwin" ? MACOS : os === "windows" ? WINDOWS : LINUX;
  return [...table[library]];
}

/** The package managers whose package names are known. */
export type PackageManager =
  | "apt"
  | "brew"
  | "dnf"
  | "pacman"
  | "zypper"
  | "winget"
  | "choco";

/**
 * The package that provides each library, by package manager. A manager
 * without an entry for a library has no package for it that we know of
 * (winget and Chocolatey have none for these).
 */
export const LIBRARY_PACKAGES: Readonly<
  Record<PackageManager, Readonly<Partial<Record<LibraryName, string>>>>
> = {
  apt: {
    OpenBLAS: "libopenblas0-pthread",
    SDL2: "libsdl2-2.0-0",
    SDL2_ttf: "libsdl2-ttf-2.0-0",
    SDL2_image: "libsdl2-image-2.0-0",
  },
  brew: {
    OpenBLAS: "openblas",
    SDL2: "sdl2",
    SDL2_ttf: "sdl2_ttf",
    SDL2_image: "sdl2_image",
  },
  dnf: {
    OpenBLAS: "openblas-threads",
    SDL2: "SDL2",
    SDL2_ttf: "SDL2_ttf",
    SDL2_image: "SDL2_image",
  },
  pacman: {
    OpenBLAS: "openblas",
    SDL2: "sdl2",
    SDL2_ttf: "sdl2_ttf",
    SDL2_image: "sdl2_image",
  },
  zypper: {
    OpenBLAS: "libopenblas_pthreads0",
    SDL2: "libSDL2-2_0-0",
    SDL2_ttf: "libSDL2_ttf-2_0-0",
    SDL2_image: "libSDL2_image-2_0-0",
  },
  winget: {},
  choco: {},
};

/** The command line that installs `packages` with `manager`. */
export function installCommand(
  manager: PackageManager,
  packages: string[],
): string {
  const names = packages.join(" ");
  switch (manager) {
    case "apt":
      return `apt-get install ${names}`;
    case "brew":
      return `brew install ${names}`;
    case "dnf":
      return `dnf install ${names}`;
    case "pacman":
      return `pacman -S --needed ${names}`;
    case "zypper":
      return `zypper install ${names}`;
    case "winget":
      // One package a command: older winget takes no more.
      return packages.map((p) => `winget install --exact --id ${p}`)
        .join(" && ");
    case "choco":
      return `choco install ${names}`;
  }
}

/**
 * The package manager of a Linux distribution, from its /etc/os-release: the
 * distribution's ID, else the first of ID_LIKE that is known.
 */
export function packageManagerFromOsRelease(
  text: string,
): PackageManager | undefined {
  const field = (name: string) =>
    new RegExp(`^${name}=["']?([^"'\\n]*)`, "m").exec(text)?.[1] ?? "";
  const ids = [field("ID"), ...field("ID_LIKE").split(/\s+/)];
  for (const id of ids) {
    if (/^(debian|ubuntu)$/.test(id)) return "apt";
    if (/^(fedora|rhel|centos)$/.test(id)) return "dnf";
    if (/^arch$/.test(id)) return "pacman";
    if (/^(suse|opensuse.*|sles)$/.test(id)) return "zypper";
  }
  return undefined;
}

/**
 * The package manager whose packages a message about a missing library names
 * on this system: Homebrew on macOS; on Linux the distribution's, from
 * /etc/os-release, and Debian's where that cannot be read (as the project
 * always assumed); none elsewhere.
 */
export function systemPackageManager(
  os: Os = Deno.build.os,
): PackageManager | undefined {
  if (os === "darwin") return "brew";
  if (os !== "linux") return undefined;
  const path = "/etc/os-release";
  // Only where reading is allowed already: this must not prompt.
  if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") {
    return "apt";
  }
  try {
    return packageManagerFromOsRelease(Deno.readTextFileSync(path));
  } catch {
    return "apt";
  }
}

/**
 * The line that says `spec`'s library is not installed and what to do about
 * it with `manager` (see `systemPackageManager()`); `shown` is the name the
 * message gives for it.
 */
export function notInstalledMessage(
  spec: LibrarySpec,
  manager: PackageManager | undefined,
  shown: string,
): string {
  const start = `Cannot load ${spec.name} (${shown}): not installed`;
  const variable = `set ${spec.envVar} to the library's path`;
  const pkg = manager && LIBRARY_PACKAGES[manager][spec.name];
  if (!manager || !pkg) return `${start}; ${variable}`;
  if (manager === "apt") {
    return `${start}; install the Debian package ${pkg}, or ${variable}`;
  }
  return `${start}; install it with \`${
    installCommand(manager, [pkg])
  }\`, or ${variable}`;
}

/** A native library that could not be loaded; the message says how to fix it. */
export class LibraryError extends UserError {}

/** A library that none of its names finds: not installed, or not where looked. */
export class LibraryNotFoundError extends LibraryError {}

/** The first line of dlopen's reason, without Deno's wrapping. */
function reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n")[0].replace(/^(Could not open library: )+/, "");
}

/**
 * dlopen's "not there" reasons (glibc's, macOS's "tried: ... (no such file)",
 * Windows' error 126), as opposed to "there but unusable".
 */
const NOT_FOUND =
  /No such file|cannot open shared object|image not found|could not be found|os error 126/i;
/** Reasons that say a file is there but unusable, even beside NOT_FOUND's. */
const UNUSABLE = /incompatible architecture|not a mach-o file|wrong ELF class/i;
/** The symbol a library lacks, in Deno's words or glibc's. */
const MISSING_SYMBOL =
  /^Failed to register symbol (\S+?):|undefined symbol: (\S+)/;

/** The name a message gives for a library tried under `candidates`. */
function shownName(candidates: string[]): string {
  return candidates.find((c) => !/[\\/]/.test(c)) ?? candidates[0] ?? "";
}

/**
 * Opens the library `spec` describes with `symbols`, and says which name
 * loaded: the override's path, or the first of `candidates` (by default this
 * system's, `libraryCandidates()`) that the dynamic linker found. Fails as
 * `openLibrary()` does.
 */
export function openLibraryFrom<S extends Deno.ForeignLibraryInterface>(
  spec: LibrarySpec,
  symbols: S,
  candidates: string[] = libraryCandidates(spec.name, Deno.build.os),
): { library: Deno.DynamicLibrary<S>; path: string } {
  const override = Deno.env.get(spec.envVar);
  const names = override ? [override] : candidates;
  const from = (name: string) =>
    `Cannot load ${spec.name} from '${name}'${
      override ? ` (set by ${spec.envVar})` : ""
    }`;
  for (const name of names) {
    try {
      return { library: Deno.dlopen(name, symbols), path: name };
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable) throw e;
      const text = e instanceof Error ? e.message : String(e);
      // A library that is there but lacks a symbol is another library, or too
      // old a version of this one: that is the answer, not "not installed".
      const symbol = MISSING_SYMBOL.exec(text);
      if (symbol) {
        throw new LibraryError(
          `${from(name)}: it has no symbol ${
            symbol[1] ?? symbol[2]
          }, so it is not ${spec.name} or too old a version of it`,
        );
      }
      const why = reason(e);
      // Not found: try the next name. Found but unusable: that is the answer.
      if (NOT_FOUND.test(why) && !UNUSABLE.test(why) && !override) continue;
      throw new LibraryError(`${from(name)}: ${why}`);
    }
  }
  throw new LibraryNotFoundError(
    notInstalledMessage(spec, systemPackageManager(), shownName(candidates)),
  );
}

/**
 * Opens the library `spec` describes with `symbols`. Fails with a
 * `LibraryError` that keeps dlopen's own reason: a library that is not there
 * (a `LibraryNotFoundError`) says what to install (`notInstalledMessage()`);
 * one that is there but lacks a symbol, or is no library at all, says so.
 */
export function openLibrary<S extends Deno.ForeignLibraryInterface>(
  spec: LibrarySpec,
  symbols: S,
  candidates?: string[],
): Deno.DynamicLibrary<S> {
  return openLibraryFrom(spec, symbols, candidates).library;
}
