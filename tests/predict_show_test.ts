/**
 * `deno task predict --show DIR`: the 28x28 pictures the network read,
 * written as PNG files, decoded again by SDL2_image (not by the encoder that
 * wrote them); and the one line for each way that writing them can fail.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./_assert.ts";
import { bareEnv, FIXTURE_MODEL, rerunCommand, ROOT } from "./_app.ts";
import { encodePng, inkOnPage } from "./_images.ts";
import { compose, upscale } from "./_numbers.ts";
import {
  predict,
  runPredict,
  TASK_PERMISSIONS,
  writeRgba,
} from "./_predict.ts";
import { imageAt, loadMnist, PIXELS, SIDE } from "../lib/data/mnist.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { decodeImage } from "../lib/native/sdl2_image.ts";
import { readerOf, readInk } from "../lib/read/read_number.ts";
import { loadInk } from "../lib/app/predict_app.ts";
import { PREDICT_PERMISSIONS } from "../lib/app/predict_show.ts";

const mnist = await loadMnist("test", { limit: 10 });
const reader = readerOf(await loadModel(FIXTURE_MODEL));

/** A folder inside the project, where the predict task may write. */
const projectTempDir = () =>
  Deno.makeTempDir({ dir: ROOT, prefix: ".predict-test-" });

/**
 * Writes into `dir`: "42" of MNIST digits on a page, MNIST test digit 0 (a
 * 7) as it is, and a blank page.
 */
async function sampleFiles(dir: string) {
  // MNIST test records 4 and 1 are a 4 and a 2.
  const { image } = compose([4, 1].map((i) => upscale(imageAt(mnist, i), 4)));
  const number = await writeRgba(dir, "number.png", inkOnPage(image));
  const digit = join(dir, "digit.png");
  await Deno.writeFile(digit, encodePng(SIDE, SIDE, imageAt(mnist, 0)));
  const blank = join(dir, "blank.png");
  await Deno.writeFile(
    blank,
    encodePng(40, 30, new Uint8Array(1200).fill(230)),
  );
  return { number, digit, blank };
}

/** The grey levels of a 28x28 grey PNG, decoded by SDL2_image. */
async function decodeGrey(path: string): Promise<Uint8Array> {
  const rgba = decodeImage(await Deno.readFile(path), "PNG");
  assertEquals([rgba.width, rgba.height], [SIDE, SIDE], path);
  const grey = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) {
    const [r, g, b, a] = rgba.data.subarray(4 * i, 4 * i + 4);
    assertEquals([g, b, a], [r, r, 255], `${path}: pixel ${i} is grey`);
    grey[i] = r;
  }
  return grey;
}

Deno.test("PREDICT_PERMISSIONS are the predict task's, less its write access", () => {
  assertEquals(
    [...PREDICT_PERMISSIONS],
    TASK_PERMISSIONS.filter((p) => !p.startsWith("--allow-write")),
  );
});

Deno.test("predict --show writes the 28x28 pictures the network read, one per piece", async () => {
  const inside = await projectTempDir();
  try {
    const { number, digit, blank } = await sampleFiles(inside);
    // The same name in another folder gets pictures of its own.
    await Deno.mkdir(join(inside, "again"));
    const again = join(inside, "again", "number.png");
    await Deno.copyFile(number, again);
    // Made, folders on its way included.
    const show = join(inside, "pictures", "of", "pieces");
    const missing = join(inside, "missing.png");
    const files = [number, digit, blank, missing, again];
    const r = await predict("--json", "--show", show, ...files);
    assertEquals(r.code, 1, r.stderr);
    assertEquals(r.stderr, `predict: wrote 5 pictures to ${show}\n`);
    const expected = [
      ["number-1.png", "number-2.png"],
      ["digit-1.png"],
      [],
      [],
      ["number_2-1.png", "number_2-2.png"],
    ];
    assertEquals(
      [...Deno.readDirSync(show)].map((e) => e.name).sort(),
      expected.flat().sort(),
    );
    for (const [k, file] of files.entries()) {
      const answer = JSON.parse(r.lines[k]);
      assertEquals(
        answer.digits.map((d: { shown: string }) => d.shown),
        expected[k].map((name) => join(show, name)),
      );
      if (expected[k].length === 0) continue;
      // The very pixels the network read: the pieces of the file's ink.
      const loaded = await loadInk(file);
      assert(!("error" in loaded));
      const { digits } = readInk(reader, loaded.ink);
      assertEquals(digits.length, expected[k].length);
      for (const [i, name] of expected[k].entries()) {
        const grey = await decodeGrey(join(show, name));
        assertEquals(grey, digits[i].input.pixels, name);
        // MNIST-like: white ink on black, in the middle of the field.
        assert(Math.max(...grey) > 200, name);
        assertEquals(Math.max(...grey.subarray(0, 2 * SIDE)), 0, name);
      }
    }
    assertEquals(JSON.parse(r.lines[0]).number, "42");
  } finally {
    await Deno.remove(inside, { recursive: true });
  }
});

Deno.test("predict --show says in one line when the pictures cannot be written", async () => {
  const inside = await projectTempDir();
  try {
    const { number } = await sampleFiles(inside);
    const file = join(inside, "a-file");
    await Deno.writeTextFile(file, "");
    const blocked = join(inside, "blocked");
    await Deno.mkdir(join(blocked, "number-1.png"), { recursive: true });
    for (
      const [dir, message] of [
        [
          file,
          `cannot write the pictures into '${file}': it is a file, not a folder`,
        ],
        [
          join(file, "pictures"),
          `cannot write the pictures into '${
            join(file, "pictures")
          }': '${file}' is a file, not a folder`,
        ],
        [
          blocked,
          `cannot write '${join(blocked, "number-1.png")}': it is a folder`,
        ],
      ]
    ) {
      const r = await predict("--show", dir, number);
      assertEquals(r.code, 1, r.stderr);
      assertEquals(r.stderr, `predict: ${message}\n`);
      assertEquals(r.lines, []);
    }
  } finally {
    await Deno.remove(inside, { recursive: true });
  }
});

Deno.test("predict --show outside the project gives the command that may write there, and it does", async () => {
  const outside = await Deno.makeTempDir({ prefix: "predict-outside-" });
  try {
    const { number } = await sampleFiles(outside);
    const dir = join(outside, "pictures");
    // A model that does not load: the folder is checked before it.
    const args = [
      "--model",
      join(outside, "none.safetensors"),
      "--show",
      dir,
      number,
    ];
    const r = await runPredict(args);
    assertEquals(r.code, 1, r.stderr);
    const command = rerunCommand("predict", dir, r.stderr);
    assertEquals(
      command,
      [
        "deno run --allow-read",
        `--allow-write=${dir}`,
        ...PREDICT_PERMISSIONS.slice(1),
        "scripts/mnist_predict.ts",
        ...args,
      ].join(" "),
    );

    // The command, with a model that loads, writes the pictures there.
    const words = command.replace(
      join(outside, "none.safetensors"),
      FIXTURE_MODEL,
    ).split(" ");
    const ran = await new Deno.Command(Deno.execPath(), {
      args: words.slice(1),
      cwd: ROOT,
      env: bareEnv(),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(ran.stdout);
    assertEquals(ran.code, 0, new TextDecoder().decode(ran.stderr));
    assert(out.startsWith(`${number}: 42 (`), out);
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["number-1.png", "number-2.png"],
    );
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});
