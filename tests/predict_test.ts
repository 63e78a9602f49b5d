/**
 * `deno task predict`, run as the task runs it (its permissions from
 * deno.json) on image files the tests write: MNIST digits as PNG, JPEG and
 * BMP, the same digits photographed on uneven paper, and every kind of bad file.
 */
import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  encodePng,
  inkOnPage,
  magick,
  pageWithDigit,
  paperPhoto,
} from "./_images.ts";
import { compose, drawn, type NumberImage, upscale } from "./_numbers.ts";
import {
  DIGITS as DRAWN,
  DOODLES,
  LETTERS,
  type Strokes,
} from "./_sample_drawings.ts";
import { corruptPngs, damagedPngs } from "./_corrupt_images.ts";
import { ROOT } from "./_app.ts";
import { predict, TASK_PERMISSIONS, writeRgba } from "./_predict.ts";
import { imageAt, loadMnist } from "../lib/data/mnist.ts";
import type { Box } from "../lib/image/preprocess.ts";
import { UsageError } from "../lib/cli.ts";
import { parsePredictArgs } from "../lib/app/predict_app.ts";

const dir = await Deno.makeTempDir({ prefix: "predict_test_" });
const mnist = await loadMnist("test", { limit: 1000 });
/** Test records whose digits the tests read: the first of 7, 2, 1, 0, 4. */
const DIGITS = [0, 1, 2, 3, 4];

/** Writes the MNIST test record `i` as a 28x28 light-on-dark PNG. */
async function mnistPng(i: number): Promise<string> {
  const path = join(dir, `mnist-${i}.png`);
  await Deno.writeFile(path, encodePng(28, 28, imageAt(mnist, i)));
  return path;
}

Deno.test("predict reads MNIST test digits saved as PNG, JPEG and BMP", async () => {
  const files: string[] = [];
  for (const i of DIGITS) {
    const png = await mnistPng(i);
    const jpg = png.replace(/png$/, "jpg"), bmp = png.replace(/png$/, "bmp");
    await magick(png, "-quality", "92", jpg);
    await magick(png, "BMP3:" + bmp);
    files.push(png, jpg, bmp);
  }
  const { code, lines, stderr } = await predict(...files);
  assertEquals(code, 0, stderr);
  assertEquals(lines.length, files.length);
  files.forEach((file, k) => {
    const label = mnist.labels[DIGITS[Math.floor(k / 3)]];
    assert(
      new RegExp(`^${file}: ${label} \\(\\d+\\.\\d%\\)$`).test(lines[k]),
      `${lines[k]}, expected ${label}`,
    );
  });
});

Deno.test("predict reads digits photographed dark on light, uneven, noisy and blurred", async () => {
  const files: string[] = [];
  for (const i of DIGITS) {
    const photo = paperPhoto(imageAt(mnist, i), i);
    const png = join(dir, `photo-${i}.png`);
    await Deno.writeFile(
      png,
      encodePng(photo.width, photo.height, photo.data, 4),
    );
    const jpg = png.replace(/png$/, "jpg");
    await magick(png, "-quality", "85", jpg);
    files.push(png, jpg);
  }
  const { code, lines, stderr } = await predict(...files);
  assertEquals(code, 0, stderr);
  files.forEach((file, k) => {
    const label = mnist.labels[DIGITS[Math.floor(k / 2)]];
    assert(
      lines[k].startsWith(`${file}: ${label} (`),
      `${lines[k]}, expected ${label}`,
    );
  });
});

Deno.test("predict --json prints one object per file, null for no ink", async () => {
  const digit = await mnistPng(0);
  const blank = join(dir, "blank.png");
  await Deno.writeFile(
    blank,
    encodePng(40, 30, new Uint8Array(1200).fill(230)),
  );
  const missing = join(dir, "missing.png");
  const { code, lines } = await predict("--json", digit, blank, missing);
  assertEquals(code, 1);
  assertEquals(lines.length, 3);
  const [a, b, c] = lines.map((l) => JSON.parse(l));
  assertEquals(Object.keys(a), [
    "file",
    "prediction",
    "probabilities",
    "number",
    "digits",
  ]);
  assertEquals(a.file, digit);
  assertEquals(a.prediction, mnist.labels[0]);
  assertEquals(a.probabilities.length, 10);
  const sum = a.probabilities.reduce((s: number, p: number) => s + p, 0);
  assert(Math.abs(sum - 1) < 1e-4, `probabilities sum to ${sum}`);
  assertEquals(
    a.probabilities.indexOf(Math.max(...a.probabilities)),
    a.prediction,
  );
  // One digit is a number of one piece, the same answer.
  assertEquals(a.number, String(mnist.labels[0]));
  assertEquals(a.digits.length, 1);
  assertEquals(Object.keys(a.digits[0]), [
    "prediction",
    "probabilities",
    "outputs",
    "box",
  ]);
  assertEquals(a.digits[0].prediction, a.prediction);
  assertEquals(a.digits[0].probabilities, a.probabilities);
  // The raw outputs, which the probabilities are made from.
  const outputs: number[] = a.digits[0].outputs;
  const total = outputs.reduce((s, v) => s + v, 0);
  outputs.forEach((v, j) =>
    assert(Math.abs(v / total - a.probabilities[j]) < 1e-4, `output ${j}`)
  );
  // The ink's box inside the 28x28 picture.
  const [x, y, w, h] = a.digits[0].box;
  assert(
    x >= 0 && y >= 0 && x + w <= 28 && y + h <= 28,
    `box ${a.digits[0].box}`,
  );
  assert(
    h >= 15 && h <= 20,
    `box ${a.digits[0].box}: MNIST digits are 20 high`,
  );
  assertEquals(b, {
    file: blank,
    prediction: null,
    probabilities: null,
    number: null,
    digits: [],
    reason: "no ink",
  });
  assertEquals(c, {
    file: missing,
    prediction: null,
    probabilities: null,
    number: null,
    digits: [],
    error: "no such file",
  });
});

Deno.test("predict answers the good files and names each bad one, exit code 1", async () => {
  const good = await mnistPng(1);
  const png = await Deno.readFile(good);
  const bad: [string, string | Uint8Array | null, string][] = [
    ["missing.png", null, "no such file"],
    ["folder.png", "folder", "a folder, not a file"],
    ["empty.png", new Uint8Array(0), "empty file"],
    ["text.png", "not an image\n", "not a PNG, JPEG or BMP image"],
    ["cut.png", png.subarray(0, png.length - 30), "truncated PNG"],
    [
      "huge.png",
      encodePng(28, 28, imageAt(mnist, 1), 1, {
        width: 100000,
        height: 100000,
      }),
      "too large: 100000x100000 pixels",
    ],
  ];
  const files = [good];
  for (const [name, contents] of bad) {
    const path = join(dir, name);
    if (contents === "folder") await Deno.mkdir(path);
    else if (typeof contents === "string") {
      await Deno.writeTextFile(path, contents);
    } else if (contents) await Deno.writeFile(path, contents);
    files.push(path);
  }
  files.push(good);
  const { code, lines, stderr } = await predict(...files);
  assertEquals(code, 1);
  assertEquals(stderr.includes("at "), false, stderr);
  assertEquals(lines.length, files.length, lines.join("\n"));
  const answer = `${good}: ${mnist.labels[1]} (`;
  assert(lines[0].startsWith(answer), lines[0]);
  assert(lines.at(-1)!.startsWith(answer), lines.at(-1));
  bad.forEach(([, , reason], k) => {
    assert(
      lines[k + 1].startsWith(`${files[k + 1]}: ? (${reason}`),
      `${lines[k + 1]}, expected ${reason}`,
    );
  });
});

/**
 * JPEGs of an MNIST digit damaged inside: a garbage Huffman table (libjpeg
 * fails), scrambled scan data and a scan cut in half (libjpeg decodes what it
 * can).
 */
async function damagedJpegs(): Promise<string[]> {
  const jpg = join(dir, "damaged-source.jpg");
  await magick(await mnistPng(2), "-quality", "92", jpg);
  const good = await Deno.readFile(jpg);
  const view = new DataView(good.buffer);
  const segment = (marker: number) => {
    let at = 2;
    while (good[at + 1] !== marker) at += 2 + view.getUint16(at + 2);
    return at;
  };
  const dht = segment(0xc4), sos = segment(0xda);
  const scan = sos + 2 + view.getUint16(sos + 2);
  const table = good.slice();
  table.fill(0xff, dht + 5, dht + 21);
  const scrambled = good.slice();
  for (let i = scan + 10; i < scan + 40; i += 3) {
    if (scrambled[i] !== 0xff) scrambled[i] ^= 0x5a;
  }
  const half = new Uint8Array([
    ...good.subarray(0, scan + ((good.length - scan) >> 1)),
    0xff,
    0xd9,
  ]);
  const files: string[] = [];
  for (
    const [name, bytes] of [["table", table], ["scan", scrambled], [
      "half",
      half,
    ]] as const
  ) {
    const path = join(dir, `damaged-${name}.jpg`);
    await Deno.writeFile(path, bytes);
    files.push(path);
  }
  return files;
}

Deno.test("predict answers damaged PNGs and JPEGs in one line each, and nothing else", async () => {
  const corrupt = corruptPngs(), damaged = damagedPngs();
  const files: string[] = [];
  for (const { name, bytes } of [...corrupt, ...damaged]) {
    const path = join(dir, `damaged-${name}`);
    await Deno.writeFile(path, bytes);
    files.push(path);
  }
  const jpegs = await damagedJpegs();
  files.push(...jpegs);
  const { code, lines, stderr } = await predict(...files);
  // Nothing of libpng's or libjpeg's own.
  assertEquals(stderr, "");
  assertEquals(code, 1, "some files cannot be read");
  assertEquals(lines.length, files.length, lines.join("\n"));
  lines.forEach((line, k) => assert(line.startsWith(`${files[k]}: `), line));
  corrupt.forEach(({ reason }, k) => {
    assert(lines[k].startsWith(`${files[k]}: ? (${reason}`), lines[k]);
  });
  // Damaged only in chunks that make no pixels: read, as the gradient is.
  const answers = lines.slice(corrupt.length, corrupt.length + damaged.length)
    .map((line, k) => line.slice(files[corrupt.length + k].length));
  assertEquals(new Set(answers).size, 1, answers.join("\n"));
  assert(!answers[0].includes("corrupt"), answers[0]);
  // The JPEG whose table is garbage cannot be decoded: one line says so.
  assert(
    lines.at(-3)!.startsWith(`${jpegs[0]}: ? (corrupt image data`),
    lines.at(-3),
  );
});

Deno.test("predict reads 1000 files in one run, in order", async () => {
  const sub = join(dir, "many");
  await Deno.mkdir(sub);
  const files: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const path = join(sub, `${i}.png`);
    await Deno.writeFile(path, encodePng(28, 28, imageAt(mnist, i)));
    files.push(path);
  }
  const { code, lines } = await predict(...files);
  assertEquals(code, 0);
  assertEquals(lines.length, 1000);
  let right = 0;
  lines.forEach((line, i) => {
    assert(line.startsWith(`${files[i]}: `), line);
    if (line.startsWith(`${files[i]}: ${mnist.labels[i]} `)) right++;
  });
  // The fixture model reads 98% of the test set.
  assert(right >= 960, `${right} of 1000 right`);
});

/** The first MNIST test record of each digit. */
const FIRST = Array.from(
  { length: 10 },
  (_, d) => mnist.labels.findIndex((l) => l === d),
);

/** A number of MNIST test digits, each scaled `scale` times. */
const mnistNumber = (number: string, scale: number, gap = 12 * scale) =>
  compose(
    [...number].map((d) => upscale(imageAt(mnist, FIRST[Number(d)]), scale)),
    { gap, margin: 0 },
  );

/** A number of the sample drawings' digits (or letters), `height` pixels tall. */
const drawnNumber = (strokes: Strokes[], height: number) =>
  compose(strokes.map((s) => drawn(s, height)), {
    gap: Math.round(height / 4),
    margin: 0,
  });

Deno.test("predict reads numbers: MNIST digits and drawn ones side by side on a page", async () => {
  const pages: [string, NumberImage][] = [
    ["42", mnistNumber("42", 4)],
    ["107", mnistNumber("107", 3)],
    ["2024", drawnNumber([2, 0, 2, 4].map((d) => DRAWN[d]), 120)],
  ];
  const files: string[] = [];
  for (const [number, { image }] of pages) {
    files.push(
      await writeRgba(
        dir,
        `number-${number}.png`,
        inkOnPage(image, {
          width: image.width + 120,
          height: image.height + 90,
          x: 70,
          y: 40,
          noise: 6,
        }),
      ),
    );
  }
  const { code, lines, stderr } = await predict(...files);
  assertEquals(code, 0, stderr);
  pages.forEach(([number], k) => {
    const each = [...number].map((d) => `${d} \\d+%`).join(", ");
    assert(
      new RegExp(`^${files[k]}: ${number} \\(${each}\\)$`).test(lines[k]),
      `${lines[k]}, expected ${number}`,
    );
  });
});

/**
 * Checks that `box`, [x, y, w, h] from predict's JSON, is `expected` (a box
 * of the page's pixels) within `tolerance` pixels on each side.
 */
function assertBox(box: number[], expected: Box, tolerance: number) {
  const [x, y, w, h] = box;
  const sides = [
    [x, expected.x],
    [y, expected.y],
    [x + w, expected.x + expected.width],
    [y + h, expected.y + expected.height],
  ];
  assert(
    sides.every(([a, b]) => Math.abs(a - b) <= tolerance),
    `box ${box}, expected ${[
      expected.x,
      expected.y,
      expected.width,
      expected.height,
    ]} within ${tolerance}`,
  );
}

Deno.test("predict --json gives each digit of a number with its box in the file's pixels", async () => {
  // A small page, its ink cut out at full resolution; and a large one, whose
  // ink, over 2000 pixels wide, is read shrunk 3 times. The boxes may differ
  // from the layout's by the faint edges of the scaled-up MNIST digits, and
  // by an ink pixel of the shrunk ink (3 of the page's); a box not mapped
  // back to the page would be off by hundreds.
  const cases = [
    {
      number: "35",
      layout: mnistNumber("35", 5),
      tolerance: 3,
      page: { x: 90, y: 50, width: 480, height: 300 },
    },
    {
      number: "350",
      layout: mnistNumber("350", 22),
      tolerance: 10,
      page: { x: 300, y: 220, width: 2600, height: 1200 },
    },
  ];
  const files: string[] = [];
  for (const { number, layout, page } of cases) {
    files.push(
      await writeRgba(
        dir,
        `boxes-${number}.png`,
        inkOnPage(layout.image, page),
      ),
    );
  }
  const { code, lines, stderr } = await predict("--json", ...files);
  assertEquals(code, 0, stderr);
  cases.forEach(({ number, layout, tolerance, page: { x, y } }, k) => {
    const answer = JSON.parse(lines[k]);
    assertEquals(answer.number, number, lines[k]);
    assertEquals([answer.prediction, answer.probabilities], [null, null]);
    assertEquals(answer.digits.length, number.length);
    answer.digits.forEach(
      (d: { prediction: number; box: number[] }, i: number) => {
        assertEquals(d.prediction, Number(number[i]));
        const b = layout.boxes[i];
        assertBox(d.box, { ...b, x: b.x + x, y: b.y + y }, tolerance);
      },
    );
  });
});

Deno.test("predict says which piece of a number is not a digit", async () => {
  const { image } = drawnNumber([DRAWN[4], LETTERS.A, DRAWN[2]], 150);
  const file = await writeRgba(
    dir,
    "4A2.png",
    inkOnPage(image, {
      width: image.width + 60,
      height: image.height + 60,
      x: 30,
      y: 30,
    }),
  );
  const text = await predict(file);
  assertEquals(text.code, 0, text.stderr);
  assert(
    text.lines[0].startsWith(`${file}: ? (piece 2 of 3 is not a digit: `),
    text.lines[0],
  );
  const json = await predict("--json", file);
  const answer = JSON.parse(json.lines[0]);
  assertEquals([answer.number, answer.prediction], [null, null]);
  assert(
    answer.reason.startsWith("piece 2 of 3 is not a digit"),
    answer.reason,
  );
  assertEquals(
    answer.digits.map((d: { prediction: number | null }) => d.prediction),
    [4, null, 2],
  );
  assert(
    answer.digits[1].reason.startsWith("not a digit"),
    answer.digits[1].reason,
  );
  assertEquals(answer.digits[1].probabilities.length, 10);
});

Deno.test("predict reads a thin 1 on a clean page", async () => {
  const files: string[] = [];
  for (const pen of [1, 2]) {
    const { image } = pageWithDigit(1, {
      width: 640,
      height: 480,
      x: 300,
      y: 180,
      size: 70,
      pen,
    });
    files.push(await writeRgba(dir, `thin-1-pen-${pen}.png`, image));
  }
  const { code, lines, stderr } = await predict(...files);
  assertEquals(code, 0, stderr);
  files.forEach((file, k) =>
    assert(lines[k].startsWith(`${file}: 1 (`), lines[k])
  );
});

Deno.test("predict refuses letters and doodles it never saw: not a digit", async () => {
  const shapes: [string, Strokes][] = [
    ["A", LETTERS.A],
    ["E", LETTERS.E],
    ["K", LETTERS.K],
    ["X", LETTERS.X],
    ["e", LETTERS.e],
    ["plus", LETTERS["+"]],
    ["fish", DOODLES["a fish"]],
    ["key", DOODLES["a key"]],
    ["mountains", DOODLES["mountains"]],
  ];
  const files: string[] = [];
  for (const [name, strokes] of shapes) {
    const { image } = drawnNumber([strokes], 200);
    files.push(
      await writeRgba(
        dir,
        `shape-${name}.png`,
        inkOnPage(image, {
          width: image.width + 100,
          height: image.height + 80,
          x: 50,
          y: 40,
          noise: 4,
        }),
      ),
    );
  }
  const { code, lines, stderr } = await predict(...files);
  assertEquals(code, 0, stderr);
  files.forEach((file, k) =>
    assert(
      lines[k].startsWith(`${file}: ? (not a digit: highest output 0.`),
      lines[k],
    )
  );
});

Deno.test("parsePredictArgs() wants files, and takes --model, --json and --show", () => {
  assertEquals(parsePredictArgs(["--help"]), null);
  const args = ["--json", "a.png", "b.jpg", "--model", "m", "--show", "out"];
  assertEquals(parsePredictArgs(args), {
    modelPath: "m",
    json: true,
    showDir: "out",
    files: ["a.png", "b.jpg"],
    args,
  });
  assertEquals(parsePredictArgs(["a.png"])?.showDir, undefined);
  assertThrows(
    () => parsePredictArgs(["--show", "", "a"]),
    UsageError,
    "--show needs a path",
  );
  assertThrows(() => parsePredictArgs([]), UsageError, "no image files");
  assertThrows(
    () => parsePredictArgs(["--model", "", "a"]),
    UsageError,
    "--model",
  );
  assertThrows(() => parsePredictArgs(["--nope", "a"]), UsageError, "nope");
});

Deno.test("predict says in one line when the model is missing", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...TASK_PERMISSIONS,
      join(ROOT, "scripts", "mnist_predict.ts"),
      "--model",
      join(dir, "none.safetensors"),
      join(dir, "x.png"),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 1);
  const text = new TextDecoder().decode(stderr).trim();
  assertEquals(text.split("\n").length, 1, text);
  assert(text.startsWith("predict: Cannot load model"), text);
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});
