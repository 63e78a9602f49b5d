/**
 * The sweep: its command line, its runs, its CSV and charts, checked against
 * training run here with the same settings.
 */
import { join } from "node:path";
import { UsageError } from "../lib/cli.ts";
import { UserError } from "../lib/errors.ts";
import { DEFAULT_DATA_DIR, loadMnist } from "../lib/data/mnist.ts";
import { loadBlas } from "../lib/native/blas.ts";
import { train } from "../lib/nn/train.ts";
import {
  BOOK_VALUES,
  CSV_COLUMNS,
  parseSweepArgs,
  resultsCsv,
  runSweep,
  sweep,
  type SweepOptions,
  type SweepResult,
  sweepRuns,
} from "../lib/app/sweep.ts";
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  chartScene,
  heldLine,
  writeCharts,
} from "../lib/app/sweep_charts.ts";
import { parseTrainArgs } from "../lib/app/train_app.ts";
import { ProgressBar } from "../lib/app/report.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./_assert.ts";
import { readPng } from "./_png.ts";

Deno.test("parseSweepArgs(): the book's three axes by default, else only those given", () => {
  const all = parseSweepArgs([])!;
  assertEquals(all.recipe, "talk");
  assertEquals(all.axes, BOOK_VALUES);
  assertEquals(all.out, "sweeps");
  assertEquals(all.png, false);
  const some = parseSweepArgs([
    "--rates",
    "0.1, 0.3",
    "--hidden=5,50",
    "--recipe",
    "default",
    "--png",
  ])!;
  assertEquals(some.axes, { rate: [0.1, 0.3], hidden: [5, 50] });
  assertEquals(some.recipe, "default");
  assertEquals(some.png, true);
  assertEquals(parseSweepArgs(["--help"]), null);
});

Deno.test("parseSweepArgs() names a bad value and its option", () => {
  assertThrows(
    () => parseSweepArgs(["--hidden", "5,x"]),
    UsageError,
    "--hidden",
  );
  assertThrows(() => parseSweepArgs(["--epochs", "0"]), UsageError, "--epochs");
  assertThrows(() => parseSweepArgs(["--rates", "-1"]), UsageError, "--rates");
  assertThrows(() => parseSweepArgs(["--rates", ""]), UsageError, "--rates");
  assertThrows(
    () => parseSweepArgs(["--recipe", "mine"]),
    UsageError,
    "--recipe",
  );
  assertThrows(() => parseSweepArgs(["--speed"]), UsageError, "speed");
});

Deno.test("sweepRuns() varies one setting at a time and holds the recipe's others", () => {
  const base = parseTrainArgs(["--recipe", "talk"], () => undefined)!.config;
  const runs = sweepRuns(base, { rate: [0.3, 0.6], hidden: [5] });
  assertEquals(runs.map((r) => [r.axis, r.value]), [
    ["rate", 0.3],
    ["rate", 0.6],
    ["hidden", 5],
  ]);
  assertEquals(runs[1].config, { ...base, rate: 0.6 });
  assertEquals(runs[2].config, { ...base, hidden: 5 });
  assertEquals(base.batch, 1);
});

Deno.test("resultsCsv(): the header's columns, then one line per run", () => {
  const r: SweepResult = {
    axis: "hidden",
    value: 50,
    epochs: 1,
    hidden: 50,
    rate: 0.1,
    accuracy: 0.94213,
    seconds: 1.234,
  };
  const lines = resultsCsv([r, { ...r, value: 5, hidden: 5 }]).trimEnd()
    .split("\n");
  assertEquals(lines[0], "axis,value,epochs,hidden,rate,accuracy,seconds");
  assertEquals(lines[0].split(","), [...CSV_COLUMNS]);
  assertEquals(lines[1], "hidden,50,1,50,0.1,0.9421,1.23");
  assertEquals(lines[2].split(",")[3], "5");
  assertEquals(lines.length, 3);
});

const SMALL: SweepOptions = {
  recipe: "talk",
  axes: { hidden: [5, 20], rate: [0.3] },
  out: "",
  png: true,
  dataDir: DEFAULT_DATA_DIR,
  limit: 1500,
};

Deno.test({
  name: "sweep() trains each run as train() does here, with the same result",
  sanitizeResources: false,
  async fn() {
    const options = SMALL;
    const lines: string[] = [];
    const results = await sweep(
      options,
      (l) => lines.push(l),
      new ProgressBar(1, Deno.stderr),
    );
    assertEquals(results.map((r) => [r.axis, r.value]), [
      ["rate", 0.3],
      ["hidden", 5],
      ["hidden", 20],
    ]);
    // The table: a line of settings, the header, one line per run in order.
    assertEquals(lines.length, 5);
    assert(lines[2].startsWith("rate    0.3"), lines[2]);
    assert(lines[4].startsWith("hidden  20"), lines[4]);
    loadBlas({ threads: 1 });
    const trainSet = await loadMnist("train", { limit: 1500 });
    const testSet = await loadMnist("test");
    const base = parseTrainArgs(["--recipe", "talk"], () => undefined)!.config;
    for (const r of results) {
      const config = { ...base, [r.axis]: r.value };
      const here = train(config, trainSet, testSet);
      assertEquals(
        r.accuracy,
        here.evaluation!.accuracy,
        `${r.axis} ${r.value}`,
      );
      assertEquals([r.epochs, r.hidden, r.rate], [
        config.epochs,
        config.hidden,
        config.rate,
      ]);
      assert(r.seconds > 0);
    }
  },
});

Deno.test({
  name:
    "runSweep() writes results.csv and one chart per axis, the points where the results say",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sweep-test-" });
    try {
      const out = join(dir, "out");
      await runSweep({ ...SMALL, out });
      const csv = (await Deno.readTextFile(join(out, "results.csv")))
        .trimEnd().split("\n");
      assertEquals(csv.length, 4);
      const rows = csv.slice(1).map((l) => l.split(","));
      assertEquals(rows.map((r) => r[0]), ["rate", "hidden", "hidden"]);
      assertEquals(
        [...await Array.fromAsync(Deno.readDir(out))].map((e) => e.name).sort(),
        ["hidden.png", "rate.png", "results.csv"],
      );
      const png = await readPng(join(out, "hidden.png"));
      assertEquals([png.w, png.h, png.ctype], [CHART_WIDTH, CHART_HEIGHT, 2]);
      // The two points of the hidden chart: the curve's colour, left and
      // right, the more accurate run higher up.
      const [r, g, b] = [16, 8, 0].map((s) => (COLOURS.right >> s) & 255);
      const marks: { x: number; y: number }[] = [];
      for (let y = 0; y < png.h; y++) {
        for (let x = 0; x < png.w; x++) {
          const i = 3 * (y * png.w + x);
          const hit = png.pixels[i] === r && png.pixels[i + 1] === g &&
            png.pixels[i + 2] === b;
          if (hit) marks.push({ x, y });
        }
      }
      assert(marks.length > 50, `${marks.length} pixels of the curve`);
      const leftmost = marks.reduce((a, m) => m.x < a.x ? m : a);
      const rightmost = marks.reduce((a, m) => m.x > a.x ? m : a);
      const [five, twenty] = rows.slice(1).map((row) => Number(row[5]));
      assertEquals(leftmost.y < rightmost.y, five > twenty);
      assert(rightmost.x - leftmost.x > CHART_WIDTH / 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("runSweep() refuses an output that is a file, before any training", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sweep-test-" });
  try {
    const file = join(dir, "f");
    await Deno.writeTextFile(file, "");
    await assertRejects(
      () => runSweep({ ...SMALL, out: file }),
      UserError,
      "is a file",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a chart names the axis, what was held, and marks each value swept", () => {
  const results: SweepResult[] = [0.01, 0.1, 0.9].map((rate, i) => ({
    axis: "rate",
    value: rate,
    epochs: 1,
    hidden: 200,
    rate,
    accuracy: 0.9 + i / 100,
    seconds: 1,
  }));
  const texts = chartScene("rate", results, "talk").labels.map((l) => l.text);
  assert(
    texts.includes("Test accuracy against the learning rate"),
    texts.join("|"),
  );
  assert(texts.includes(heldLine("rate", results, "talk")));
  assertEquals(
    heldLine("rate", results, "talk"),
    "talk recipe: 1 epoch, 200 hidden units (3 runs)",
  );
  for (const v of ["0.01", "0.1", "0.9", "learning rate"]) {
    assert(texts.includes(v), `no label '${v}'`);
  }
});

Deno.test({
  name: "sweep() trains a setting two axes share once, and reports it on both",
  sanitizeResources: false,
  async fn() {
    // The talk's recipe is rate 0.1 and one epoch: these two runs are it.
    const results = await sweep(
      { ...SMALL, axes: { rate: [0.1], epochs: [1] }, limit: 500 },
      () => {},
      new ProgressBar(1, Deno.stderr),
    );
    assertEquals(results.map((r) => r.axis), ["rate", "epochs"]);
    const [a, b] = results;
    assertEquals([a.epochs, a.hidden, a.rate], [b.epochs, b.hidden, b.rate]);
    // One training: the same accuracy, and the same seconds to the last bit.
    assertEquals([a.accuracy, a.seconds], [b.accuracy, b.seconds]);
  },
});

Deno.test("writeCharts() writes a chart per axis swept and removes an earlier sweep's others", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(join(dir, "epochs.png"), new Uint8Array([1]));
    await Deno.writeFile(join(dir, "other.png"), new Uint8Array([1]));
    const result = (value: number) => ({
      axis: "rate" as const,
      value,
      epochs: 1,
      hidden: 200,
      rate: value,
      accuracy: 0.9 + value / 10,
      seconds: 1,
    });
    const written = await writeCharts(dir, [result(0.1), result(0.3)], "talk");
    assertEquals(written, [join(dir, "rate.png")]);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["other.png", "rate.png"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
