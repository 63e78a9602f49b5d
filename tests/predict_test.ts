/**
 * `deno task predict`, run as the task runs it (its permissions from
 * deno.json) on image files the tests write: MNIST digits as PNG, JPEG and
 * BMP, the same digits photographed on uneven paper, and every kind of bad file.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { encodePng, magick, paperPhoto } from "./_images.ts";
import { corruptPngs, damagedPngs } from "./_corrupt_images.ts";
import { imageAt, loadMnist } from "../lib/data/mnist.ts";
import { UsageError } from "../lib/cli.ts";
import { parsePredictArgs } from "../lib/app/predict_app.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCRIPT = join(ROOT, "scripts", "mnist_predict.ts");
const MODEL = join(ROOT, "tests", "fixtures", "model-784-200-10.safetensors");

const dir = await Deno.makeTempDir({ prefix: "predict_test_" });
const mnist = await loadMnist("test", { limit: 1000 });
/** Test records whose digits the tests read: the first of 7, 2, 1, 0, 4. */
const DIGITS = [0, 1, 2, 3, 4];

/** The predict task's permission flags, from deno.json. */
async function taskPermissions(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const command: string = config.tasks.predict.command;
  return command.split(/\s+/).filter((a) => a.startsWith("--allow"));
}

/** Runs the script with the task's permissions and the fixture model. */
async function predict(...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...await taskPermissions(),
      SCRIPT,
      "--model",
      MODEL,
      ...args,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  return {
    code,
    lines: out.split("\n").filter((l) => l !== ""),
    stderr: new TextDecoder().decode(stderr),
  };
}

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
  assertEquals(Object.keys(a), ["file", "prediction", "probabilities"]);
  assertEquals(a.file, digit);
  assertEquals(a.prediction, mnist.labels[0]);
  assertEquals(a.probabilities.length, 10);
  const sum = a.probabilities.reduce((s: number, p: number) => s + p, 0);
  assert(Math.abs(sum - 1) < 1e-4, `probabilities sum to ${sum}`);
  assertEquals(
    a.probabilities.indexOf(Math.max(...a.probabilities)),
    a.prediction,
  );
  assertEquals([b.file, b.prediction, b.reason], [blank, null, "no ink"]);
  assertEquals(b.probabilities.length, 10);
  assertEquals(c, {
    file: missing,
    prediction: null,
    probabilities: null,
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

Deno.test("parsePredictArgs() wants files, and takes --model and --json", () => {
  assertEquals(parsePredictArgs(["--help"]), null);
  assertEquals(parsePredictArgs(["--json", "a.png", "b.jpg", "--model", "m"]), {
    modelPath: "m",
    json: true,
    files: ["a.png", "b.jpg"],
  });
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
      ...await taskPermissions(),
      SCRIPT,
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
