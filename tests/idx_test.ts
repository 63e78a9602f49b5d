import { FileFormatError } from "../lib/errors.ts";
import { assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import {
  encodeIdx,
  parseIdx,
  readIdxFile,
  readWholeFile,
} from "../lib/data/idx.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import {
  fakeImages,
  fakeLabels,
  gzip,
  NAMES,
  writeDataDir,
} from "./_fixtures.ts";

Deno.test("parseIdx() reads dims and data of a well-formed file", () => {
  const bytes = new Uint8Array([
    0,
    0,
    8,
    3,
    0,
    0,
    0,
    2,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    3,
    1,
    2,
    3,
    4,
    5,
    6,
  ]);
  const t = parseIdx(bytes, 3, "x");
  assertEquals(t.dims, [2, 1, 3]);
  assertEquals([...t.data], [1, 2, 3, 4, 5, 6]);
});

Deno.test("parseIdx() rejects a wrong magic number, naming both", () => {
  const bytes = encodeIdx([3], new Uint8Array(3));
  assertThrows(
    () => parseIdx(bytes, 3, "train images 'f'"),
    FileFormatError,
    "Cannot load train images 'f': magic is 0x00000801, expected 0x00000803",
  );
  assertThrows(
    () => parseIdx(new Uint8Array(8), 1, "x"),
    FileFormatError,
    "magic is 0x00000000",
  );
});

Deno.test("parseIdx() rejects a non-byte element type", () => {
  const bytes = encodeIdx([2], new Uint8Array(2));
  bytes[2] = 0x0d; // float
  assertThrows(
    () => parseIdx(bytes, 1, "x"),
    FileFormatError,
    "magic is 0x00000d01",
  );
});

Deno.test("parseIdx() rejects a truncated file", () => {
  const bytes = encodeIdx([4, 28, 28], new Uint8Array(4 * 784));
  assertThrows(
    () => parseIdx(bytes.subarray(0, bytes.length - 1), 3, "x"),
    FileFormatError,
    "truncated: header says 4x28x28 (3136 bytes of data), file has 3135",
  );
  assertThrows(
    () => parseIdx(bytes.subarray(0, 10), 3, "x"),
    FileFormatError,
    "header needs 16",
  );
  assertThrows(
    () => parseIdx(bytes.subarray(0, 2), 3, "x"),
    FileFormatError,
    "too short",
  );
});

Deno.test("parseIdx() rejects trailing bytes", () => {
  const bytes = encodeIdx([2], new Uint8Array([1, 2]));
  const longer = new Uint8Array(bytes.length + 3);
  longer.set(bytes);
  assertThrows(
    () => parseIdx(longer, 1, "x"),
    FileFormatError,
    "3 trailing bytes",
  );
});

Deno.test("encodeIdx() round-trips through parseIdx()", () => {
  const data = fakeImages(3);
  const t = parseIdx(encodeIdx([3, 28, 28], data), 3, "x");
  assertEquals(t.dims, [3, 28, 28]);
  assertEquals(t.data, data);
  assertThrows(
    () => encodeIdx([2, 2], new Uint8Array(3)),
    RangeError,
    "shape 2x2 needs 4",
  );
});

Deno.test("readIdxFile() reads gzipped files and rejects corrupt gzip", async () => {
  const dir = await Deno.makeTempDir();
  const raw = encodeIdx([5], fakeLabels(5));
  const gz = await gzip(raw);
  await Deno.writeFile(`${dir}/a.gz`, gz);
  assertEquals(
    (await readIdxFile(`${dir}/a.gz`, 1, "labels")).data,
    fakeLabels(5),
  );
  await Deno.writeFile(`${dir}/b.gz`, gz.subarray(0, gz.length - 10));
  await assertRejects(
    () => readIdxFile(`${dir}/b.gz`, 1, "labels"),
    FileFormatError,
    `Cannot load labels '${dir}/b.gz': corrupt gzip data`,
  );
  await assertRejects(
    () => readIdxFile(`${dir}/none`, 1, "labels"),
    Deno.errors.NotFound,
    `'${dir}/none': no such file`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist() loads both splits, with --limit", async () => {
  const dir = await writeDataDir(30, 20);
  const train = await loadMnist("train", { dir });
  assertEquals(train.count, 30);
  assertEquals(train.images, fakeImages(30));
  assertEquals(train.labels, fakeLabels(30));
  const test = await loadMnist("test", { dir, limit: 5 });
  assertEquals(test.count, 5);
  assertEquals(test.images, fakeImages(20, 2).subarray(0, 5 * 784));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist() falls back to .gz files", async () => {
  const dir = await writeDataDir(10, 10);
  for (const name of [NAMES.trainImages, NAMES.trainLabels]) {
    await Deno.writeFile(
      `${dir}/${name}.gz`,
      await gzip(await Deno.readFile(`${dir}/${name}`)),
    );
    await Deno.remove(`${dir}/${name}`);
  }
  assertEquals((await loadMnist("train", { dir })).labels, fakeLabels(10));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist() rejects a missing file, naming it and the folder", async () => {
  const dir = await writeDataDir(10, 10);
  await Deno.remove(`${dir}/${NAMES.testLabels}`);
  await assertRejects(
    () => loadMnist("test", { dir }),
    Deno.errors.NotFound,
    `Cannot find 't10k-labels-idx1-ubyte' or 't10k-labels-idx1-ubyte.gz' in '${dir}'`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist() rejects mismatched counts, wrong sizes and bad labels", async () => {
  const cases: [Parameters<typeof writeDataDir>[2], string][] = [
    [{ trainLabels: encodeIdx([9], fakeLabels(9)) }, "9 labels for 10 images"],
    [
      { trainImages: encodeIdx([10, 14, 56], fakeImages(10)) },
      "images are 14x56, expected 28x28",
    ],
    [
      { trainLabels: encodeIdx([10], new Uint8Array(10).fill(10)) },
      "label 10 at record 0 is not a digit 0-9",
    ],
    [{
      trainImages: encodeIdx([0, 28, 28], new Uint8Array()),
      trainLabels: encodeIdx([0], new Uint8Array()),
    }, "holds no images"],
  ];
  for (const [edit, fragment] of cases) {
    const dir = await writeDataDir(10, 10, edit);
    await assertRejects(
      () => loadMnist("train", { dir }),
      FileFormatError,
      fragment,
    );
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readWholeFile() reads what Deno.readFile() does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 7) % 251);
    await Deno.writeFile(`${dir}/f`, bytes);
    await Deno.writeFile(`${dir}/empty`, new Uint8Array(0));
    const plain = readWholeFile(`${dir}/f`);
    assertEquals(plain, await Deno.readFile(`${dir}/f`));
    assertEquals([...plain], [...bytes]);
    assertEquals(readWholeFile(`${dir}/empty`).length, 0);
    assertThrows(() => readWholeFile(`${dir}/none`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadMnist() reads the same images gzipped or not", async () => {
  const raw = await writeDataDir(50, 10);
  const gzipped = await writeDataDir(50, 10);
  try {
    const images = `${gzipped}/${NAMES.trainImages}`;
    await Deno.writeFile(
      `${images}.gz`,
      await gzip(await Deno.readFile(images)),
    );
    await Deno.remove(images);
    const plain = await loadMnist("train", { dir: raw, limit: 40 });
    const unzipped = await loadMnist("train", { dir: gzipped, limit: 40 });
    assertEquals(unzipped.images.length, 40 * 784);
    assertEquals(unzipped.images, plain.images);
    assertEquals(unzipped.labels, plain.labels);
  } finally {
    await Deno.remove(raw, { recursive: true });
    await Deno.remove(gzipped, { recursive: true });
  }
});
