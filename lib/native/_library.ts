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
  const override = Deno.env.get(spec.envVar);
  const names = override ? [override] : spec.sonames;
  const missing: string[] = [];
  for (const name of names) {
    try {
      return Deno.dlopen(name, symbols);
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable) throw e;
      const why = reason(e);
      // Not found: try the next name. Found but unusable: that is the answer.
      if (/No such file|cannot open shared object/i.test(why)) {
        missing.push(why);
        continue;
      }
      throw new LibraryError(
        `Cannot load ${spec.name} from '${name}'${
          override ? ` (set by ${spec.envVar})` : ""
        }: ${why}`,
      );
    }
  }
  throw new LibraryError(
    override
      ? `Cannot load ${spec.name} from '${override}' (set by ${spec.envVar}): ${
        missing[0]
      }`
      : `Cannot load ${spec.name} (${
        spec.sonames[0]
      }): not installed; install the Debian package ${spec.debianPackage}, or set ${spec.envVar} to the library's path`,
  );
}
