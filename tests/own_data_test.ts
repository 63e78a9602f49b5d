import { FileFormatError } from "../lib/errors.ts";
import { join } from "node:path";
import { Canvas } from "../lib/image/canvas.ts";
import { encodeIdx, readIdxFile } from "../lib/data/idx.ts";
import { loadMnist, PIXELS, SIDE } from "../lib/data/mnist.ts";
import {
  OWN_FILES,
  readOwnData,
  repairOwnData,
  saveDrawing,
  splitFor,
  TEST_EVERY,
} from "../lib/data/own_data.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

/** A recognisable 28x28 image for drawing number `n`. */
function drawing(n: number): Uint8Array {
  const pixels = new Uint8Array(PIXELS);
  for (let k = 0; k < PIXELS; k++) pixels[k] = (k * 7 + n * 31) & 255;
  return pixels;
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "own-data-test-" });
}

/** Saves drawings 0..count-1 with labels n % 10. */
async function saveMany(dir: string, count: number) {
  for (let n = 0; n < count; n++) {
    await saveDrawing(drawing(n), n % 10, { dir });
  }
}

const imagesPath = (dir: string, split: "train" | "test") =>
  join(dir, OWN_FILES[split].images);
const labelsPath = (dir: string, split: "train" | "test") =>
  join(dir, OWN_FILES[split].labels);

Deno.test("splitFor() holds out every fifth drawing, from the second, for testing", () => {
  assertEquals(TEST_EVERY, 5);
  const splits = Array.from({ length: 12 }, (_, n) => splitFor(n));
  assertEquals(splits, [
    "train",
    "test",
    "train",
    "train",
    "train",
    "train",
    "test",
    "train",
    "train",
    "train",
    "train",
    "test",
  ]);
});

Deno.test("saveDrawing() creates a folder that loadMnist() reads back", async () => {
  const root = await tempDir();
  const dir = join(root, "data", "own");
  const results = [];
  for (let n = 0; n < 7; n++) {
    results.push(await saveDrawing(drawing(n), n % 10, { dir }));
  }
  assertEquals(results.map((r) => r.split), [
    "train",
    "test",
    "train",
    "train",
    "train",
    "train",
    "test",
  ]);
  assertEquals(results.at(-1), {
    split: "test",
    index: 1,
    counts: { train: 5, test: 2 },
  });

  const train = await loadMnist("train", { dir });
  const test = await loadMnist("test", { dir });
  assertEquals([train.count, test.count], [5, 2]);
  const trainNumbers = [0, 2, 3, 4, 5], testNumbers = [1, 6];
  assertEquals([...train.labels], trainNumbers.map((n) => n % 10));
  assertEquals([...test.labels], testNumbers.map((n) => n % 10));
  trainNumbers.forEach((n, i) =>
    assertEquals(
      train.images.subarray(i * PIXELS, (i + 1) * PIXELS),
      drawing(n),
    )
  );
  testNumbers.forEach((n, i) =>
    assertEquals(test.images.subarray(i * PIXELS, (i + 1) * PIXELS), drawing(n))
  );

  // Plain IDX files, with the headers MNIST has.
  const images = await readIdxFile(imagesPath(dir, "train"), 3, "images");
  assertEquals(images.dims, [5, SIDE, SIDE]);
  const labels = await readIdxFile(labelsPath(dir, "test"), 1, "labels");
  assertEquals(labels.dims, [2]);
  // And nothing else in the folder: no temporary files left behind.
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  assertEquals(names.sort(), [
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
  ]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("saveDrawing() stores a preprocessed canvas drawing byte for byte", async () => {
  const dir = await tempDir();
  const canvas = new Canvas();
  canvas.stroke(200, 150, 470, 140);
  canvas.stroke(470, 140, 300, 560);
  const { pixels } = preprocess(canvas);
  await saveDrawing(pixels, 7, { dir });
  const own = await readOwnData(dir);
  assertEquals(own.train.count, 1);
  assertEquals(own.train.images, pixels);
  assertEquals([...own.train.labels], [7]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readOwnData() of a missing or empty folder holds no drawings", async () => {
  const dir = await tempDir();
  for (const where of [dir, join(dir, "not-there")]) {
    const own = await readOwnData(where);
    assertEquals([own.train.count, own.test.count], [0, 0]);
    assertEquals(own.unfinished, []);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("saveDrawing() rejects a wrong-sized image or a label that is not a digit", async () => {
  const dir = await tempDir();
  await assertRejects(
    () => saveDrawing(new Uint8Array(100), 3, { dir }),
    RangeError,
    "has 784 pixels, got 100",
  );
  for (const label of [-1, 10, 2.5, NaN]) {
    await assertRejects(
      () => saveDrawing(drawing(0), label, { dir }),
      RangeError,
      `digit 0-9, got ${label}`,
    );
  }
  assertEquals((await readOwnData(dir)).train.count, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("saveDrawing() finishes the job after a crash between the two renames", async () => {
  const dir = await tempDir();
  await saveMany(dir, 4); // train 0, 2, 3; test 1
  // A save of drawing 4 that renamed its images file but died before the
  // labels: four train images, three labels, and a stale temporary file.
  const images = (await loadMnist("train", { dir })).images;
  const withOrphan = new Uint8Array(4 * PIXELS);
  withOrphan.set(images);
  withOrphan.set(drawing(99), 3 * PIXELS);
  await Deno.writeFile(
    imagesPath(dir, "train"),
    encodeIdx([4, SIDE, SIDE], withOrphan),
  );
  await Deno.writeFile(
    `${labelsPath(dir, "train")}.tmp`,
    new Uint8Array([1, 2, 3]),
  );

  // The trainer refuses the folder, naming both counts ...
  await assertRejects(
    () => loadMnist("train", { dir }),
    FileFormatError,
    "3 labels for 4 images",
  );
  // ... readers see the finished records only ...
  const own = await readOwnData(dir);
  assertEquals(own.unfinished, ["train"]);
  assertEquals([own.train.count, own.train.images.length], [3, 3 * PIXELS]);

  // ... and the next save drops the orphan and appends in its place.
  const saved = await saveDrawing(drawing(4), 4, { dir });
  assertEquals(saved, {
    split: "train",
    index: 3,
    counts: { train: 4, test: 1 },
  });
  const train = await loadMnist("train", { dir });
  assertEquals([...train.labels], [0, 2, 3, 4]);
  assertEquals(train.images.subarray(3 * PIXELS), drawing(4));
  assertEquals((await readOwnData(dir)).unfinished, []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("saveDrawing() that fails between its two files leaves a state the next save repairs", async () => {
  const dir = await tempDir();
  await saveMany(dir, 3); // train 0, 2; test 1
  // A folder where the labels' temporary file goes makes the second write fail.
  const blocker = `${labelsPath(dir, "train")}.tmp`;
  await Deno.mkdir(blocker);
  await assertRejects(() => saveDrawing(drawing(3), 3, { dir }), Error);
  const own = await readOwnData(dir);
  assertEquals(own.unfinished, ["train"]);
  assertEquals(own.train.count, 2);
  await Deno.remove(blocker);
  await saveDrawing(drawing(3), 3, { dir });
  const train = await loadMnist("train", { dir });
  assertEquals([...train.labels], [0, 2, 3]);
  assertEquals(train.images.subarray(2 * PIXELS), drawing(3));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("repairOwnData() cuts off the unpaired record so loadMnist() reads the folder", async () => {
  const dir = await tempDir();
  await saveMany(dir, 2);
  // An unfinished first save to the test split: labels written, images not.
  await Deno.writeFile(
    labelsPath(dir, "test"),
    encodeIdx([2], new Uint8Array([1, 5])),
  );
  await assertRejects(
    () => loadMnist("test", { dir }),
    FileFormatError,
    "2 labels for 1 images",
  );
  const own = await repairOwnData(dir);
  assertEquals(own.unfinished, []);
  const test = await loadMnist("test", { dir });
  assertEquals([...test.labels], [1]);
  assertEquals(test.images, drawing(1));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("repairOwnData() removes the lone file of an unfinished very first save", async () => {
  const dir = await tempDir();
  await Deno.writeFile(
    imagesPath(dir, "train"),
    encodeIdx([1, SIDE, SIDE], drawing(0)),
  );
  const own = await repairOwnData(dir);
  assertEquals([own.train.count, own.test.count], [0, 0]);
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  assertEquals(names, []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readOwnData() rejects bad files with one line that names the file", async () => {
  const cases: [string, (dir: string) => Promise<void>, string][] = [
    ["bad magic", async (dir) => {
      await Deno.writeFile(imagesPath(dir, "train"), new Uint8Array(16));
    }, "magic is 0x00000000, expected 0x00000803"],
    ["truncated", async (dir) => {
      const bytes = encodeIdx([2], new Uint8Array([1, 2]));
      await Deno.writeFile(
        labelsPath(dir, "train"),
        bytes.subarray(0, bytes.length - 1),
      );
    }, "truncated"],
    ["wrong image size", async (dir) => {
      await Deno.writeFile(
        imagesPath(dir, "test"),
        encodeIdx([1, 20, 20], new Uint8Array(400)),
      );
    }, "images are 20x20, expected 28x28"],
    ["label out of range", async (dir) => {
      await Deno.writeFile(
        labelsPath(dir, "train"),
        encodeIdx([3], new Uint8Array([1, 12, 3])),
      );
    }, "label 12 at record 1 is not a digit 0-9"],
    ["counts far apart", async (dir) => {
      await Deno.writeFile(
        labelsPath(dir, "train"),
        encodeIdx([6], new Uint8Array(6)),
      );
    }, "6 labels for 3 images"],
    ["gzipped", async (dir) => {
      await Deno.rename(
        imagesPath(dir, "test"),
        `${imagesPath(dir, "test")}.gz`,
      );
    }, "own data is kept uncompressed"],
  ];
  for (const [name, spoil, fragment] of cases) {
    const dir = await tempDir();
    await saveMany(dir, 4); // 3 train, 1 test
    await spoil(dir);
    const e = await assertRejects(
      () => readOwnData(dir),
      FileFormatError,
      fragment,
    );
    assert(!e.message.includes("\n"), `${name}: more than one line`);
    assert(
      e.message.includes(dir),
      `${name}: the file is not named: ${e.message}`,
    );
    // Saving refuses too, and leaves the files as they were.
    const before = await Deno.readFile(imagesPath(dir, "train")).catch(() =>
      null
    );
    await assertRejects(
      () => saveDrawing(drawing(9), 9, { dir }),
      FileFormatError,
      fragment,
    );
    assertEquals(
      await Deno.readFile(imagesPath(dir, "train")).catch(() => null),
      before,
    );
    await Deno.remove(dir, { recursive: true });
  }
});
