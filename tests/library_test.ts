/** The loader every native binding goes through: overrides, sonames, errors. */
import { assert, assertThrows } from "./_assert.ts";
import {
  LibraryError,
  type LibrarySpec,
  openLibrary,
} from "../lib/native/_library.ts";
import { UserError } from "../lib/errors.ts";

const SYMBOLS = {
  // double cos(double x)
  cos: { parameters: ["f64"], result: "f64" },
} as const satisfies Deno.ForeignLibraryInterface;

const ENV = "MNIST_TEST_LIBRARY_PATH";

const spec = (sonames: string[]): LibrarySpec => ({
  name: "libm",
  envVar: ENV,
  sonames,
  debianPackage: "libc6",
});

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

Deno.test("openLibrary() opens the first soname that the linker finds", () => {
  const lib = openLibrary(spec(["libnope-9.so.0", "libm.so.6"]), SYMBOLS);
  try {
    assert(Math.abs(lib.symbols.cos(0) - 1) < 1e-12);
  } finally {
    lib.close();
  }
});

Deno.test("openLibrary() names the Debian package and the variable when nothing is installed", () => {
  const e = assertThrows(
    () => openLibrary(spec(["libnope-9.so.0", "libnope.so"]), SYMBOLS),
    LibraryError,
    "Cannot load libm (libnope-9.so.0): not installed; install the Debian package libc6, or set MNIST_TEST_LIBRARY_PATH to the library's path",
  );
  assert(e instanceof UserError, "the user's to fix");
});

Deno.test("openLibrary() takes the variable's path, and only it", () => {
  const lib = withOverride(
    "libm.so.6",
    () => openLibrary(spec(["libnope-9.so.0"]), SYMBOLS),
  );
  lib.close();
  // The variable wins over sonames that would load.
  withOverride("/nonexistent/libm.so", () =>
    assertThrows(
      () => openLibrary(spec(["libm.so.6"]), SYMBOLS),
      LibraryError,
      "Cannot load libm from '/nonexistent/libm.so' (set by MNIST_TEST_LIBRARY_PATH): /nonexistent/libm.so: cannot open shared object file",
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
      () => openLibrary(spec(["libm.so.6"]), symbols),
      () => withOverride("libm.so.6", () => openLibrary(spec([]), symbols)),
    ]
  ) {
    const e = assertThrows(
      load,
      LibraryError,
      "from 'libm.so.6'",
    );
    assert(
      e.message.endsWith(
        ": it has no symbol no_such_function_here, so it is not libm or too old a version of it",
      ),
      e.message,
    );
  }
});

Deno.test("openLibrary() keeps dlopen's reason for a file that is no library", async () => {
  const path = await Deno.makeTempFile({ suffix: ".so" });
  try {
    await Deno.writeTextFile(path, "just text\n".repeat(200));
    const e = withOverride(path, () =>
      assertThrows(
        () => openLibrary(spec(["libm.so.6"]), SYMBOLS),
        LibraryError,
        `Cannot load libm from '${path}' (set by MNIST_TEST_LIBRARY_PATH): ${path}: `,
      ));
    assert(!e.message.includes("\n") && !e.message.includes("not installed"));
    assert(/ELF|too short/.test(e.message), e.message);
  } finally {
    await Deno.remove(path);
  }
});
