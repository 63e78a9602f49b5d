/**
 * The benchmark's own Python environment, for references that need packages the
 * system's Python lacks (JAX): a virtual environment in bench/out/venv (ignored
 * by git), made and filled with pip the first time it is needed.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { UserError } from "../lib/errors.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Folder of the virtual environment. */
export const VENV_DIR = `${ROOT}bench/out/venv`;

/** Where the output of the last pip run is kept, to read when it fails. */
export const PIP_LOG = `${ROOT}bench/out/pip.log`;

const relative = (path: string) => path.slice(ROOT.length);

async function run(cmd: string, args: string[]) {
  try {
    return await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UserError(
        `Cannot run ${cmd}: install Python with \`apt-get install python3 python3-venv\``,
      );
    }
    throw e;
  }
}

/** The last non-empty line of a process's output, to quote in a message. */
function lastLine(bytes: Uint8Array): string {
  const lines = new TextDecoder().decode(bytes).trim().split("\n");
  return lines[lines.length - 1].trim();
}

/**
 * Returns the path of a Python interpreter that can import each of `packages`
 * (PyPI names that are also their module names, e.g. "jax", "numpy"). Makes the
 * virtual environment and installs them when missing, saying so on stderr;
 * prints nothing when they are already there. Throws a `UserError` with one line
 * when python3 -m venv or pip fails.
 */
export async function pythonWith(packages: string[]): Promise<string> {
  const python = `${VENV_DIR}/bin/python`;
  const check = `import ${packages.join(", ")}`;
  const exists = await Deno.stat(python).then(() => true, () => false);
  if (exists && (await run(python, ["-c", check])).success) return python;

  if (!exists) {
    const made = await run("python3", ["-m", "venv", VENV_DIR]);
    if (!made.success) {
      throw new UserError(
        `Cannot make a Python environment in ${relative(VENV_DIR)}: ${
          lastLine(made.stderr)
        } (\`apt-get install python3-venv\` provides venv)`,
      );
    }
  }
  console.error(
    `installing ${packages.join(", ")} into ${relative(VENV_DIR)} (once)`,
  );
  const pip = await run(python, [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    ...packages,
  ]);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  await Deno.writeTextFile(PIP_LOG, decode(pip.stdout) + decode(pip.stderr));
  if (!pip.success || !(await run(python, ["-c", check])).success) {
    throw new UserError(
      `Cannot install ${packages.join(", ")} into ${
        relative(VENV_DIR)
      }: pip failed (${lastLine(pip.stderr) || "no message"}; see ${
        relative(PIP_LOG)
      })`,
    );
  }
  return python;
}
