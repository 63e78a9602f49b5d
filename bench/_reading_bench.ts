/**
 * How fast `deno task predict` reads files: MNIST-size images, pages of paper
 * with a number written on them, and a 12-megapixel photo.
 *
 * @module
 */
import { loadMnist } from "../lib/data/mnist.ts";
import { encodePng } from "../lib/image/png.ts";
import { Random } from "../lib/random.ts";
import { median, ROOT, verdict } from "./_common.ts";
import { photograph, writeNumber } from "./drawn_check.ts";

/** Milliseconds for predict to read one 640x480 page, number and all. */
export const PAGE_MS_TARGET = 20;

/**
 * Seconds of one `deno task predict` run (the task's own permissions) over
 * `files`, printing nothing.
 */
async function predictSeconds(files: string[]): Promise<number> {
  const t = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-ffi",
      "scripts/mnist_predict.ts",
      ...files,
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `predict failed: ${new TextDecoder().decode(out.stderr).slice(0, 500)}`,
    );
  }
  return (performance.now() - t) / 1000;
}

/**
 * How fast predict reads files: MNIST-size images, pages of paper with a
 * number written on them (640x480), and a 12-megapixel photo. Each is the
 * time of a run over many files less that of a run over one, per file, so
 * that starting Deno and loading the model are left out.
 */
export async function readingSpeed(tmp: string): Promise<void> {
  const dir = `${tmp}/files`;
  await Deno.mkdir(dir, { recursive: true });
  const test = await loadMnist("test", { limit: 1000 });
  const small: string[] = [];
  for (let i = 0; i < test.count; i++) {
    const path = `${dir}/mnist-${i}.png`;
    await Deno.writeFile(
      path,
      encodePng(28, 28, 1, test.images.subarray(i * 784, (i + 1) * 784)),
    );
    small.push(path);
  }
  const rng = new Random(5);
  const numbers = ["42", "2024", "719", "365", "1984", "50"];
  const pages: string[] = [];
  for (let i = 0; i < 200; i++) {
    const page = photograph(
      writeNumber(numbers[i % numbers.length], 80 + (i % 5) * 20, 20, {
        width: 640,
        height: 480,
        radius: 2 + (i % 3),
      }),
      rng,
    );
    const path = `${dir}/page-${i}.png`;
    await Deno.writeFile(path, rgbPng(page));
    pages.push(path);
  }
  const big = photograph(
    writeNumber("2024", 900, 200, { width: 4000, height: 3000, radius: 12 }),
    rng,
  );
  const photo = `${dir}/photo-12mp.png`;
  await Deno.writeFile(photo, rgbPng(big));
  await predictSeconds(small.slice(0, 1)); // warm the caches
  const one = median(
    await Promise.all([0, 1, 2].map(() => predictSeconds(small.slice(0, 1)))),
  );
  const perFile = (seconds: number, n: number) =>
    Math.max(0, seconds - one) / n * 1000;
  const smallMs = perFile(await predictSeconds(small), small.length);
  const pageMs = perFile(await predictSeconds(pages), pages.length);
  const photoMs = perFile(await predictSeconds([photo, photo, photo]), 3);
  console.log(
    `
predict, one run over many files (less a run over one, ${
      one.toFixed(2)
    } s: starting and loading the model):
` +
      `  ${small.length} MNIST-size files: ${
        (smallMs * small.length / 1000).toFixed(2)
      } s (${smallMs.toFixed(2)} ms each)
` +
      `  ${pages.length} pages of 640x480 with a number: ${
        pageMs.toFixed(1)
      } ms each (target < ${PAGE_MS_TARGET} ms: ${
        verdict(pageMs < PAGE_MS_TARGET)
      })
` +
      `  a 12-megapixel photo of a number: ${(photoMs / 1000).toFixed(2)} s`,
  );
}

/** An RGBA picture (as `photograph()` makes) as an RGB PNG file. */
function rgbPng(image: { width: number; height: number; data: Uint8Array }) {
  const rgb = new Uint8Array(image.width * image.height * 3);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgb[i] = image.data[j];
    rgb[i + 1] = image.data[j + 1];
    rgb[i + 2] = image.data[j + 2];
  }
  return encodePng(image.width, image.height, 3, rgb);
}
