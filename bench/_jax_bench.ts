/**
 * Runs the JAX reference (bench/mnist_jax.py) on the CPU and reads its timings,
 * for bench/bench.ts to compare one epoch of ours with one epoch of jitted JAX.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { DEFAULT_DATA_DIR } from "../lib/data/mnist.ts";
import { UserError } from "../lib/errors.ts";
import { pythonWith } from "./_python_env.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** What one run of the JAX reference measured. */
export interface JaxEpoch {
  /** Median training seconds of one epoch, the first epoch left out. */
  seconds: number;
  /** Test accuracy after the last epoch, 0..1. */
  accuracy: number;
  /** Each epoch's training seconds (compilation is never in them). */
  epochSeconds: number[];
  /** Seconds XLA took to compile the epoch, before the first one. */
  compileSeconds: number;
  /** The JAX version that ran. */
  jax: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Trains the network of bench/mnist_numpy.py with JAX on the CPU for `epochs`
 * epochs (at least 2; the first, which warms up memory and threads, is left out
 * of `seconds`) of 60,000 images, batch `batch`, and returns what it measured.
 * Makes the Python environment first if needed (see _python_env.ts).
 *
 * `env` is the environment the run gets (default: this process's), with
 * JAX_PLATFORMS=cpu added; XLA uses every core.
 */
export async function jaxEpochSeconds(
  { epochs = 3, batch = 64, rate = 0.2, dataDir = DEFAULT_DATA_DIR, env }: {
    epochs?: number;
    batch?: number;
    rate?: number;
    dataDir?: string;
    env?: Record<string, string>;
  } = {},
): Promise<JaxEpoch> {
  if (!Number.isInteger(epochs) || epochs < 2) {
    throw new RangeError(`epochs must be an integer >= 2, got ${epochs}`);
  }
  const python = await pythonWith(["jax", "numpy"]);
  const args = [
    `${ROOT}bench/mnist_jax.py`,
    "--data",
    dataDir,
    "--epochs",
    String(epochs),
    "--batch",
    String(batch),
    "--rate",
    String(rate),
  ];
  const out = await new Deno.Command(python, {
    args,
    cwd: ROOT,
    env: { ...(env ?? Deno.env.toObject()), JAX_PLATFORMS: "cpu" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  const stderr = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) {
    throw new UserError(
      `bench/mnist_jax.py failed (exit code ${out.code}): ${
        stderr.split("\n").pop()
      }`,
    );
  }
  const result = JSON.parse(stdout.split("\n").pop()!);
  const epochSeconds: number[] = result.epoch_seconds;
  return {
    seconds: median(epochSeconds.slice(1)),
    accuracy: result.accuracy,
    epochSeconds,
    compileSeconds: result.compile_seconds,
    jax: result.jax,
  };
}

if (import.meta.main) {
  console.log(await jaxEpochSeconds());
}
