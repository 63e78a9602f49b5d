import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./_assert.ts";
import {
  encodeMnistCsv,
  MnistCsvParser,
  parseMnistCsv,
  readMnistCsv,
} from "../lib/data/csv.ts";
import { findCsvFiles, loadMnist, PIXELS } from "../lib/data/mnist.ts";
import { FileFormatError, UserError } from "../lib/errors.ts";
import { fakeImages, fakeLabels, writeDataDir } from "./_fixtures.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** CSV text written the plain way, independently of `encodeMnistCsv()`. */
function csvText(images: Uint8Array, labels: Uint8Array, eol = "\n"): string {
  const lines: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    const pixels = Array.from(images.subarray(i * PIXELS, (i + 1) * PIXELS));
    lines.push([labels[i], ...pixels].join(","));
  }
  return lines.map((l) => l + eol).join("");
}

/** Three records of the fake data, as CSV lines (no line ends). */
function lines(count = 3): string[] {
  return csvText(fakeImages(count), fakeLabels(count)).trimEnd().split("\n");
}

const parse = (text: string) => parseMnistCsv(enc(text), "data 'f.csv'");

Deno.test("parseMnistCsv() reads labels and pixels of a well-formed file", () => {
  const images = fakeImages(3), labels = fakeLabels(3);
  const r = parse(csvText(images, labels));
  assertEquals(r.count, 3);
  assertEquals(r.labels, labels);
  assertEquals(r.images, images);
});

Deno.test("parseMnistCsv() accepts CRLF line ends and a missing last line end", () => {
  const images = fakeImages(3), labels = fakeLabels(3);
  for (
    const text of [
      csvText(images, labels, "\r\n"),
      csvText(images, labels).trimEnd(),
      csvText(images, labels, "\r\n").trimEnd(),
    ]
  ) {
    const r = parse(text);
    assertEquals(r.labels, labels);
    assertEquals(r.images, images);
  }
});

Deno.test("MnistCsvParser gives the same records however the bytes are chunked", () => {
  const images = fakeImages(4), labels = fakeLabels(4);
  const bytes = enc(csvText(images, labels, "\r\n"));
  for (const size of [1, 2, 3, 7, 1000, 4096]) {
    const parser = new MnistCsvParser("x", 1); // grows from one record
    for (let i = 0; i < bytes.length; i += size) {
      parser.push(bytes.subarray(i, i + size));
    }
    const r = parser.finish();
    assertEquals(r.labels, labels, `chunks of ${size}`);
    assertEquals(r.images, images, `chunks of ${size}`);
  }
});

Deno.test("parseMnistCsv() names the line with the wrong number of values", () => {
  const l = lines();
  assertThrows(
    () => parse([l[0], l[1].replace(/,\d+$/, ""), l[2]].join("\n")),
    FileFormatError,
    "Cannot load data 'f.csv': line 2 has 784 values, expected 785 (a label and 784 pixels)",
  );
  assertThrows(
    () => parse([l[0], l[1], l[2] + ",0"].join("\n")),
    FileFormatError,
    "line 3 has more than 785 values",
  );
});

Deno.test("parseMnistCsv() names the line and value outside 0-255 or not an integer", () => {
  const l = lines();
  const withValue = (v: string) =>
    [l[0], l[1], l[2].replace(/^(\d+,\d+,)\d+/, `$1${v}`)].join("\n");
  assertThrows(
    () => parse(withValue("256")),
    FileFormatError,
    "line 3, value 3 of 785 is 256, outside 0-255",
  );
  assertThrows(
    () => parse(withValue("1000")),
    FileFormatError,
    "line 3, value 3 of 785 is 1000, outside 0-255",
  );
  assertThrows(
    () => parse(withValue("1.5")),
    FileFormatError,
    "line 3, value 3 of 785: found '.', expected an integer 0-255",
  );
  assertThrows(
    () => parse(withValue("-1")),
    FileFormatError,
    "line 3, value 3 of 785: found '-'",
  );
  assertThrows(
    () => parse(withValue(" 1")),
    FileFormatError,
    "line 3, value 3 of 785: found byte 0x20",
  );
  assertThrows(
    () => parse(withValue("")),
    FileFormatError,
    "line 3, value 3 of 785 is empty",
  );
});

Deno.test("parseMnistCsv() names the line whose label is not a digit 0-9", () => {
  const l = lines();
  assertThrows(
    () => parse([l[0], l[1].replace(/^\d+/, "10"), l[2]].join("\n")),
    FileFormatError,
    "line 2: label 10 is not a digit 0-9",
  );
  assertThrows(
    () => parse([l[0], l[1].replace(/^\d+/, "a")].join("\n")),
    FileFormatError,
    "line 2, value 1 of 785: found 'a', expected a label 0-9",
  );
});

Deno.test("parseMnistCsv() rejects empty lines but one final line end", () => {
  const l = lines();
  assertThrows(
    () => parse([l[0], "", l[1]].join("\n")),
    FileFormatError,
    "line 2 is empty",
  );
  assertThrows(
    () => parse(l.join("\n") + "\n\n"),
    FileFormatError,
    "line 4 is empty",
  );
  assertThrows(
    () => parse(l.join("\r\n") + "\r\n\r\n"),
    FileFormatError,
    "line 4 is empty",
  );
  assertThrows(
    () => parse(l.join("\n") + "\n\r"),
    FileFormatError,
    "line 4 is empty",
  );
});

Deno.test("parseMnistCsv() rejects a header, a stray carriage return, an empty file", () => {
  const l = lines();
  const header = ["label", ...Array.from({ length: 784 }, (_, i) => `p${i}`)];
  assertThrows(
    () => parse([header.join(","), ...l].join("\n")),
    FileFormatError,
    "line 1, value 1 of 785: found 'l', expected a label 0-9 (the file must not start with a header line)",
  );
  assertThrows(
    () => parse([l[0], l[1].replace(",", ",\r")].join("\n")),
    FileFormatError,
    "line 2: a carriage return not followed by a line feed",
  );
  assertThrows(() => parse(""), FileFormatError, "the file holds no images");
  assertThrows(() => parse("\n"), FileFormatError, "line 1 is empty");
});

Deno.test("encodeMnistCsv() writes what the plain writer writes", () => {
  const images = fakeImages(5), labels = fakeLabels(5);
  assertEquals(
    new TextDecoder().decode(encodeMnistCsv(images, labels)),
    csvText(images, labels),
  );
  assertThrows(
    () => encodeMnistCsv(new Uint8Array(10), new Uint8Array(1)),
    RangeError,
    "10 image bytes for 1 labels",
  );
});

Deno.test("readMnistCsv() names a missing file", async () => {
  await assertRejects(
    () => readMnistCsv("/nonexistent/mnist_train.csv", "train data"),
    Deno.errors.NotFound,
    "Cannot load train data '/nonexistent/mnist_train.csv': no such file",
  );
});

/** A folder with the given CSV files; `content` maps names to text. */
async function csvDir(content: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mnist-csv-" });
  for (const [name, text] of Object.entries(content)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

Deno.test("loadMnist() reads the book's 100- and 10-line files like the IDX data", async () => {
  const [train, test] = await Promise.all([
    loadMnist("train", { limit: 100 }),
    loadMnist("test", { limit: 10 }),
  ]);
  const dir = await csvDir({
    "mnist_train_100.csv": csvText(train.images, train.labels),
    "mnist_test_10.csv": csvText(test.images, test.labels),
  });
  for (const [idx, split] of [[train, "train"], [test, "test"]] as const) {
    const csv = await loadMnist(split, { dir });
    assertEquals(csv.split, split);
    assertEquals(csv.count, split === "train" ? 100 : 10);
    assertEquals(csv.labels, idx.labels);
    assertEquals(csv.images, idx.images);
  }
  assertEquals((await loadMnist("train", { dir, limit: 7 })).count, 7);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist() reads the whole test set from CSV exactly as from IDX", async () => {
  const test = await loadMnist("test");
  const dir = await csvDir({
    "mnist_train.csv": csvText(fakeImages(2), fakeLabels(2)),
    "mnist_test.csv": csvText(test.images, test.labels, "\r\n"),
  });
  const csv = await loadMnist("test", { dir });
  assertEquals(csv.count, 10000);
  assertEquals(csv.labels, test.labels);
  assert(
    csv.images.every((v, i) => v === test.images[i]),
    "images are the same",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist() names the folder and files when the CSV files are not one of each", async () => {
  const line = csvText(fakeImages(1), fakeLabels(1));
  const two = await csvDir({
    "mnist_train.csv": line,
    "mnist_train_100.csv": line,
    "mnist_test.csv": line,
  });
  await assertRejects(
    () => loadMnist("test", { dir: two }),
    UserError,
    `Cannot choose the MNIST CSV files in '${two}': expected one mnist_train*.csv and one mnist_test*.csv, found mnist_train.csv, mnist_train_100.csv and mnist_test.csv`,
  );
  const none = await csvDir({ "mnist_train_100.csv": line });
  await assertRejects(
    () => loadMnist("train", { dir: none }),
    UserError,
    `found mnist_train_100.csv and no mnist_test*.csv`,
  );
  await Deno.remove(two, { recursive: true });
  await Deno.remove(none, { recursive: true });
});

Deno.test("loadMnist() names both formats when a folder has neither", async () => {
  const dir = await csvDir({ "notes.txt": "" });
  await assertRejects(
    () => loadMnist("train", { dir }),
    Deno.errors.NotFound,
    `Cannot find 'train-images-idx3-ubyte' or 'train-images-idx3-ubyte.gz' in '${dir}', nor one mnist_train*.csv and one mnist_test*.csv`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist() prefers the IDX files when a folder has both", async () => {
  const dir = await writeDataDir(20, 10);
  await Deno.writeTextFile(`${dir}/mnist_train.csv`, "not a CSV file");
  assertEquals((await loadMnist("train", { dir })).count, 20);
  // With only a train CSV, the folder alone would be ambiguous; IDX wins first.
  assertThrows(() => findCsvFiles(dir), UserError, "no mnist_test*.csv");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadMnist() names the file and line of a bad CSV record", async () => {
  const l = lines();
  const dir = await csvDir({
    "mnist_train.csv": [l[0], l[1], l[2].replace(/^\d+/, "12")].join("\n"),
    "mnist_test.csv": l[0],
  });
  await assertRejects(
    () => loadMnist("train", { dir }),
    FileFormatError,
    `Cannot load train data '${dir}/mnist_train.csv': line 3: label 12 is not a digit 0-9`,
  );
  await Deno.remove(dir, { recursive: true });
});
