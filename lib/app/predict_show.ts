/**
 * `deno task predict --show DIR`: the 28x28 pictures the network read for
 * each file, one per piece of ink, written as PNG files so that a user can see
 * why a file reads as it does. The folder is checked before any file is read
 * (lib/app/output_dir.ts); each way that writing can fail is one line naming
 * the path.
 *
 * @module
 */
import { basename, extname, join } from "node:path";
import { replaceFile } from "../atomic_file.ts";
import { SIDE } from "../data/mnist.ts";
import { encodePng } from "../image/png.ts";
import { checkOutputDir, writeError } from "./output_dir.ts";

/**
 * The predict task's permissions in deno.json, less its write access: the
 * command that writes elsewhere gives these and its own `--allow-write`.
 */
export const PREDICT_PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-env=MNIST_SDL2_PATH,MNIST_SDL2_IMAGE_PATH,MNIST_OPENBLAS_PATH,OPENBLAS_CORETYPE",
  "--allow-ffi",
];

/**
 * The folder that `--show` writes into. Piece k (from 1, left to right) of
 * the file `photos/page.jpg` is `page-k.png`: 28x28 8-bit grey, the ink
 * white on black as in MNIST, the very pixels the network read. A later file
 * of the same run with the same name less its extension gets `page_2-k.png`,
 * and so on.
 */
export class ShowDir {
  readonly dir: string;
  /** How many pictures were written. */
  written = 0;
  readonly #used = new Set<string>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Checks that the pictures can be written into `dir` (see
   * `checkOutputDir()`; `args` is the command line as given), then makes it
   * if it is missing.
   */
  static async open(dir: string, args: readonly string[]): Promise<ShowDir> {
    checkOutputDir(dir, {
      name: "predict",
      args,
      permissions: PREDICT_PERMISSIONS,
    });
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (e) {
      throw writeError(dir, e);
    }
    return new ShowDir(dir);
  }

  /** The name, less "-k.png", of the pictures of `file`: its own for this run. */
  #stem(file: string): string {
    const name = basename(file);
    const stem = name.slice(0, name.length - extname(name).length) || name;
    let unique = stem;
    for (let k = 2; this.#used.has(unique); k++) unique = `${stem}_${k}`;
    this.#used.add(unique);
    return unique;
  }

  /**
   * Writes the 28x28 inputs the network read for the pieces of `file`, left
   * to right; returns their paths.
   */
  async write(file: string, inputs: readonly Uint8Array[]): Promise<string[]> {
    const stem = this.#stem(file);
    const paths: string[] = [];
    for (const [k, pixels] of inputs.entries()) {
      const path = join(this.dir, `${stem}-${k + 1}.png`);
      try {
        await replaceFile(path, encodePng(SIDE, SIDE, 1, pixels));
      } catch (e) {
        throw writeError(path, e);
      }
      paths.push(path);
      this.written++;
    }
    return paths;
  }
}
