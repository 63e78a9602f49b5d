/**
 * Loads a native library for one of the binding files in this folder: from the
 * path in an environment variable when it is set, else from the first of a few
 * sonames that the dynamic linker finds.
 *
 * @module
 */
import { UserError } from "../errors.ts";

/** Which library, where to look for it and which Debian package provides it. */
export interface LibrarySpec {
  /** The library's name for messages, e.g. "SDL2_ttf". */
  name: string;
  /** Environment variable that overrides the path, e.g. "MNIST_SDL2_TTF_PATH". */
  envVar: string;
  /** Names tried in order, e.g. ["libSDL2_ttf-2.0.so.0"]. */
  sonames: string[];
  /** The Debian package that provides it, e.g. "libsdl2-ttf-2.0-0". */
  debianPackage: string;
}

/** A native library that could not be loaded; the message says how to fix it. */
export class LibraryError extends UserError {}

/** The first line of dlopen's reason, without Deno's wrapping. */
function reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n")[0].replace(/^(Could not open library: )+/, "");
}

/** dlopen's "not there" reasons, as opposed to "there but unusable". */
const NOT_FOUND = /No such file|cannot open shared object/i;

/**
 * Opens the library `spec` describes with `symbols`, and says which name
 * loaded: the override's path, or the soname that the dynamic linker found.
 * Fails as `openLibrary()` does.
 */
export function openLibraryFrom<S extends Deno.ForeignLibraryInterface>(
  spec: LibrarySpec,
  symbols: S,
): { library: Deno.DynamicLibrary<S>; path: string } {
  const override = Deno.env.get(spec.envVar);
  const names = override ? [override] : spec.sonames;
  const from = (name: string) =>
    `Cannot load ${spec.name} from '${name}'${
      override ? ` (set by ${spec.envVar})` : ""
    }`;
  for (const name of names) {
    try {
      return { library: Deno.dlopen(name, symbols), path: name };
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable) throw e;
      const why = reason(e);
      // A library that is there but lacks a symbol is another library, or too
      // old a version of this one: that is the answer, not "not installed".
      const symbol = /undefined symbol: (\S+)/.exec(why)?.[1];
      if (symbol) {
        throw new LibraryError(
          `${
            from(name)
          }: it has no symbol ${symbol}, so it is not ${spec.name} or too old a version of it`,
        );
      }
      // Not found: try the next name. Found but unusable: that is the answer.
      if (NOT_FOUND.test(why) && !override) continue;
      throw new LibraryError(`${from(name)}: ${why}`);
    }
  }
  throw new LibraryError(
    `Cannot load ${spec.name} (${
      spec.sonames[0]
    }): not installed; install the Debian package ${spec.debianPackage}, or set ${spec.envVar} to the library's path`,
  );
}

/**
 * Opens the library `spec` describes with `symbols`. Fails with a
 * `LibraryError` that keeps dlopen's own reason: a library that is not there
 * names the Debian package to install; one that is there but lacks a symbol, or
 * is no library at all, says so.
 */
export function openLibrary<S extends Deno.ForeignLibraryInterface>(
  spec: LibrarySpec,
  symbols: S,
): Deno.DynamicLibrary<S> {
  return openLibraryFrom(spec, symbols).library;
}
