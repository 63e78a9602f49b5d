/**
 * The loader every native binding goes through: each system's table of names,
 * overrides, and the messages for a library that is missing or unusable.
 */
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  installCommand,
  LIBRARIES,
  LIBRARY_PACKAGES,
  libraryCandidates,
  LibraryError,
  type LibraryName,
  LibraryNotFoundError,
  type LibrarySpec,
  notInstalledMessage,
  openLibrary,
  type PackageManager,
  packageManagerFromOsRelease,
  systemPackageManager,
} from "../lib/native/library.ts";
import { UserError } from "../lib/errors.ts";

const SYMBOLS = {
  // double cos(double x)
  cos: { parameters: ["f64"], result: "f64" },
} as const satisfies Deno.ForeignLibraryInterface;

const ENV = "MNIST_TEST_LIBRARY_PATH";

/** A library spec with a variable of the test's own; libm stands in for it. */
const spec: LibrarySpec = { name: "OpenBLAS", envVar: ENV };

const NAMES = Object.keys(LIBRARIES) as LibraryName[];
const MANAGERS = Object.keys(LIBRARY_PACKAGES) as PackageManager[];

/** Runs `fn` with ENV set to `value`, restoring it afterwards. */
function withOverride<T>(value: string, fn: () => T): T {
  const saved = Deno.env.get(ENV);
  Deno.env.set(ENV, value);
  try {
    return fn();
  } finally {
    if (saved === undefined) Deno.env.delete(ENV);
    else Deno.env.set(ENV, saved);
  }
}

Deno.test("libraryCandidates() on Linux tries the sonames tried before any other name", () => {
  // The names every Linux system tried, in order, before the table had more
  // systems: Debian's.
  const before: Record<LibraryName, string[]> = {
    OpenBLAS: [
      "libopenblas.so.0",
      "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
      "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
    ],
    SDL2: ["libSDL2-2.0.so.0", "libSDL2-2.0.so"],
    SDL2_ttf: ["libSDL2_ttf-2.0.so.0", "libSDL2_ttf-2.0.so"],
    SDL2_image: ["libSDL2_image-2.0.so.0", "libSDL2_image-2.0.so"],
  };
  for (const name of NAMES) {
    const names = libraryCandidates(name, "linux");
    assertEquals(names.slice(0, before[name].length), before[name], name);
    for (const n of names.slice(before[name].length)) {
      assert(/\.so(\.\d+)*$/.test(n), `${name}: ${n} is a soname`);
    }
  }
  // Fedora's and openSUSE's threaded OpenBLAS, after Debian's.
  const blas = libraryCandidates("OpenBLAS", "linux");
  assert(blas.includes("libopenblasp.so.0"), blas.join());
  assert(blas.includes("libopenblas_pthreads.so.0"), blas.join());
  for (const name of NAMES) {
    const names = libraryCandidates(name, "linux");
    assert(!names.some((n) => n.endsWith(".dylib")), names.join());
  }
  // Other ELF systems use the same names.
  assertEquals(libraryCandidates("SDL2", "freebsd"), before.SDL2);
});

Deno.test("libraryCandidates() on macOS: Homebrew's paths, OpenBLAS's keg first, then plain names, Accelerate last", () => {
  for (const name of NAMES) {
    const names = libraryCandidates(name, "darwin");
    assert(names.length > 0, name);
    for (const n of names) {
      assert(
        n.endsWith(".dylib") || n.endsWith("/Accelerate"),
        `${name}: ${n} is a macOS library`,
      );
    }
    const isPath = (n: string) => n.startsWith("/");
    const homebrew = names.filter((n) =>
      /^\/(opt\/homebrew|usr\/local)\//.test(n)
    );
    // Both of Homebrew's prefixes: Apple silicon's and Intel's.
    assert(homebrew.some((n) => n.startsWith("/opt/homebrew/lib/")), name);
    assert(homebrew.some((n) => n.startsWith("/usr/local/lib/")), name);
    // Plain names (found through DYLD_LIBRARY_PATH) come after Homebrew's
    // paths, and Accelerate after everything.
    const firstPlain = names.findIndex((n) => !isPath(n));
    assert(firstPlain > 0, `${name} has plain names after its paths`);
    const plain = names.slice(firstPlain);
    assert(
      plain.every((n) => !isPath(n) || n.includes("Accelerate.framework")),
      `${name}: ${plain.join()}`,
    );
    assert(
      homebrew.every((n) => names.indexOf(n) < firstPlain),
      names.join(),
    );
  }
  const blas = libraryCandidates("OpenBLAS", "darwin");
  // The keg: Homebrew's OpenBLAS is not linked into lib/.
  const keg = blas.filter((n) => n.includes("/opt/openblas/lib/"));
  assertEquals(
    new Set(keg.map((n) => n.slice(0, n.indexOf("/opt/openblas/")))),
    new Set(["/opt/homebrew", "/usr/local"]),
  );
  const lastKeg = Math.max(...keg.map((n) => blas.indexOf(n)));
  blas.forEach((n, i) => {
    if (n.includes("/lib/") && !n.includes("/opt/openblas/")) {
      assert(i > lastKeg, `the keg comes before ${n}`);
    }
  });
  assert(
    blas.includes("libopenblas.0.dylib") && blas.includes("libopenblas.dylib"),
  );
  assertEquals(
    blas.at(-1),
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
  );
  assert(
    libraryCandidates("SDL2_ttf", "darwin").includes("libSDL2_ttf-2.0.0.dylib"),
  );
  // Accelerate is BLAS only.
  for (const name of NAMES.filter((n) => n !== "OpenBLAS")) {
    assert(
      !libraryCandidates(name, "darwin").some((n) => n.includes("Accelerate")),
    );
  }
});

Deno.test("libraryCandidates() on Windows gives DLL names", () => {
  for (const name of NAMES) {
    const names = libraryCandidates(name, "windows");
    assert(names.length > 0, name);
    for (const n of names) {
      assert(/^[\w-]+\.dll$/.test(n), `${name}: ${n} is a DLL name`);
      assert(n.toLowerCase().includes(name.toLowerCase()), n);
    }
  }
  assertEquals(libraryCandidates("OpenBLAS", "windows")[0], "libopenblas.dll");
  assertEquals(libraryCandidates("SDL2_image", "windows"), ["SDL2_image.dll"]);
});

Deno.test("libraryCandidates() returns a copy the caller may change", () => {
  libraryCandidates("SDL2", "linux").push("x");
  assert(!libraryCandidates("SDL2", "linux").includes("x"));
});

Deno.test("LIBRARY_PACKAGES names a package for each library on the Linux managers and Homebrew", () => {
  for (const manager of ["apt", "brew", "dnf", "pacman", "zypper"] as const) {
    for (const name of NAMES) {
      const pkg = LIBRARY_PACKAGES[manager][name];
      assert(pkg && /^[\w.+-]+$/.test(pkg), `${manager} ${name}: ${pkg}`);
    }
    // Four different packages.
    assertEquals(new Set(Object.values(LIBRARY_PACKAGES[manager])).size, 4);
  }
  // Debian's, as the set-up step installs them.
  assertEquals(LIBRARY_PACKAGES.apt.OpenBLAS, "libopenblas0-pthread");
  assertEquals(LIBRARY_PACKAGES.apt.SDL2_ttf, "libsdl2-ttf-2.0-0");
});

Deno.test("installCommand() gives each manager's own command", () => {
  const commands = Object.fromEntries(
    MANAGERS.map((m) => [m, installCommand(m, ["a", "b"])]),
  );
  assertEquals(commands.brew, "brew install a b");
  assert(commands.pacman.startsWith("pacman -S "), commands.pacman);
  for (const m of MANAGERS) {
    const c = commands[m];
    assert(c.includes(m === "apt" ? "apt-get" : m), c);
    assert(c.indexOf(" a") < c.indexOf(" b"), `packages in order: ${c}`);
  }
  assertEquals(commands.winget.split(" && ").length, 2, commands.winget);
});

Deno.test("packageManagerFromOsRelease() knows Debian, Fedora, Arch and openSUSE and their derivatives", () => {
  const release = (id: string, like = "") =>
    `NAME="X"\nVERSION_ID="1"\nID=${id}\n${like ? `ID_LIKE="${like}"\n` : ""}`;
  assertEquals(packageManagerFromOsRelease(release("debian")), "apt");
  assertEquals(packageManagerFromOsRelease(release("ubuntu", "debian")), "apt");
  assertEquals(
    packageManagerFromOsRelease(release("linuxmint", "ubuntu debian")),
    "apt",
  );
  assertEquals(packageManagerFromOsRelease(release("fedora")), "dnf");
  assertEquals(
    packageManagerFromOsRelease(release(`"rocky"`, "rhel centos fedora")),
    "dnf",
  );
  assertEquals(packageManagerFromOsRelease(release("arch")), "pacman");
  assertEquals(
    packageManagerFromOsRelease(release("manjaro", "arch")),
    "pacman",
  );
  assertEquals(
    packageManagerFromOsRelease(
      release(`"opensuse-tumbleweed"`, "opensuse suse"),
    ),
    "zypper",
  );
  assertEquals(packageManagerFromOsRelease(release("alpine")), undefined);
  assertEquals(packageManagerFromOsRelease(""), undefined);
});

Deno.test("systemPackageManager() is Homebrew on macOS, none on Windows, and this Linux's", async () => {
  assertEquals(systemPackageManager("darwin"), "brew");
  assertEquals(systemPackageManager("windows"), undefined);
  const here = packageManagerFromOsRelease(
    await Deno.readTextFile("/etc/os-release"),
  );
  assertEquals(systemPackageManager("linux"), here);
});

Deno.test("notInstalledMessage() names the Debian package on Debian, as it always did", () => {
  assertEquals(
    notInstalledMessage(LIBRARIES.SDL2_ttf, "apt", "libSDL2_ttf-2.0.so.0"),
    "Cannot load SDL2_ttf (libSDL2_ttf-2.0.so.0): not installed; install the Debian package libsdl2-ttf-2.0-0, or set MNIST_SDL2_TTF_PATH to the library's path",
  );
});

Deno.test("notInstalledMessage() gives the install command elsewhere, else the variable", () => {
  for (const manager of ["brew", "dnf", "pacman", "zypper"] as const) {
    for (const name of NAMES) {
      const text = notInstalledMessage(LIBRARIES[name], manager, "x");
      const pkg = LIBRARY_PACKAGES[manager][name]!;
      assert(
        text.includes(`install it with \`${installCommand(manager, [pkg])}\``),
        text,
      );
      assert(
        text.endsWith(`set ${LIBRARIES[name].envVar} to the library's path`),
      );
      assert(!text.includes("Debian"), text);
    }
  }
  assert(
    notInstalledMessage(LIBRARIES.SDL2_ttf, "brew", "libSDL2_ttf-2.0.0.dylib")
      .includes("`brew install sdl2_ttf`"),
  );
  for (const manager of ["winget", "choco", undefined] as const) {
    assertEquals(
      notInstalledMessage(LIBRARIES.SDL2, manager, "SDL2.dll"),
      "Cannot load SDL2 (SDL2.dll): not installed; set MNIST_SDL2_PATH to the library's path",
    );
  }
});

Deno.test("openLibrary() opens the first name that the linker finds", () => {
  const lib = openLibrary(spec, SYMBOLS, ["libnope-9.so.0", "libm.so.6"]);
  try {
    assert(Math.abs(lib.symbols.cos(0) - 1) < 1e-12);
  } finally {
    lib.close();
  }
});

Deno.test("openLibrary() says what to install, and the variable, when nothing is installed", () => {
  const e = assertThrows(
    () => openLibrary(spec, SYMBOLS, ["libnope-9.so.0", "libnope.so"]),
    LibraryNotFoundError,
    notInstalledMessage(spec, systemPackageManager(), "libnope-9.so.0"),
  );
  assert(e instanceof UserError, "the user's to fix");
  // On this Debian machine: the Debian package.
  if (systemPackageManager() === "apt") {
    assertEquals(
      e.message,
      "Cannot load OpenBLAS (libnope-9.so.0): not installed; install the Debian package libopenblas0-pthread, or set MNIST_TEST_LIBRARY_PATH to the library's path",
    );
  }
  // A path is named by its plain name where the table has one.
  assertThrows(
    () => openLibrary(spec, SYMBOLS, ["/nope/libnope.so.1", "libnope.so.1"]),
    LibraryError,
    "(libnope.so.1): not installed",
  );
});

Deno.test("openLibrary() takes the variable's path, and only it", () => {
  const lib = withOverride(
    "libm.so.6",
    () => openLibrary(spec, SYMBOLS, ["libnope-9.so.0"]),
  );
  lib.close();
  // The variable wins over names that would load.
  withOverride("/nonexistent/libm.so", () =>
    assertThrows(
      () => openLibrary(spec, SYMBOLS, ["libm.so.6"]),
      LibraryError,
      "Cannot load OpenBLAS from '/nonexistent/libm.so' (set by MNIST_TEST_LIBRARY_PATH): /nonexistent/libm.so: cannot open shared object file",
    ));
});

Deno.test("openLibrary() says which symbol a library lacks, not that it is missing", () => {
  const symbols = {
    ...SYMBOLS,
    // int no_such_function_here(void)
    no_such_function_here: { parameters: [], result: "i32" },
  } as const satisfies Deno.ForeignLibraryInterface;
  for (
    const load of [
      () => openLibrary(spec, symbols, ["libm.so.6"]),
      () => withOverride("libm.so.6", () => openLibrary(spec, symbols, [])),
    ]
  ) {
    const e = assertThrows(load, LibraryError, "from 'libm.so.6'");
    assert(
      e.message.endsWith(
        ": it has no symbol no_such_function_here, so it is not OpenBLAS or too old a version of it",
      ),
      e.message,
    );
  }
});

Deno.test("openLibrary() leaves an optional symbol that is missing null", () => {
  const lib = openLibrary(spec, {
    ...SYMBOLS,
    // int no_such_function_here(void)
    no_such_function_here: { parameters: [], result: "i32", optional: true },
  }, ["libm.so.6"]);
  try {
    assertEquals(lib.symbols.no_such_function_here, null);
    assert(Math.abs(lib.symbols.cos(0) - 1) < 1e-12);
  } finally {
    lib.close();
  }
});

Deno.test("openLibrary() keeps dlopen's reason for a file that is no library", async () => {
  const path = await Deno.makeTempFile({ suffix: ".so" });
  try {
    await Deno.writeTextFile(path, "just text\n".repeat(200));
    const e = withOverride(path, () =>
      assertThrows(
        () => openLibrary(spec, SYMBOLS, ["libm.so.6"]),
        LibraryError,
        `Cannot load OpenBLAS from '${path}' (set by MNIST_TEST_LIBRARY_PATH): ${path}: `,
      ));
    assert(!e.message.includes("\n") && !e.message.includes("not installed"));
    assert(!(e instanceof LibraryNotFoundError), "there, but unusable");
    assert(/ELF|too short/.test(e.message), e.message);
    // Also when the table names it: it is there, so that is the answer.
    const e2 = assertThrows(
      () => openLibrary(spec, SYMBOLS, [path, "libm.so.6"]),
      LibraryError,
      `Cannot load OpenBLAS from '${path}': ${path}: `,
    );
    assert(!e2.message.includes("not installed"), e2.message);
  } finally {
    await Deno.remove(path);
  }
});
