/**
 * How long the book's experiments take: `deno task sweep` with no options
 * (the talk's recipe, the book's three axes, 20 runs), run as a user runs it,
 * writing into a temporary folder and showing no window.
 *
 * @module
 */
import { ROOT, verdict } from "./_common.ts";
import { percent } from "../lib/ui/format.ts";

/** Seconds the default sweep may take on two cores. */
export const SWEEP_SECONDS_TARGET = 180;

/** Runs the default sweep into `dir` and prints its time and best runs. */
export async function sweepTime(dir: string): Promise<void> {
  const t = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${dir}`,
      "--allow-ffi",
      "--allow-env",
      "scripts/sweep.ts",
      "--png",
      "--out",
      dir,
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t) / 1000;
  if (!out.success) {
    throw new Error(
      `sweep failed: ${new TextDecoder().decode(out.stderr).slice(0, 500)}`,
    );
  }
  const rows = (await Deno.readTextFile(`${dir}/results.csv`)).trimEnd()
    .split("\n").slice(1).map((l) => l.split(","));
  const best = (axis: string) => {
    const r = rows.filter((row) => row[0] === axis)
      .reduce((a, b) => Number(b[5]) > Number(a[5]) ? b : a);
    return `${axis} ${r[1]}: ${percent(Number(r[5]), 2, "")}`;
  };
  console.log(
    `\nsweep, the book's experiments with the talk's recipe (${rows.length} runs): ${
      seconds.toFixed(1)
    } s (target <= ${SWEEP_SECONDS_TARGET} s: ${
      verdict(seconds <= SWEEP_SECONDS_TARGET)
    }); best ${["rate", "epochs", "hidden"].map(best).join(", ")}`,
  );
}
