/**
 * Running `deno task predict` as the task runs it (its permissions from
 * deno.json) with the fixture model, and writing the image files it reads.
 *
 * @module
 */
import { join } from "node:path";
import { FIXTURE_MODEL, ROOT, taskArgs } from "./_app.ts";
import { encodePng } from "./_images.ts";

/** `deno run`, the predict task's permissions and its script, from deno.json. */
export const PREDICT_ARGS = taskArgs("predict");

/** The predict task's permission flags, from deno.json. */
export const TASK_PERMISSIONS = PREDICT_ARGS.filter((a) =>
  a.startsWith("--allow")
);

/** What a run of predict printed, and its exit code. */
export interface PredictRun {
  code: number;
  /** Its stdout, line by line, empty lines left out. */
  lines: string[];
  stderr: string;
}

/** Runs predict as the task does with `args`, in the project folder. */
export async function runPredict(args: string[]): Promise<PredictRun> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...PREDICT_ARGS, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code,
    lines: new TextDecoder().decode(stdout).split("\n").filter((l) => l !== ""),
    stderr: new TextDecoder().decode(stderr),
  };
}

/** Runs predict as the task does with the fixture model and `args`. */
export function predict(...args: string[]): Promise<PredictRun> {
  return runPredict(["--model", FIXTURE_MODEL, ...args]);
}

/** Writes `image` (RGBA bytes, as `inkOnPage()` makes) as `dir/name`, a PNG. */
export async function writeRgba(
  dir: string,
  name: string,
  image: { width: number; height: number; data: Uint8Array },
): Promise<string> {
  const path = join(dir, name);
  await Deno.writeFile(
    path,
    encodePng(image.width, image.height, image.data, 4),
  );
  return path;
}
