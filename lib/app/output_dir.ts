/**
 * A folder a task writes pictures into at the user's request: the checks,
 * made before any work is done, that it can be written, and the one line for
 * a file that could not be written after all. A task whose permissions let it
 * write only inside the project folder tells its user the command that may
 * write elsewhere.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { commandWithWriteAccess } from "../cli.ts";
import { UserError } from "../errors.ts";

/** What is at `path`: its info, or null when nothing is. */
export function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (e) {
    if (
      e instanceof Deno.errors.NotFound ||
      e instanceof Deno.errors.NotADirectory
    ) return null;
    throw e;
  }
}

/** The nearest of `path` and its parents that exists, and what it is. */
function nearestExisting(path: string): { path: string; info: Deno.FileInfo } {
  for (let p = resolve(path);; p = dirname(p)) {
    let info: Deno.FileInfo | null = null;
    try {
      info = Deno.statSync(p);
    } catch (e) {
      if (
        !(e instanceof Deno.errors.NotFound ||
          e instanceof Deno.errors.NotADirectory)
      ) throw e;
    }
    if (info) return { path: p, info };
    if (dirname(p) === p) throw new Error(`no part of '${path}' exists`);
  }
}

/** Who writes into the folder, for `checkOutputDir()`'s messages. */
export interface OutputTask {
  /** The task's name, as in "the predict task may write only ...". */
  name: string;
  /** The command line as given, for the command that runs it again. */
  args: readonly string[];
  /** The task's permissions in deno.json, less its write access. */
  permissions: readonly string[];
  /** What it writes, for the messages: by default "the pictures". */
  what?: string;
}

/**
 * Fails, before any work is done, when pictures could not be written into
 * `dir`: it, or a folder on its way, is a file; or the task may not write
 * there (it may write only inside the project folder), in which case the
 * message gives the command that may. Returns whether `dir` exists already.
 */
export function checkOutputDir(dir: string, task: OutputTask): boolean {
  const into = `cannot write ${task.what ?? "the pictures"} into '${dir}'`;
  const found = nearestExisting(dir);
  if (!found.info.isDirectory) {
    throw new UserError(
      found.path === resolve(dir)
        ? `${into}: it is a file, not a folder`
        : `${into}: '${found.path}' is a file, not a folder`,
    );
  }
  const path = resolve(dir);
  if (
    Deno.permissions.querySync({ name: "write", path }).state !== "granted"
  ) {
    throw new UserError(
      `${into}: the ${task.name} task may write only inside the project folder; to write there, run: ${
        commandWithWriteAccess(path, [...task.args], [...task.permissions])
      }`,
    );
  }
  return found.path === path;
}

/**
 * The one line (a `UserError`) for `path`, a file or folder that could not
 * be written after all; any other error as it is.
 */
export function writeError(path: string, e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof UserError) return e;
  const why = e instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : e instanceof Deno.errors.IsADirectory
    ? "it is a folder"
    : e instanceof Deno.errors.NotADirectory
    ? "a folder on its way is a file"
    : e instanceof Deno.errors.AlreadyExists
    ? "it is a file, not a folder"
    : e instanceof Deno.errors.NotFound
    ? "its folder is gone"
    : e.message.split("\n")[0];
  return new UserError(`cannot write '${path}': ${why}`);
}
