/**
 * Your own drawings as an MNIST-format data set.
 *
 * Each saved drawing (a normalised 28x28 image and its digit) is appended to
 * the standard IDX files in a folder, by default `data/own/`, so that
 * `deno task train --data data/own` reads it like MNIST:
 *
 *     data/own/train-images-idx3-ubyte   data/own/train-labels-idx1-ubyte
 *     data/own/t10k-images-idx3-ubyte    data/own/t10k-labels-idx1-ubyte
 *
 * The trainer needs both halves: it trains on `train-*` and measures accuracy
 * on `t10k-*`. So every fifth drawing, starting with the second (drawings 2,
 * 7, 12, ...), is held out in the `t10k-*` files and the rest go to
 * `train-*`: two drawings make a loadable folder, and the test files never
 * hold a drawing the network trained on.
 *
 * Crash safety. A file is never changed in place: the new contents go to
 * `<name>.tmp` in the same folder, are flushed to disk, and replace the old file
 * by a rename, which is atomic. A save renames the images file first and the
 * labels file second, so a crash can leave one split with exactly one image
 * more than labels (or, in a folder first written by something else, one label
 * more than images). That extra record is the end of an unfinished save:
 * `readOwnData()` ignores it, and the next `saveDrawing()` or `repairOwnData()`
 * cuts it off the file. Until then `loadMnist()` refuses the folder with a
 * message that names both counts. Any larger mismatch is not something a save
 * leaves behind, so it is reported as an error rather than guessed at.
 * One program at a time should save into a folder.
 *
 * @module
 */
import { FileFormatError } from "../errors.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { replaceFile } from "../atomic_file.ts";
import { encodeIdx, readIdxFile } from "./idx.ts";
import { CLASSES, type Dataset, PIXELS, SIDE, type Split } from "./mnist.ts";

/** Where your own drawings are saved by default. */
export const DEFAULT_OWN_DIR = fileURLToPath(
  new URL("../../data/own", import.meta.url),
);

/** One drawing in this many is held out for testing. */
export const TEST_EVERY = 5;

/** The file names, as in MNIST, so that `loadMnist()` reads the folder. */
export const OWN_FILES: Record<Split, { images: string; labels: string }> = {
  train: {
    images: "train-images-idx3-ubyte",
    labels: "train-labels-idx1-ubyte",
  },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
};

/** The split that the drawing numbered `n` (from 0, over both splits) goes to. */
export function splitFor(n: number): Split {
  return n % TEST_EVERY === 1 ? "test" : "train";
}

/** The drawings saved in a folder. */
export interface OwnData {
  train: Dataset;
  test: Dataset;
  /**
   * Splits whose files end in one unpaired record, left by a save that did not
   * finish; the record is left out of `train` and `test`.
   */
  unfinished: Split[];
}

/** What `saveDrawing()` did. */
export interface SavedDrawing {
  /** The split the drawing went to. */
  split: Split;
  /** Its record number in that split's files. */
  index: number;
  /** Records in each split now. */
  counts: Record<Split, number>;
}

/**
 * Reads and validates the drawings saved in `dir`. A missing folder or missing
 * files hold no drawings. Bad files throw a one-line `FileFormatError` that names
 * the file; gzipped files (which `loadMnist()` would also read) are refused,
 * since saving would leave them stale next to the new raw files.
 */
export async function readOwnData(dir = DEFAULT_OWN_DIR): Promise<OwnData> {
  const [train, test] = await Promise.all([
    readSplit(dir, "train"),
    readSplit(dir, "test"),
  ]);
  return {
    train: train.data,
    test: test.data,
    unfinished: [train, test].filter((s) => s.unfinished).map((s) =>
      s.data.split
    ),
  };
}

/**
 * Cuts the unpaired record of an unfinished save off the files in `dir`, so
 * that `loadMnist()` reads them again, and returns the drawings.
 */
export async function repairOwnData(dir = DEFAULT_OWN_DIR): Promise<OwnData> {
  const own = await readOwnData(dir);
  for (const split of own.unfinished) await writeSplit(dir, own[split]);
  return { ...own, unfinished: [] };
}

/**
 * Appends a drawing to the data set in `dir` (created if needed): `pixels`
 * are `PIXELS` bytes as `preprocess()` makes them, `label` is the digit.
 * The split is chosen by `splitFor()` from the number of drawings saved so far.
 */
export async function saveDrawing(
  pixels: Uint8Array,
  label: number,
  { dir = DEFAULT_OWN_DIR }: { dir?: string } = {},
): Promise<SavedDrawing> {
  if (pixels.length !== PIXELS) {
    throw new RangeError(
      `A drawing has ${PIXELS} pixels, got ${pixels.length}`,
    );
  }
  if (!Number.isInteger(label) || label < 0 || label >= CLASSES) {
    throw new RangeError(`A label is a digit 0-9, got ${label}`);
  }
  await Deno.mkdir(dir, { recursive: true });
  const own = await repairOwnData(dir);
  const split = splitFor(own.train.count + own.test.count);
  const old = own[split];
  const index = old.count;
  const images = new Uint8Array((index + 1) * PIXELS);
  images.set(old.images);
  images.set(pixels, index * PIXELS);
  const labels = new Uint8Array(index + 1);
  labels.set(old.labels);
  labels[index] = label;
  await writeSplit(dir, { split, count: index + 1, images, labels });
  const counts = { train: own.train.count, test: own.test.count };
  counts[split] = index + 1;
  return { split, index, counts };
}

/** Reads one split; a missing file is an empty one. */
async function readSplit(
  dir: string,
  split: Split,
): Promise<{ data: Dataset; unfinished: boolean }> {
  const names = OWN_FILES[split];
  const imagesPath = join(dir, names.images);
  const labelsPath = join(dir, names.labels);
  const imagesWhat = `own ${split} images '${imagesPath}'`;
  const labelsWhat = `own ${split} labels '${labelsPath}'`;
  const [images, labels] = await Promise.all([
    readOptional(imagesPath, 3, `own ${split} images`),
    readOptional(labelsPath, 1, `own ${split} labels`),
  ]);
  let n = 0;
  if (images) {
    const [count, rows, cols] = images.dims;
    if (rows !== SIDE || cols !== SIDE) {
      throw new FileFormatError(
        `Cannot load ${imagesWhat}: images are ${rows}x${cols}, expected ${SIDE}x${SIDE}`,
      );
    }
    n = count;
  }
  const m = labels ? labels.dims[0] : 0;
  if (Math.abs(n - m) > 1) {
    throw new FileFormatError(
      `Cannot load ${labelsWhat}: ${m} labels for ${n} images in '${imagesPath}'`,
    );
  }
  const count = Math.min(n, m);
  const labelData = labels ? labels.data.subarray(0, count) : new Uint8Array();
  const bad = labelData.findIndex((l) => l >= CLASSES);
  if (bad >= 0) {
    throw new FileFormatError(
      `Cannot load ${labelsWhat}: label ${
        labelData[bad]
      } at record ${bad} is not a digit 0-9`,
    );
  }
  return {
    data: {
      split,
      count,
      images: images
        ? images.data.subarray(0, count * PIXELS)
        : new Uint8Array(),
      labels: labelData,
    },
    unfinished: n !== m,
  };
}

/** Reads an IDX file, or returns null when neither it nor a gzipped copy exists. */
async function readOptional(path: string, ndims: number, what: string) {
  if (await exists(`${path}.gz`)) {
    throw new FileFormatError(
      `Cannot load ${what} '${path}.gz': own data is kept uncompressed; unpack it with gunzip`,
    );
  }
  try {
    return await readIdxFile(path, ndims, what);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Writes a split's two files, images first (see the module comment). A split
 * with no records has no files.
 */
async function writeSplit(dir: string, data: Dataset) {
  const names = OWN_FILES[data.split];
  const imagesPath = join(dir, names.images);
  const labelsPath = join(dir, names.labels);
  if (data.count === 0) {
    await removeIfThere(imagesPath);
    await removeIfThere(labelsPath);
    return;
  }
  await replaceFile(
    imagesPath,
    encodeIdx([data.count, SIDE, SIDE], data.images),
  );
  await replaceFile(labelsPath, encodeIdx([data.count], data.labels));
}

async function removeIfThere(path: string) {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
