/**
 * `deno task inspect --png DIR`: the views written as PNG files instead of a
 * window, and the checks, made before anything is computed, that they can be
 * written where asked. Each way that writing can fail is one line naming the
 * path and what to do.
 *
 * @module
 */
import { join } from "node:path";
import { replaceFile } from "../../atomic_file.ts";
import { SIDE } from "../../data/mnist.ts";
import { UserError } from "../../errors.ts";
import { encodePng } from "../../image/png.ts";
import { toGrey } from "../../nn/backquery.ts";
import { burnLabels, pictureFonts } from "../../ui/scene.ts";
import { type Inspection, UiState, type View, VIEWS } from "./state.ts";
import { renderView } from "./views.ts";
import { checkOutputDir, statOrNull, writeError } from "../output_dir.ts";

/** The views written as pictures of the window, and their files. */
const VIEW_FILES: readonly [string, View][] = [
  ["hidden-units.png", "units"],
  ["confusion.png", "test"],
  ["curves.png", "curves"],
];

/** The files `writePngs()` writes, in order. */
export const PNG_FILES: readonly string[] = [
  ...Array.from({ length: 10 }, (_, d) => `backquery-${d}.png`),
  ...VIEW_FILES.map(([name]) => name),
];

/**
 * The inspect task's permissions in deno.json, less its write access: the
 * command that writes elsewhere gives these and its own `--allow-write`.
 */
export const INSPECT_PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-env=DISPLAY,WAYLAND_DISPLAY,MNIST_SDL2_PATH,MNIST_SDL2_TTF_PATH,MNIST_FONT_DIR,HOME,LOCALAPPDATA,MNIST_OPENBLAS_PATH,OPENBLAS_CORETYPE",
  "--allow-ffi",
];

/**
 * Fails, before anything is computed, when the pictures could not be written
 * into `dir`: it, or a folder on its way, is a file; one of the files to
 * write is a folder; or the task may not write there (the inspect task may
 * write only inside the project folder), in which case the message gives
 * the command that may, with `args`, the command line as given.
 */
export function checkPngDir(dir: string, args: readonly string[]): void {
  const exists = checkOutputDir(dir, {
    name: "inspect",
    args,
    permissions: INSPECT_PERMISSIONS,
  });
  if (!exists) return; // made anew: nothing in the way
  for (const name of PNG_FILES) {
    const file = join(dir, name);
    if (statOrNull(file)?.isDirectory) {
      throw new UserError(
        `cannot write '${file}': it is a folder; remove it or give --png another folder`,
      );
    }
  }
}

/**
 * Writes the views as PNG files into `dir` (made if missing): backquery of
 * each digit as 28x28 8-bit grey, pixel = round(255 × (x − 0.01) / 0.98), and
 * the hidden units, test set and curves views as RGB pictures of the window.
 * Returns the paths written, in `PNG_FILES` order.
 */
export async function writePngs(
  ins: Inspection,
  dir: string,
): Promise<string[]> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw writeError(dir, e);
  }
  const written: string[] = [];
  const write = async (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    try {
      await replaceFile(path, bytes);
    } catch (e) {
      throw writeError(path, e);
    }
    written.push(path);
  };
  for (const [d, b] of ins.backquery.entries()) {
    await write(
      `backquery-${d}.png`,
      encodePng(SIDE, SIDE, 1, toGrey(b.input)),
    );
  }
  const ui = new UiState(ins);
  using fonts = pictureFonts();
  for (const [name, view] of VIEW_FILES) {
    ui.showView(VIEWS.indexOf(view));
    const raster = burnLabels(renderView(ins, ui), fonts);
    await write(name, encodePng(raster.width, raster.height, 3, raster.rgb));
  }
  return written;
}
