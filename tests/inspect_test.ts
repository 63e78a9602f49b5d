/**
 * `deno task inspect`: its state and views as functions, the --png files as
 * decoded by an independent reader, and the window as a person uses it, on a
 * private Xvfb with real input.
 */
import { FileFormatError } from "../lib/errors.ts";
import { readPng } from "./_png.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { writeDataDir } from "./_fixtures.ts";
import {
  bareEnv,
  FIXTURE_MODEL,
  rerunCommand,
  ROOT,
  taskArgs,
} from "./_app.ts";
import {
  changedPixels,
  cpuSeconds,
  delay,
  focus,
  mouseButton,
  mouseMove,
  pixel,
  pressKeys,
  requestClose,
  type Screenshot,
  screenshot,
  startXvfb,
  until,
  waitForWindow,
  windowName,
  type Xvfb,
} from "./_x11.ts";
import { UsageError } from "../lib/cli.ts";
import { CLASSES, loadMnist, SIDE } from "../lib/data/mnist.ts";
import {
  divergingColour,
  sequentialColour,
  symmetricScale,
} from "../lib/image/colour_map.ts";
import { backqueryAll } from "../lib/nn/backquery.ts";
import { encodeHistory } from "../lib/nn/history.ts";
import {
  DEFAULT_MODEL_PATH,
  loadModel,
  saveModel,
} from "../lib/nn/model_file.ts";
import { evaluate } from "../lib/nn/evaluate.ts";
import { Key, Mod } from "../lib/native/sdl2.ts";
import {
  applyClick,
  applyKey,
  HELP,
  parseInspectArgs,
} from "../lib/app/inspect/main.ts";
import {
  INSPECT_PERMISSIONS,
  PNG_FILES,
} from "../lib/app/inspect/png_files.ts";
import {
  inspect,
  type Inspection,
  refusalTraining,
  testResults,
  UiState,
  VIEWS,
  worstConfusion,
} from "../lib/app/inspect/state.ts";
import { refusalLines } from "../lib/app/inspect/curves_view.ts";
import { DEFAULT_THRESHOLD } from "../lib/read/read_digit.ts";
import { percent } from "../lib/ui/format.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import { hitTab, renderView } from "../lib/app/inspect/views.ts";
import {
  HEIGHT,
  MARGIN,
  TAB_HEIGHT,
  TAB_WIDTH,
  TOP,
  WIDTH,
} from "../lib/ui/wide_window.ts";
import { hitCell, MATRIX } from "../lib/app/inspect/test_view.ts";
import {
  DETAIL_ZOOM,
  detailTop,
  weightGrid,
} from "../lib/app/inspect/units_view.ts";
import { hitTile, tileAt } from "../lib/ui/unit_grid.ts";

const FIXTURE = FIXTURE_MODEL;

/** `deno run` and the permissions of the inspect task, as in deno.json. */
const TASK_ARGS: string[] = taskArgs("inspect");

/** Runs the inspect script as the task does, on display `x` (or none). */
function startInspect(x: Xvfb | null, args: string[]): Deno.ChildProcess {
  const env = { ...bareEnv(), ...x?.env };
  return new Deno.Command(Deno.execPath(), {
    args: [...TASK_ARGS, ...args],
    cwd: ROOT,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(child: Deno.ChildProcess, timeoutMs = 30_000) {
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** A folder for --png output inside the project, which is all the task may write. */
const projectTempDir = () =>
  Deno.makeTempDir({ dir: ROOT, prefix: ".inspect-test-" });

/** The inspection of the fixture model over a small fake test set. */
async function fixtureInspection(): Promise<Inspection> {
  const dir = await writeDataDir(1, 300);
  try {
    const data = await loadMnist("test", { dir });
    return inspect(await loadModel(FIXTURE), FIXTURE, data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ----------------------------------------------------------- command line

Deno.test("parseInspectArgs() reads the flags, with defaults", () => {
  const o = parseInspectArgs(["--model", "m.safetensors", "--png", "out"])!;
  assertEquals(o.modelPath, "m.safetensors");
  assertEquals(o.pngDir, "out");
  assertEquals(parseInspectArgs([])!.modelPath, DEFAULT_MODEL_PATH);
  assertEquals(parseInspectArgs([])!.pngDir, undefined);
  assertEquals(parseInspectArgs(["--help"]), null);
  assertThrows(
    () => parseInspectArgs(["--png", ""]),
    UsageError,
    "--png needs",
  );
  assertThrows(() => parseInspectArgs(["--bogus"]), UsageError, "bogus");
});

Deno.test("HELP names every view and every --png file kind", () => {
  for (
    const word of [
      "Hidden units",
      "Backquery",
      "Test set",
      "Training",
      "TAB",
      "ESC",
    ]
  ) {
    assert(HELP.includes(word), word);
  }
  for (
    const f of [
      "backquery-0.png",
      "hidden-units.png",
      "confusion.png",
      "curves.png",
    ]
  ) {
    assert(HELP.includes(f), f);
  }
});

// ------------------------------------------------------------------ state

Deno.test("testResults() agrees with evaluate() and sorts records into cells", async () => {
  const { network } = await loadModel(FIXTURE);
  const dir = await writeDataDir(1, 250);
  try {
    const data = await loadMnist("test", { dir });
    const t = testResults(network, data);
    const e = evaluate(network, data);
    assertEquals([...t.confusion], [...e.confusion]);
    assertEquals(t.accuracy, e.accuracy);
    let listed = 0;
    t.cells.forEach((records, cell) => {
      assertEquals(records.length, t.confusion[cell]);
      for (const r of records) {
        assertEquals(data.labels[r] * CLASSES + t.predicted[r], cell);
      }
      listed += records.length;
    });
    assertEquals(listed, data.count);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("inspect() computes backquery and the weight scale once, from the network's weights", async () => {
  const ins = await fixtureInspection();
  const { network } = await loadModel(FIXTURE);
  assertEquals(ins.hidden, 200);
  assertEquals(ins.layers.w1, network.params.w1);
  assertEquals(ins.backquery.length, 10);
  const again = backqueryAll(network.params);
  assertEquals([...ins.backquery[4].input], [...again[4].input]);
  // The 99th percentile of |w1|: 1 % of the weights lie beyond it.
  const beyond =
    network.params.w1.filter((w) => Math.abs(w) > ins.weightScale).length;
  assert(
    Math.abs(beyond / network.params.w1.length - 0.01) < 0.001,
    `${beyond}`,
  );
  // The fixture keeps the history of its 20 epochs, and how it learnt to
  // refuse.
  assertEquals(ins.history.epochs?.length, 20);
  assertEquals(ins.history.refusal, {
    kinds: ["letters", "scribbles", "doodles", "pieces", "pairs"],
    share: 0.15,
    holdout: 5000,
    threshold: 0.193,
    stored: true,
  });
});

Deno.test("refusalTraining() reads how a model learnt to refuse, and nothing from a model that does not say", async () => {
  const { metadata } = await loadModel(FIXTURE);
  const {
    negatives: _n,
    negatives_share: _s,
    holdout: _h,
    refuse_below: _r,
    ...older
  } = metadata;
  assertEquals(refusalTraining(older), undefined);
  // Trained on digits alone, with a fixed threshold.
  assertEquals(
    refusalTraining({
      ...older,
      negatives: "none",
      negatives_share: "0",
      holdout: "0",
      refuse_below: "0.3",
    }),
    { kinds: [], share: 0, holdout: 0, threshold: 0.3, stored: true },
  );
  // A threshold that is missing or out of range: the default, not stored.
  for (const bad of [{}, { refuse_below: "2" }] as Record<string, string>[]) {
    const r = refusalTraining({ ...older, holdout: "100", ...bad });
    assertEquals(r?.threshold, DEFAULT_THRESHOLD);
    assertEquals(r?.stored, false);
  }
});

Deno.test("refusalLines() say what the model learnt from and where its threshold comes from", () => {
  const taught = {
    kinds: ["letters", "doodles"],
    share: 0.15,
    holdout: 5000,
    threshold: 0.193,
    stored: true,
  };
  assertEquals(refusalLines(taught), [
    `Not a digit: ${
      percent(0.15, 0)
    } of each epoch were examples that are no digit: letters, doodles`,
    "Threshold 0.193, calibrated on 5000 training images held out: an answer counts when an output reaches it",
  ]);
  assertEquals(
    refusalLines({
      ...taught,
      kinds: [],
      share: 0,
      holdout: 0,
      threshold: 0.3,
    }),
    [
      "Not a digit: trained on digits alone, with no examples that are no digit",
      "Threshold 0.3, fixed: no training images were held out to calibrate it",
    ],
  );
  assertEquals(
    refusalLines({ ...taught, threshold: 0.3, stored: false })[1],
    "Threshold 0.3, the default: the model stores none",
  );
});

Deno.test("renderView() of the training view writes how the model learnt to refuse, only when it says", async () => {
  const ins = await fixtureInspection();
  const ui = new UiState(ins);
  ui.showView(VIEWS.indexOf("curves"));
  const lines = refusalLines(ins.history.refusal!);
  const texts = (i: Inspection) => renderView(i, ui).labels.map((l) => l.text);
  for (const line of lines) assert(texts(ins).includes(line), line);
  const older = { ...ins, history: { ...ins.history, refusal: undefined } };
  const olderTexts = texts(older);
  for (const line of lines) assert(!olderTexts.includes(line), line);
  // Everything else is as it was, the plots moved down to make room.
  assertEquals(
    olderTexts,
    texts(ins).filter((t) => !lines.includes(t)),
  );
  const title = (i: Inspection) =>
    renderView(i, ui).labels.find((l) => l.text.startsWith("Training loss"))!
      .y;
  assert(title(ins) > title(older), `${title(ins)} <= ${title(older)}`);
  // A model without a history says so, and how it learnt to refuse.
  const noHistory = { ...ins, history: { ...ins.history, epochs: undefined } };
  const bare = texts(noHistory);
  assert(bare.includes("This model has no training history"));
  for (const line of lines) assert(bare.includes(line), line);
});

Deno.test("inspect() rejects a malformed history in one line naming the model", async () => {
  const model = await loadModel(FIXTURE);
  model.metadata = { ...model.metadata, history: "[1," };
  const dir = await writeDataDir(1, 10);
  try {
    const data = await loadMnist("test", { dir });
    assertThrows(
      () => inspect(model, "bad.safetensors", data),
      FileFormatError,
      "model 'bad.safetensors'",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("worstConfusion() picks the largest cell off the diagonal", () => {
  const c = new Uint32Array(100);
  c[0] = 900;
  c[4 * 10 + 9] = 12;
  c[7 * 10 + 2] = 5;
  assertEquals(worstConfusion(c), 49);
});

Deno.test("symmetricScale() is the nearest-rank quantile of |v|", () => {
  const v = Float32Array.from(
    { length: 100 },
    (_, i) => (i % 2 ? -1 : 1) * (i + 1),
  );
  assertEquals(symmetricScale(v, 0.99), 99);
  assertEquals(symmetricScale(v, 1), 100);
  assertEquals(symmetricScale(new Float32Array(0)), 0);
  assertThrows(() => symmetricScale(v, 2), RangeError, "quantile");
});

Deno.test("divergingColour() is light at zero, blue below, red above, saturated at the scale", () => {
  const channels = (c: number) => [c >> 16 & 255, c >> 8 & 255, c & 255];
  const [r0, g0, b0] = channels(divergingColour(0, 1));
  assert(r0 > 240 && g0 > 240 && b0 > 240, `zero is ${r0},${g0},${b0}`);
  const [rn, , bn] = channels(divergingColour(-0.5, 1));
  const [rp, , bp] = channels(divergingColour(0.5, 1));
  assert(bn > rn && rp > bp);
  assertEquals(divergingColour(5, 1), divergingColour(1, 1));
  assertEquals(divergingColour(-5, 1), divergingColour(-1, 1));
  assert(sequentialColour(0) !== sequentialColour(1));
});

// ------------------------------------------------------------ keys, clicks

Deno.test("applyKey() steps through the views with TAB, SHIFT+TAB and 1-4", async () => {
  const ins = await fixtureInspection();
  const ui = new UiState(ins);
  assertEquals(ui.viewName, "units");
  assertEquals(applyKey(ui, 200, 9), true);
  assertEquals(ui.viewName, "backquery");
  applyKey(ui, 200, 9, Mod.SHIFT);
  applyKey(ui, 200, 9, Mod.SHIFT);
  assertEquals(ui.viewName, "curves");
  applyKey(ui, 200, Key.DIGIT_0 + 3);
  assertEquals(ui.viewName, "test");
  assertEquals(applyKey(ui, 200, Key.DIGIT_0 + 3), false);
  assertEquals(applyKey(ui, 200, Key.ESCAPE), "quit");
});

Deno.test("applyClick() chooses the tab, unit and cell under the pointer", async () => {
  const ins = await fixtureInspection();
  const ui = new UiState(ins);
  const g = weightGrid(200);
  assertEquals([g.columns, g.tile], [20, 2 * SIDE]);
  // The middle of unit 57's tile (row 2, column 17).
  const cx = g.x + 17 * g.pitch + g.pitch / 2,
    cy = g.y + 2 * g.pitch + g.pitch / 2;
  assertEquals(hitTile(g, cx, cy), 57);
  assertEquals(hitTile(g, g.x + g.pitch - 1, cy), -1); // the gap
  assertEquals(applyClick(ui, 200, cx, cy), true);
  assertEquals(ui.unit, 57);
  assertEquals(hitTab(2 * TAB_WIDTH + 5, TAB_HEIGHT / 2), 2);
  assertEquals(applyClick(ui, 200, 2 * TAB_WIDTH + 5, 10), true);
  assertEquals(ui.viewName, "test");
  const cell = hitCell(
    MATRIX.x + 9 * MATRIX.cell + 3,
    MATRIX.y + 4 * MATRIX.cell + 3,
  );
  assertEquals(cell, 49);
  applyClick(
    ui,
    200,
    MATRIX.x + 2 * MATRIX.cell + 3,
    MATRIX.y + 7 * MATRIX.cell + 3,
  );
  assertEquals(ui.cell, 72);
});

Deno.test("renderView() draws each hidden unit's weights in the diverging map", async () => {
  const ins = await fixtureInspection();
  const ui = new UiState(ins);
  const { raster } = renderView(ins, ui);
  assertEquals([raster.width, raster.height], [WIDTH, HEIGHT]);
  const g = weightGrid(ins.hidden);
  const zoom = g.tile / SIDE;
  for (const [u, row, col] of [[0, 14, 14], [57, 3, 20], [199, 27, 0]]) {
    const x = tileAt(g, u).x + col * zoom;
    const y = tileAt(g, u).y + row * zoom;
    const i = (y * WIDTH + x) * 3;
    const got = raster.rgb[i] << 16 | raster.rgb[i + 1] << 8 |
      raster.rgb[i + 2];
    assertEquals(
      got,
      divergingColour(
        ins.layers.w1[u * 784 + row * SIDE + col],
        ins.weightScale,
      ),
    );
  }
});

// --------------------------------------------------------------- --png

Deno.test("mnist_inspect.ts --png writes every view, backquery as 28x28 8-bit grey", async () => {
  const data = await writeDataDir(1, 200);
  const out = await projectTempDir();
  try {
    const r = await finish(
      startInspect(null, ["--model", FIXTURE, "--data", data, "--png", out]),
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stderr, "");
    assert(r.stdout.includes("Wrote 13 pictures"), r.stdout);
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assertEquals(names, [...PNG_FILES].sort());

    const { network } = await loadModel(FIXTURE);
    const bq = backqueryAll(network.params);
    for (const d of [0, 3, 9]) {
      const png = await readPng(`${out}/backquery-${d}.png`);
      assertEquals([png.w, png.h, png.depth, png.ctype], [28, 28, 8, 0]);
      const want = [...bq[d].input].map((x) =>
        Math.round(255 * (x - 0.01) / 0.98)
      );
      assertEquals(png.pixels, want);
      // Ink somewhere and blank somewhere: the full range is used.
      assertEquals(Math.min(...png.pixels), 0);
      assertEquals(Math.max(...png.pixels), 255);
    }
    for (const name of ["hidden-units.png", "confusion.png", "curves.png"]) {
      const png = await readPng(`${out}/${name}`);
      assertEquals(
        [png.w, png.h, png.depth, png.ctype],
        [WIDTH, HEIGHT, 8, 2],
        name,
      );
    }
  } finally {
    await Deno.remove(data, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("mnist_inspect.ts --png says in one line what is in the way, before computing anything", async () => {
  const data = await writeDataDir(1, 50);
  const out = await projectTempDir();
  try {
    // The model is no model: had it been loaded first, its error would show.
    const notModel = `${out}/not-a-model.safetensors`;
    await Deno.writeTextFile(notModel, "no");
    const file = `${out}/file`;
    await Deno.writeTextFile(file, "");
    await Deno.mkdir(`${out}/taken/hidden-units.png`, { recursive: true });
    await Deno.mkdir(`${out}/taken0/backquery-0.png`, { recursive: true });
    const cases: [string, string][] = [
      [
        file,
        `cannot write the pictures into '${file}': it is a file, not a folder`,
      ],
      [
        `${file}/sub/dir`,
        `cannot write the pictures into '${file}/sub/dir': '${file}' is a file, not a folder`,
      ],
      [
        `${out}/taken`,
        `cannot write '${out}/taken/hidden-units.png': it is a folder; remove it or give --png another folder`,
      ],
      [
        `${out}/taken0`,
        `cannot write '${out}/taken0/backquery-0.png': it is a folder; remove it or give --png another folder`,
      ],
    ];
    for (const [dir, message] of cases) {
      const r = await finish(
        startInspect(null, ["--model", notModel, "--data", data, "--png", dir]),
      );
      assertEquals(r.code, 1, r.stderr);
      assertEquals(r.stderr.trim(), `inspect: ${message}`);
    }
    // Nothing was written into the folders in the way.
    assertEquals([...Deno.readDirSync(`${out}/taken`)].length, 1);
  } finally {
    await Deno.remove(data, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("INSPECT_PERMISSIONS are the inspect task's, less its write access", () => {
  const permissions = TASK_ARGS.filter((a) => a.startsWith("--allow"));
  assertEquals(
    [...INSPECT_PERMISSIONS],
    permissions.filter((p) => !p.startsWith("--allow-write")),
  );
});

Deno.test("mnist_inspect.ts --png outside the project gives the command that may write there, and it does", async () => {
  const data = await writeDataDir(1, 50);
  const outside = await Deno.makeTempDir({ prefix: "inspect-outside-" });
  const inside = await projectTempDir();
  try {
    const dir = `${outside}/pictures`;
    // A model that does not load: the folder is checked before it.
    const args = ["--model", `${inside}/none.safetensors`, "--png", dir];
    const r = await finish(startInspect(null, ["--data", data, ...args]));
    assertEquals(r.code, 1, r.stderr);
    const command = rerunCommand("inspect", dir, r.stderr);
    assertEquals(
      command,
      [
        "deno run --allow-read",
        `--allow-write=${dir}`,
        ...INSPECT_PERMISSIONS.slice(1),
        "scripts/mnist_inspect.ts --data",
        data,
        ...args,
      ].join(" "),
    );

    // The command, with a model that loads, writes the pictures there.
    const words = command.replace(`${inside}/none.safetensors`, FIXTURE)
      .split(" ");
    const run = new Deno.Command(Deno.execPath(), {
      args: words.slice(1),
      cwd: ROOT,
      env: bareEnv(),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    });
    const ran = await finish(run.spawn());
    assertEquals(ran.code, 0, ran.stderr);
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      [...PNG_FILES].sort(),
    );
  } finally {
    await Deno.remove(data, { recursive: true });
    await Deno.remove(outside, { recursive: true });
    await Deno.remove(inside, { recursive: true });
  }
});

Deno.test("mnist_inspect.ts --png draws the curves of a model with a history, and how it learnt to refuse", async () => {
  const data = await writeDataDir(1, 50);
  const out = await projectTempDir();
  try {
    const { network, metadata } = await loadModel(FIXTURE);
    const history = Array.from({ length: 5 }, (_, i) => ({
      epoch: i + 1,
      loss: 0.5 / (i + 1),
      accuracy: 0.9 + i * 0.01,
      seconds: 1,
      rate: 0.2 * (1 - i / 5),
    }));
    const model = `${out}/with-history.safetensors`;
    await saveModel(model, network, { ...metadata, ...encodeHistory(history) });
    const { history: _, ...rest } = metadata;
    const bare = `${out}/without-history.safetensors`;
    await saveModel(bare, network, rest);
    const {
      negatives: _n,
      negatives_share: _s,
      holdout: _h,
      refuse_below: _r,
      ...older
    } = metadata;
    const unsaid = `${out}/without-refusal.safetensors`;
    await saveModel(unsaid, network, { ...older, ...encodeHistory(history) });
    const run = async (m: string, dir: string) => {
      const r = await finish(
        startInspect(null, ["--model", m, "--data", data, "--png", dir]),
      );
      assertEquals(r.code, 0, r.stderr);
      return (await readPng(`${dir}/curves.png`)).pixels as number[];
    };
    const withHistory = await run(model, `${out}/a`);
    const without = await run(bare, `${out}/b`);
    // The loss curve's colour (the accent blue, 0x1565c0, which also marks
    // the active tab) appears under the tab bar only with a history.
    const count = (px: number[]) => {
      let n = 0;
      for (let i = TAB_HEIGHT * WIDTH * 3; i < px.length; i += 3) {
        if (px[i] === 0x15 && px[i + 1] === 0x65 && px[i + 2] === 0xc0) n++;
      }
      return n;
    };
    assert(count(withHistory) > 200, `${count(withHistory)} curve pixels`);
    assert(
      count(without) < 50,
      `${count(without)} curve pixels without a history`,
    );
    // The two lines on refusing, in text colour under the summary, only for
    // a model that says how it learnt to refuse.
    // Text is written in the text colour, anti-aliased over the panel: its
    // pixels are those much darker than the panel.
    const textIn = (px: number[], y0: number, y1: number) => {
      let n = 0;
      for (let i = y0 * WIDTH * 3; i < y1 * WIDTH * 3; i += 3) {
        if (px[i] + px[i + 1] + px[i + 2] < 3 * 0x90) n++;
      }
      return n;
    };
    assert(COLOURS.text < 0x909090 && COLOURS.panel > 0xc0c0c0);
    // The first line, above the plots' titles.
    const band = [TOP + 64, TOP + 84] as const;
    const withoutRefusal = await run(unsaid, `${out}/c`);
    assert(
      textIn(withHistory, ...band) > 300,
      `${textIn(withHistory, ...band)}`,
    );
    assertEquals(textIn(withoutRefusal, ...band), 0);
    assert(textIn(without, TOP + 110, TOP + 150) > 300, "without a history");
  } finally {
    await Deno.remove(data, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("mnist_inspect.ts reports a bad model or bad history in one line, exit code 1", async () => {
  const data = await writeDataDir(1, 20);
  const out = await projectTempDir();
  try {
    const truncated = `${out}/truncated.safetensors`;
    await Deno.writeFile(
      truncated,
      (await Deno.readFile(FIXTURE)).subarray(0, 1000),
    );
    const { network, metadata } = await loadModel(FIXTURE);
    const badHistory = `${out}/bad-history.safetensors`;
    await saveModel(badHistory, network, {
      ...metadata,
      history: '{"rows":1}',
    });
    const cases: [string[], string][] = [
      [["--model", truncated], `Cannot load model '${truncated}'`],
      [["--model", `${out}/none.safetensors`], "no such file"],
      [["--model", badHistory], `training history of model '${badHistory}'`],
      [["--nonsense"], "see --help"],
    ];
    for (const [args, fragment] of cases) {
      for (const png of [true, false]) {
        // Without --png and without a display: the model's error comes first.
        const extra = png && !args.includes("--png")
          ? ["--png", `${out}/p`]
          : [];
        const r = await finish(
          startInspect(null, ["--data", data, ...args, ...extra]),
        );
        assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        const lines = r.stderr.trim().split("\n");
        assertEquals(lines.length, 1, r.stderr);
        assert(lines[0].startsWith("inspect: "), lines[0]);
        assert(lines[0].includes(fragment), `${lines[0]} lacks ${fragment}`);
      }
    }
  } finally {
    await Deno.remove(data, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

// ----------------------------------------------------------------- window

const rgbOf = (s: Screenshot, x: number, y: number) => {
  const [r, g, b] = pixel(s, x, y);
  return r << 16 | g << 8 | b;
};

Deno.test({
  name:
    "mnist_inspect.ts switches views with TAB and clicks, enlarges a unit and idles",
  async fn() {
    const data = await writeDataDir(1, 200);
    await using x = await startXvfb({ width: 1280, height: 900 });
    const ins = await (async () => {
      const d = await loadMnist("test", { dir: data });
      return inspect(await loadModel(FIXTURE), FIXTURE, d);
    })();
    const child = startInspect(x, ["--model", FIXTURE, "--data", data]);
    try {
      const id = await waitForWindow(x, child.pid, 30_000);
      await focus(x, id);
      const title = (t: string) =>
        until(
          () => `window title '${t}'`,
          async () => (await windowName(x, id)) === t,
        );
      await title("inspect · Hidden units");
      const g = weightGrid(ins.hidden);
      const zoom = g.tile / SIDE;
      // The grid shows unit 0's weights in the diverging map.
      let first = await screenshot(x, id);
      await until(() => "unit 0 drawn", async () => {
        first = await screenshot(x, id);
        return rgbOf(first, g.x + 14 * zoom, g.y + 14 * zoom) ===
          divergingColour(ins.layers.w1[14 * SIDE + 14], ins.weightScale);
      });

      // TAB: the backquery view, on screen.
      await pressKeys(x, "Tab");
      await title("inspect · Backquery");
      const second = await screenshot(x, id);
      assert(changedPixels(first, second) > 50_000, "TAB changed too little");
      await pressKeys(x, "Tab");
      await title(
        `inspect · Test set · ${
          Math.floor(worstConfusion(ins.test.confusion) / 10)
        } read as ${worstConfusion(ins.test.confusion) % 10}`,
      );
      await pressKeys(x, "shift+Tab", "shift+Tab");
      await title("inspect · Hidden units");

      // A click on unit 57 enlarges it: the detail strip shows its weights, 5x.
      const u = 57;
      await mouseMove(x, id, tileAt(g, u).x + 20, tileAt(g, u).y + 20);
      await mouseButton(x, "down");
      await mouseButton(x, "up");
      await title(`inspect · Hidden units · unit ${u}`);
      const shot = await screenshot(x, id);
      const top = detailTop(g), z = DETAIL_ZOOM;
      let bad = 0;
      for (let row = 0; row < SIDE; row += 3) {
        for (let col = 0; col < SIDE; col += 3) {
          const want = divergingColour(
            ins.layers.w1[u * 784 + row * SIDE + col],
            ins.weightScale,
          );
          if (rgbOf(shot, MARGIN + col * z + 2, top + row * z + 2) !== want) {
            bad++;
          }
        }
      }
      assertEquals(
        bad,
        0,
        "the enlarged unit's pixels differ from its weights",
      );

      // A click on the "4 Training" tab.
      await mouseMove(x, id, 3 * TAB_WIDTH + 40, 20);
      await mouseButton(x, "down");
      await mouseButton(x, "up");
      await title("inspect · Training");

      // Waiting for events sleeps: 2 s idle use almost no CPU.
      await delay(300);
      const before = await cpuSeconds(child.pid);
      await delay(2000);
      const used = (await cpuSeconds(child.pid)) - before;
      assert(used <= 0.06, `the idle window used ${used} s of CPU in 2 s`);

      await pressKeys(x, "Escape");
      const r = await finish(child);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stderr, "");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
      await child.status;
      await Deno.remove(data, { recursive: true });
    }
  },
});

Deno.test("mnist_inspect.ts exits with code 0 on ESC and on closing the window", async () => {
  const data = await writeDataDir(1, 20);
  await using x = await startXvfb({ width: 1280, height: 900 });
  try {
    for (const byClose of [false, true]) {
      const child = startInspect(x, ["--model", FIXTURE, "--data", data]);
      const id = await waitForWindow(x, child.pid, 30_000);
      await focus(x, id);
      await pressKeys(x, "2");
      await until(
        () => "the backquery view",
        async () => (await windowName(x, id)) === "inspect · Backquery",
      );
      if (byClose) requestClose(x, id);
      else await pressKeys(x, "Escape");
      const r = await finish(child);
      assertEquals(r.code, 0, `${byClose ? "close" : "ESC"}: ${r.stderr}`);
      assertEquals(r.stderr, "");
    }
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
