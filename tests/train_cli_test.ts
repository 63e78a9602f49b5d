/** The trainer as a user meets it: run as the task runs it, read what it prints. */
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { parseTrainArgs } from "../lib/app/train_app.ts";
import { shellQuote } from "../lib/cli.ts";
import { UsageError } from "../lib/cli.ts";
import { encodeIdx } from "../lib/data/idx.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { DEFAULTS } from "../lib/nn/train_options.ts";
import { saveDrawing } from "../lib/data/own_data.ts";
import { fakeImages, writeDataDir } from "./_fixtures.ts";

const SCRIPT = new URL("../scripts/mnist_train.ts", import.meta.url).pathname;

/** `deno run` of the trainer with the train task's permissions, writing to `dir`. */
const runArgs = (dir: string) => [
  "run",
  "--allow-read",
  `--allow-write=${dir}`,
  "--allow-ffi",
  "--allow-env",
  SCRIPT,
];

/**
 * Runs the trainer with the train task's permissions, writing only to `writeDir`
 * (a fresh temporary folder, with --out inside it, unless given).
 */
async function trainCli(
  args: string[],
  env: Record<string, string> = {},
  writeDir?: string,
) {
  const dir = writeDir ?? await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      ...runArgs(dir),
      ...(writeDir || args.includes("--out")
        ? []
        : ["--out", `${dir}/m.safetensors`]),
      ...args,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!writeDir) await Deno.remove(dir, { recursive: true });
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Exactly one line on stderr, no stack trace, exit code 1. */
function assertOneLineError(
  r: { code: number; stderr: string },
  fragment: string,
) {
  assertEquals(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assertEquals(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert(lines[0].startsWith("train: "), lines[0]);
  assert(
    lines[0].includes(fragment),
    `"${lines[0]}" should include "${fragment}"`,
  );
  assert(!/\bat .*:\d+:\d+/.test(r.stderr), "no stack trace");
}

Deno.test("mnist_train --data names a missing folder's file", async () => {
  assertOneLineError(
    await trainCli(["--data", "/nonexistent/mnist"]),
    "Cannot find 'train-images-idx3-ubyte' or 'train-images-idx3-ubyte.gz' in '/nonexistent/mnist'",
  );
});

Deno.test("mnist_train --data names a corrupt file and what is wrong with it", async () => {
  const dir = await writeDataDir(20, 10, {
    testImages: encodeIdx([10], new Uint8Array(10)),
  });
  assertOneLineError(
    await trainCli(["--data", dir]),
    `Cannot load test images '${dir}/t10k-images-idx3-ubyte': magic is 0x00000801, expected 0x00000803`,
  );
  await Deno.remove(dir, { recursive: true });
  const dir2 = await writeDataDir(20, 10);
  const bytes = await Deno.readFile(`${dir2}/train-images-idx3-ubyte`);
  await Deno.writeFile(
    `${dir2}/train-images-idx3-ubyte`,
    bytes.subarray(0, 1000),
  );
  assertOneLineError(
    await trainCli(["--data", dir2]),
    `Cannot load train images '${dir2}/train-images-idx3-ubyte': truncated`,
  );
  await Deno.remove(dir2, { recursive: true });
});

Deno.test("mnist_train rejects bad flags with one line", async () => {
  assertOneLineError(
    await trainCli(["--epochs", "two"]),
    "--epochs must be an integer, got 'two' (see --help)",
  );
  assertOneLineError(
    await trainCli(["--rate=-3"]),
    "--rate must be a positive number, got '-3'",
  );
  assertOneLineError(
    await trainCli(["--batch", "0"]),
    "--batch must be a positive integer, got '0'",
  );
  assertOneLineError(await trainCli(["--bogus"]), "Unknown option '--bogus'");
  assertOneLineError(
    await trainCli(["--threads", "0"]),
    "--threads must be a positive integer, got '0'",
  );
});

Deno.test("mnist_train names a bad environment variable as such", async () => {
  assertOneLineError(
    await trainCli([], { EPOCHS: "x" }),
    "EPOCHS must be an integer, got 'x' (see --help)",
  );
  assertOneLineError(
    await trainCli([], { RATE: "fast" }),
    "RATE must be a number, got 'fast'",
  );
  assertOneLineError(
    await trainCli([], { LIMIT: "0" }),
    "LIMIT must be a positive integer, got '0'",
  );
});

Deno.test("mnist_train --help lists every option", async () => {
  const r = await trainCli(["--help"]);
  assertEquals(r.code, 0);
  for (
    const flag of [
      "--epochs",
      "--rate",
      "--batch",
      "--hidden",
      "--limit",
      "--seed",
      "--data",
      "--out",
      "--threads",
      "--verbose",
      "--help",
    ]
  ) {
    assert(r.stdout.includes(flag), flag);
  }
});

Deno.test("mnist_train --add mixes own drawings in, and records them and the history", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const own = `${dir}/own`;
    const images = fakeImages(6, 5);
    for (let i = 0; i < 6; i++) {
      await saveDrawing(images.subarray(i * 784, (i + 1) * 784), 3, {
        dir: own,
      });
    }
    const out = `${dir}/m.safetensors`;
    const r = await trainCli(
      [
        "--epochs",
        "2",
        "--limit",
        "500",
        "--hidden",
        "20",
        "--add",
        own,
        "--out",
        out,
      ],
      {},
      dir,
    );
    assertEquals(r.code, 0, r.stderr);
    assert(/Adding \d+ drawings from /.test(r.stdout), r.stdout);
    const model = await loadModel(out);
    assert(
      Number(model.metadata.added_images) >= 1,
      model.metadata.added_images,
    );
    const history = JSON.parse(model.metadata.history);
    assertEquals(history.rows.length, 2);
    assertOneLineError(
      await trainCli(["--add", `${dir}/missing`]),
      `Cannot read --add ${dir}/missing: no such folder`,
    );
    await Deno.mkdir(`${dir}/empty`);
    assertOneLineError(
      await trainCli(["--add", `${dir}/empty`]),
      "no drawings in its training part yet",
    );
    await Deno.writeTextFile(`${dir}/file`, "");
    assertOneLineError(
      await trainCli(["--add", `${dir}/file`]),
      `Cannot read --add ${dir}/file: it is a file, not a folder`,
    );
    assertOneLineError(
      await trainCli(["--data", `${dir}/file`]),
      `Cannot load MNIST from '${dir}/file': it is a file, not a folder`,
    );
    await Deno.mkdir(`${dir}/models/folder`, { recursive: true });
    assertOneLineError(
      await trainCli(["--out", `${dir}/models/folder`], {}, dir),
      "it is a folder; give --out a file path",
    );
    assertOneLineError(
      await trainCli(["--hidden", "65537"]),
      "--hidden must be an integer in 1..65536, got '65537'",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mnist_train trains, reports and saves; flags win over the environment", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/m.safetensors`;
  const r = await trainCli(
    [
      "--epochs",
      "2",
      "--limit",
      "3000",
      "--hidden",
      "30",
      "--out",
      out,
      "--verbose",
    ],
    { EPOCHS: "7", LIMIT: "100", RATE: "0.05", OPENBLAS_CORETYPE: "Haswell" },
    dir,
  );
  assertEquals(r.code, 0, r.stderr);
  assert(
    r.stdout.includes("OpenBLAS: kernel Haswell (set by OPENBLAS_CORETYPE)"),
    r.stdout,
  );
  // --limit wins over LIMIT; a tenth of the images is kept apart.
  assert(r.stdout.includes("on 2700 images"), r.stdout);
  assert(r.stdout.includes("Keeping 300 training images apart"), r.stdout);
  assert(r.stdout.includes("rate 0.05"), "RATE applies without --rate");
  assert(/epoch 2\/2 +loss [\d.]+ +test [\d.]+%/.test(r.stdout), r.stdout);
  assert(!r.stdout.includes("epoch 3/"), "--epochs wins over EPOCHS");
  assert(r.stdout.includes("Confusion matrix"), r.stdout);
  const model = await loadModel(out);
  assertEquals(model.network.hidden, 30);
  assertEquals(model.metadata.epochs, "2");
  assertEquals(model.metadata.input_scaling, "x/255*0.99+0.01");
  assertEquals(model.metadata.activation, "sigmoid");
  // Examples that are no digit, and the threshold calibrated on the 300.
  assertEquals(
    model.metadata.negatives,
    "letters,scribbles,doodles,pieces,pairs",
  );
  assertEquals(model.metadata.negatives_share, "0.2");
  assertEquals(model.metadata.holdout, "300");
  const threshold = Number(model.metadata.refuse_below);
  assert(threshold > 0 && threshold < 1, model.metadata.refuse_below);
  assert(
    r.stdout.includes(`Not a digit: no output reaches ${threshold} (`),
    r.stdout,
  );
  const acc = Number(model.metadata.test_accuracy);
  assert(
    r.stdout.includes(`Test accuracy ${(acc * 100).toFixed(2)}%`),
    r.stdout,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mnist_train leaves the existing model intact when training diverges", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/m.safetensors`;
  await Deno.writeTextFile(out, "old model");
  const r = await trainCli(
    ["--rate", "1e37", "--limit", "500", "--epochs", "1", "--out", out],
    {},
    dir,
  );
  assertOneLineError(r, "training diverged (loss ");
  assertEquals(await Deno.readTextFile(out), "old model");
  assertEquals([...Deno.readDirSync(dir)].length, 1, "no temporary file left");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mnist_train refuses an --out it may not write, saying how to run it", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/sub/m.safetensors`;
  const args = [
    "--out",
    out,
    "--epochs",
    "1",
    "--limit",
    "500",
    "--hidden",
    "10",
  ];
  const r = await trainCli(args, {}, `${dir}/elsewhere`);
  assertOneLineError(
    r,
    `cannot save the model to '${out}': the train task may write only under models/; to save there, run: deno run --allow-read --allow-write=${dir}/sub --allow-ffi --allow-env scripts/mnist_train.ts ${
      args.join(" ")
    }`,
  );
  assert(!r.stdout.includes("epoch"), "fails before training");
  // The command it gives works as it is.
  const command = r.stderr.trim().split("run: ")[1];
  const [deno, ...rest] = command.split(" ");
  assertEquals(deno, "deno");
  const ok = await new Deno.Command(Deno.execPath(), {
    args: rest,
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(ok.code, 0, new TextDecoder().decode(ok.stderr));
  assertEquals((await loadModel(out)).network.hidden, 10);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mnist_train reads a CSV data folder and names a bad line", async () => {
  const dir = await Deno.makeTempDir();
  const line = (label: number) => [label, ...fakeImages(1, label)].join(",");
  const train = Array.from({ length: 300 }, (_, i) => line(i % 10));
  await Deno.writeTextFile(
    `${dir}/mnist_train_300.csv`,
    train.join("\n") + "\n",
  );
  await Deno.writeTextFile(
    `${dir}/mnist_test_10.csv`,
    train.slice(0, 10).join("\n") + "\n",
  );
  const r = await trainCli(["--data", dir, "--epochs", "1", "--hidden", "10"]);
  assertEquals(r.code, 0, r.stderr);
  assert(r.stdout.includes("on 270 images (test: 10)"), r.stdout);
  train[41] = train[41].replace(/,(\d+)$/, ",256");
  await Deno.writeTextFile(`${dir}/mnist_train_300.csv`, train.join("\n"));
  assertOneLineError(
    await trainCli(["--data", dir]),
    `Cannot load train data '${dir}/mnist_train_300.csv': line 42, value 785 of 785 is 256, outside 0-255`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mnist_train interrupted by Ctrl-C exits non-zero and keeps the old model", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/m.safetensors`;
  await Deno.writeTextFile(out, "old model");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...runArgs(dir),
      "--epochs",
      "50",
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // Interrupt once the first epoch is reported, i.e. in the middle of training.
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/epoch +1\/50/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assert(/epoch +1\/50/.test(text), `training started: ${text}`);
  child.kill("SIGINT");
  await reader.cancel();
  const status = await child.status;
  assert(!status.success, "an interrupted run does not succeed");
  assertEquals(await Deno.readTextFile(out), "old model");
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), [
    "m.safetensors",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("shellQuote() quotes only words a shell would change", () => {
  assertEquals(
    shellQuote("--out=models/m.safetensors"),
    "--out=models/m.safetensors",
  );
  assertEquals(shellQuote("/tmp/my models"), "'/tmp/my models'");
  assertEquals(shellQuote("it's"), `'it'\\''s'`);
  assertEquals(shellQuote("$HOME"), "'$HOME'");
});

Deno.test("parseTrainArgs() reads --augment, --weight-decay and repeated --add", () => {
  const o = parseTrainArgs(
    ["--augment", "none", "--weight-decay", "0", "--add", "a", "--add", "b"],
    () => undefined,
  )!;
  assertEquals(o.config.augment, "none");
  assertEquals(o.config.weightDecay, 0);
  assertEquals(o.add, ["a", "b"]);
  const d = parseTrainArgs([], () => undefined)!;
  assertEquals(d.config.augment, DEFAULTS.augment);
  assertEquals(d.add, []);
  assertThrows(
    () => parseTrainArgs(["--augment", "heavy"], () => undefined),
    UsageError,
    "--augment must be one of none, standard, got 'heavy'",
  );
  assertThrows(
    () => parseTrainArgs(["--weight-decay", "2"], () => undefined),
    UsageError,
    "--weight-decay must be a number at least 0 and below 1, got '2'",
  );
});

Deno.test("parseTrainArgs() lets flags win over variables and names each", () => {
  const env = (vars: Record<string, string>) => (k: string) => vars[k];
  const o = parseTrainArgs(
    ["--epochs", "3"],
    env({ EPOCHS: "9", RATE: "0.5" }),
  )!;
  assertEquals(o.config.epochs, 3);
  assertEquals(o.config.rate, 0.5);
  assertEquals(
    parseTrainArgs([], env({ EPOCHS: "" }))!.config.epochs,
    DEFAULTS.epochs,
  );
  assertEquals(parseTrainArgs(["--help"], env({})), null);
  assertThrows(
    () => parseTrainArgs([], env({ LIMIT: "2.5" })),
    UsageError,
    "LIMIT must be an integer, got '2.5'",
  );
  assertThrows(
    () => parseTrainArgs(["--momentum", "1"], env({})),
    UsageError,
    "--momentum must be a number at least 0 and below 1, got '1'",
  );
  assertThrows(
    () => parseTrainArgs(["--epochs="], env({})),
    UsageError,
    "--epochs must be an integer, got ''",
  );
});
