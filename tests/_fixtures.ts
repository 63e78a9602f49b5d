/** Small MNIST-format data sets for tests, written to temporary folders. */
import { encodeIdx } from "../lib/data/idx.ts";
import { PIXELS, SIDE } from "../lib/data/mnist.ts";

/** The four standard file names of a split-complete MNIST folder. */
export const NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** Deterministic pseudo-random image bytes. */
export function fakeImages(count: number, seed = 1): Uint8Array {
  const out = new Uint8Array(count * PIXELS);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Labels 0..9 repeating. */
export function fakeLabels(count: number): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => i % 10);
}

/**
 * Writes a complete MNIST folder with `train` and `test` records and returns its
 * path. `edit` may replace any file's bytes before they are written.
 */
export async function writeDataDir(
  train: number,
  test: number,
  edit: Partial<Record<keyof typeof NAMES, Uint8Array>> = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mnist-test-" });
  const files: Record<keyof typeof NAMES, Uint8Array> = {
    trainImages: encodeIdx([train, SIDE, SIDE], fakeImages(train)),
    trainLabels: encodeIdx([train], fakeLabels(train)),
    testImages: encodeIdx([test, SIDE, SIDE], fakeImages(test, 2)),
    testLabels: encodeIdx([test], fakeLabels(test)),
    ...edit,
  };
  for (const [key, name] of Object.entries(NAMES)) {
    await Deno.writeFile(`${dir}/${name}`, files[key as keyof typeof NAMES]);
  }
  return dir;
}

/** Gzips bytes. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
