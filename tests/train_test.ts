import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import {
  type Dataset,
  loadMnist,
  NOT_A_DIGIT,
  PIXELS,
} from "../lib/data/mnist.ts";
import {
  argmaxRow,
  Batch,
  gatherScaled,
  INPUTS,
  Network,
  scaleInputs,
  zeroParameters,
} from "../lib/nn/network.ts";
import { Random } from "../lib/random.ts";
import { loadBlas } from "../lib/native/blas.ts";
import { encodeModel } from "../lib/nn/model_file.ts";
import { evaluate } from "../lib/nn/evaluate.ts";
import {
  DivergedError,
  type EpochReport,
  extraRepeats,
  learningRate,
  type StepReport,
  train,
} from "../lib/nn/train.ts";
import {
  checkConfig,
  DEFAULTS,
  TRAIN_OPTIONS,
  type TrainConfig,
} from "../lib/nn/train_options.ts";
import { startTrainingWorker } from "../lib/nn/parallel/two_threads.ts";
import { STANDARD_AUGMENT } from "../lib/nn/augment.ts";

/** Two threads: the options that make `train()` start them. */
const twoThreads = () => ({ worker: startTrainingWorker() });

const config: TrainConfig = {
  epochs: 2,
  rate: 0.1,
  batch: 32,
  momentum: 0.9,
  hidden: 50,
  seed: 4,
};

Deno.test("train() reaches a sensible accuracy on a subset of MNIST", async () => {
  const trainSet = await loadMnist("train", { limit: 10000 });
  const testSet = await loadMnist("test", { limit: 2000 });
  const history: EpochReport[] = [];
  const { network, evaluation, epochs } = train(
    { ...config, epochs: 3, rate: 0.3, hidden: 100 },
    trainSet,
    testSet,
    { hooks: { afterEpoch: (r) => void history.push(r) } },
  );
  assertEquals(history.map((r) => r.epoch), [1, 2, 3]);
  assertEquals(epochs, 3);
  const fresh = evaluate(network, testSet);
  const { accuracy, confusion } = fresh;
  assert(
    accuracy > 0.9,
    `accuracy ${accuracy} > 0.9 after 3 epochs on 10000 images`,
  );
  assertEquals(history[2].accuracy, accuracy);
  assertEquals(
    evaluation,
    fresh,
    "the last epoch's evaluation",
  );
  assert(history[2].loss < history[0].loss, "the loss falls");
  assertEquals(confusion.reduce((a, b) => a + b, 0), 2000);
  let diagonal = 0;
  for (let i = 0; i < 10; i++) diagonal += confusion[i * 11];
  assertEquals(diagonal / 2000, accuracy);
});

Deno.test("train() is deterministic: the same seed gives the same model", async () => {
  const data = await loadMnist("train", { limit: 1000 });
  const first = train(config, data, undefined);
  assertEquals(first.evaluation, undefined, "no test set, no evaluation");
  const a = encodeModel(first.network, {});
  const b = encodeModel(train(config, data, undefined).network, {});
  const c = encodeModel(
    train({ ...config, seed: 5 }, data, undefined).network,
    {},
  );
  assertEquals(a, b);
  assert(a.some((v, i) => v !== c[i]), "another seed gives another model");
});

Deno.test("train() stops with DivergedError when the loss explodes", async () => {
  const data = await loadMnist("train", { limit: 500 });
  assertThrows(
    () => train({ ...config, rate: 1e37 }, data, undefined),
    DivergedError,
    "training diverged (loss ",
  );
});

Deno.test("train() calls its hooks after each step and each epoch", async () => {
  const data = await loadMnist("train", { limit: 300 });
  for (const threads of [undefined, twoThreads]) {
    const steps: StepReport[] = [];
    const epochs: [EpochReport, Float32Array][] = [];
    const result = train({ ...config, epochs: 2 }, data, undefined, {
      ...threads?.(),
      hooks: {
        afterStep: (s) => void steps.push(s),
        afterEpoch: (r, network) =>
          void epochs.push([r, network.params.w2.slice()]),
      },
    });
    const what = threads ? "two threads" : "one thread";
    // 300 images in batches of 32: 9 full ones and one of 12, twice.
    assertEquals(steps.length, 20, what);
    assertEquals(steps.map((s) => s.done).slice(0, 10), [
      32,
      64,
      96,
      128,
      160,
      192,
      224,
      256,
      288,
      300,
    ]);
    for (const [i, s] of steps.entries()) {
      assertEquals([s.epoch, s.step, s.steps, s.total], [
        Math.floor(i / 10) + 1,
        i % 10 + 1,
        10,
        300,
      ]);
      assert(s.loss > 0 && Number.isFinite(s.loss), what);
      assertAlmostEquals(s.rate, learningRate(config.rate, i, 20, 10), 1e-12);
      if (i > 0) assert(s.seconds >= steps[i - 1].seconds, "seconds grow");
    }
    const firstEpoch = steps.slice(0, 10).map((s) => s.loss);
    assertAlmostEquals(
      steps[9].meanLoss,
      firstEpoch.reduce((a, b) => a + b, 0) / 10,
      1e-9,
    );
    assertEquals(epochs.map(([r]) => r.epoch), [1, 2]);
    assertEquals(result.epochs, 2);
    assertAlmostEquals(epochs[0][0].loss, steps[9].meanLoss, 1e-9);
    // The network after the last epoch is the one returned.
    assertEquals(epochs[1][1], result.network.params.w2, what);
    assertEquals(result.stopped, false);
  }
});

Deno.test("train() stops when a hook says so, after that step or epoch", async () => {
  const data = await loadMnist("train", { limit: 300 });
  for (const threads of [undefined, twoThreads]) {
    const what = threads ? "two threads" : "one thread";
    const before = loadBlas().threads;
    let seen = 0;
    const mid = train({ ...config, epochs: 3 }, data, undefined, {
      ...threads?.(),
      hooks: { afterStep: () => ++seen === 14 ? "stop" : undefined },
    });
    assertEquals(seen, 14, `${what}: no step after the stop`);
    assertEquals(mid.stopped, true);
    assertEquals(mid.epochs, 1, `${what}: only whole epochs`);
    assertEquals(
      loadBlas().threads,
      before,
      `${what}: OpenBLAS's threads back`,
    );
    const start = Network.random(config.hidden, new Random(config.seed));
    assert(
      mid.network.params.w1.some((v, i) => v !== start.params.w1[i]),
      `${what}: the network as it was trained up to the stop`,
    );
    const epochs: number[] = [];
    const after = train({ ...config, epochs: 3 }, data, undefined, {
      ...threads?.(),
      hooks: {
        afterEpoch: (r) => {
          epochs.push(r.epoch);
          return r.epoch === 2 ? "stop" : undefined;
        },
      },
    });
    assertEquals(epochs, [1, 2], what);
    assertEquals([after.stopped, after.epochs], [true, 2], what);
  }
});

Deno.test("learningRate() warms up linearly, then decays along a cosine", () => {
  assertAlmostEquals(learningRate(0.2, 0, 100, 10), 0.02, 1e-12);
  assertAlmostEquals(
    learningRate(0.2, 4, 100, 10),
    0.2 * 0.5 * 0.5 * (1 + Math.cos(Math.PI * 0.04)),
    1e-12,
  );
  assert(
    learningRate(0.2, 9, 100, 10) > learningRate(0.2, 10, 100, 10),
    "decays after the warm-up",
  );
});

Deno.test("learningRate() decays from the peak to zero along a cosine", () => {
  assertEquals(learningRate(0.2, 0, 100), 0.2);
  assert(Math.abs(learningRate(0.2, 50, 100) - 0.1) < 1e-12);
  assert(learningRate(0.2, 100, 100) < 1e-12);
  assert(learningRate(0.2, 30, 100) > learningRate(0.2, 31, 100));
});

Deno.test("checkConfig() names the bad setting and its range, from the options' table", () => {
  const cases: [Partial<TrainConfig>, string][] = [
    [{ epochs: 0 }, "epochs must be a positive integer, got 0"],
    [{ batch: 1.5 }, "batch must be a positive integer, got 1.5"],
    [{ rate: -1 }, "rate must be a positive number, got -1"],
    [{ rate: NaN }, "rate must be a positive number, got NaN"],
    [{ momentum: 1 }, "momentum must be a number at least 0 and below 1"],
    [{ seed: -2 }, "seed must be an integer in 0..4294967295, got -2"],
    [{ hidden: 65537 }, "hidden must be an integer in 1..65536, got 65537"],
  ];
  for (const [bad, message] of cases) {
    assertThrows(() => checkConfig({ ...config, ...bad }), RangeError, message);
  }
  // A required setting left out is named too.
  const { epochs: _, ...noEpochs } = config;
  assertThrows(
    () => checkConfig(noEpochs as TrainConfig),
    RangeError,
    "epochs must be a positive integer, got undefined",
  );
  // The optional ones may be left out; the defaults pass.
  checkConfig(config);
  checkConfig(DEFAULTS);
});

Deno.test("DEFAULTS are the table's defaults of every training setting", () => {
  const fields = TRAIN_OPTIONS.filter((o) => o.field);
  assertEquals(
    Object.keys(DEFAULTS).sort(),
    fields.map((o) => o.field!).sort(),
  );
  for (const o of fields) assertEquals<unknown>(DEFAULTS[o.field!], o.default);
  assertEquals(
    [DEFAULTS.epochs, DEFAULTS.rate, DEFAULTS.batch, DEFAULTS.augment],
    [40, 0.2, 64, "standard"],
  );
});

/** `count` copies of a made-up pattern, two crossed diagonals in a box, jittered. */
function patternSet(count: number, label: number): Dataset {
  const images = new Uint8Array(count * PIXELS);
  const rng = new Random(9);
  for (let n = 0; n < count; n++) {
    const dx = Math.floor(rng.next() * 3) - 1,
      dy = Math.floor(rng.next() * 3) - 1;
    for (let y = 5; y < 23; y++) {
      for (let x = 5; x < 23; x++) {
        const edge = y < 7 || y > 20 || x < 7 || x > 20;
        const cross = Math.abs(x - y) < 2 || Math.abs(x + y - 27) < 2;
        if (edge || cross) images[n * PIXELS + (y + dy) * 28 + x + dx] = 255;
      }
    }
  }
  return {
    split: "train",
    count,
    images,
    labels: new Uint8Array(count).fill(label),
  };
}

/** The plain recipe as it was before distortions: SGD, momentum, warm-up and cosine. */
function plainRecipe(c: TrainConfig, data: Dataset): Network {
  const rng = new Random(c.seed);
  const network = Network.random(c.hidden, rng);
  const n = data.count, B = Math.min(c.batch, n);
  const batch = new Batch(B, c.hidden);
  const velocity = zeroParameters(c.hidden);
  const labels = new Uint8Array(B);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const batches = Math.ceil(n / B);
  for (let epoch = 0; epoch < c.epochs; epoch++) {
    rng.shuffle(order);
    for (let b = 0; b < batches; b++) {
      const rows = Math.min(B, n - b * B);
      gatherScaled(data.images, order, b * B, rows, batch.x);
      for (let r = 0; r < rows; r++) labels[r] = data.labels[order[b * B + r]];
      network.forward(batch, rows);
      network.backward(batch, labels, rows, velocity, { beta: c.momentum });
      const step = epoch * batches + b;
      network.step(
        velocity,
        -learningRate(c.rate, step, c.epochs * batches, batches),
      );
    }
  }
  return network;
}

Deno.test("train() with augment none is the plain recipe, bit for bit", async () => {
  const data = await loadMnist("train", { limit: 600 });
  const plain = encodeModel(plainRecipe(config, data), {});
  assertEquals(encodeModel(train(config, data, undefined).network, {}), plain);
  const none = train(
    { ...config, augment: "none", weightDecay: 0 },
    data,
    undefined,
  );
  assertEquals(encodeModel(none.network, {}), plain);
  // On two threads the sums run in another order: the same model to rounding.
  const split = train(config, data, undefined, twoThreads()).network.params;
  const again = train(config, data, undefined, twoThreads()).network.params;
  const reference = plainRecipe(config, data).params;
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    assert(
      split[k].every((v, i) => v === again[k][i]),
      `${k}: two threads, same seed, same bits`,
    );
    assert(
      split[k].every((v, i) => Math.abs(v - reference[k][i]) < 1e-4),
      `${k}: two threads train the plain recipe`,
    );
  }
  const rates: number[] = [];
  const augmented = train({ ...config, augment: "standard" }, data, undefined, {
    hooks: { afterEpoch: (r) => void rates.push(r.rate) },
  });
  const a = encodeModel(augmented.network, {});
  assert(a.some((v, i) => v !== plain[i]), "distortions change the model");
  assertEquals(
    a,
    encodeModel(
      train({ ...config, augment: "standard" }, data, undefined).network,
      {},
    ),
    "the same seed gives the same augmented model",
  );
  assertAlmostEquals(
    rates[1],
    learningRate(config.rate, 37, 38, 19),
    1e-12,
    "the rate of the epoch's last step",
  );
});

Deno.test("train() distorts with weight decay on two threads as on one", async () => {
  const data = await loadMnist("train", { limit: 600 });
  const c: TrainConfig = { ...config, augment: "standard", weightDecay: 5e-3 };
  const one = train(c, data, undefined).network.params;
  const split = train(c, data, undefined, twoThreads()).network.params;
  const again = train(c, data, undefined, twoThreads()).network.params;
  const plain = train({ ...c, augment: "none" }, data, undefined).network
    .params;
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    assert(
      split[k].every((v, i) => v === again[k][i]),
      `${k}: two threads, same seed, same bits`,
    );
    assert(
      split[k].every((v, i) => Math.abs(v - one[k][i]) < 1e-4),
      `${k}: two threads train what one does`,
    );
    // The distortions and the decay matter: far more than the rounding above.
    assert(
      split[k].some((v, i) => Math.abs(v - plain[k][i]) > 1e-2),
      `${k}: the distortions change the model`,
    );
  }
});

Deno.test("train() with extra data sets learns them", async () => {
  const data = await loadMnist("train", { limit: 3000 });
  const pattern = patternSet(30, 3);
  const cfg: TrainConfig = {
    ...config,
    epochs: 4,
    rate: 0.2,
    augment: "standard",
  };
  const probe = patternSet(5, 3);
  const readAs = (network: Network) => {
    const probs = network.predict(probe.images, probe.count);
    return Array.from({ length: probe.count }, (_, i) => argmaxRow(probs, i));
  };
  const without = readAs(train(cfg, data, undefined).network);
  const withIt = readAs(
    train(cfg, data, undefined, { extra: [{ data: pattern, share: 0.05 }] })
      .network,
  );
  assert(!without.every((d) => d === 3), `without: read as ${without}`);
  assertEquals(withIt, [3, 3, 3, 3, 3], "with: read as 3");
});

Deno.test("train() with examples that are no digit learns to give every output low", async () => {
  const data = await loadMnist("train", { limit: 3000 });
  const cfg: TrainConfig = { ...config, epochs: 4, rate: 0.2 };
  const pattern = patternSet(30, NOT_A_DIGIT);
  const probe = patternSet(5, NOT_A_DIGIT);
  const highest = (network: Network) =>
    Math.max(...network.outputs(probe.images, probe.count));
  const without = highest(train(cfg, data, undefined).network);
  const taught = train(cfg, data, undefined, {
    ...twoThreads(),
    extra: [{ data: pattern, share: 0.05 }],
  }).network;
  assert(without > 0.5, `without: some output reaches ${without}`);
  assert(highest(taught) < 0.1, `with: the highest is ${highest(taught)}`);
  // The digits are still read.
  const test = await loadMnist("test", { limit: 500 });
  assert(evaluate(taught, test).accuracy > 0.85);
});

Deno.test("train() weight decay shrinks the weights", async () => {
  const data = await loadMnist("train", { limit: 600 });
  const norm = (r: ReturnType<typeof train>) => {
    let s = 0;
    for (const v of r.network.params.w1) s += v * v;
    return s;
  };
  const plain = norm(train(config, data, undefined));
  const decayed = norm(
    train({ ...config, weightDecay: 0.05 }, data, undefined),
  );
  assert(decayed < 0.9 * plain, `|W1|^2 ${decayed} < 0.9 * ${plain}`);
});

Deno.test("extraRepeats() makes each extra set its share, at least once each", () => {
  assertEquals(extraRepeats(60000, []), []);
  assertEquals(extraRepeats(60000, [{ count: 0, share: 0.02 }]), [0]);
  // 1240 of 61240 = 2.0%
  assertEquals(extraRepeats(60000, [{ count: 40, share: 0.02 }]), [31]);
  assertEquals(extraRepeats(100, [{ count: 40, share: 0.02 }]), [1]);
  // Two: 60000 images are 88% of an epoch of 68182; 6000 make 9% of it once
  // each, and 40 make 3% of it 51 times.
  assertEquals(
    extraRepeats(60000, [{ count: 6000, share: 0.09 }, {
      count: 40,
      share: 0.03,
    }]),
    [1, 51],
  );
  assertThrows(
    () =>
      extraRepeats(10, [{ count: 1, share: 0.6 }, { count: 1, share: 0.4 }]),
    RangeError,
    "add up to below 1",
  );
});

Deno.test("checkConfig() rejects an unknown augmentation and bad decay", () => {
  assertThrows(
    () => checkConfig({ ...config, augment: "heavy" as "none" }),
    RangeError,
    "augment must be one of none, standard, got 'heavy'",
  );
  assertThrows(
    () => checkConfig({ ...config, weightDecay: -1 }),
    RangeError,
    "weightDecay must be a number at least 0 and below 1, got -1",
  );
  assertThrows(
    () =>
      checkConfig({
        ...config,
        augment: { ...STANDARD_AUGMENT, rotation: 200 },
      }),
    RangeError,
    "augment rotation must be in 0..180, got 200",
  );
});

Deno.test("gatherScaled() scales the rows it gathers as scaleInputs() does", () => {
  const count = 7;
  const pixels = new Uint8Array(count * INPUTS);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + 11) % 256;
  pixels[5] = 255;
  const scaled = new Float32Array(pixels.length);
  scaleInputs(pixels, scaled);
  const order = Uint32Array.from([3, 0, 6, 6, 1]);
  const got = new Float32Array(4 * INPUTS);
  gatherScaled(pixels, order, 1, 4, got);
  for (let r = 0; r < 4; r++) {
    const i = order[1 + r];
    assertEquals(
      got.subarray(r * INPUTS, (r + 1) * INPUTS),
      scaled.subarray(i * INPUTS, (i + 1) * INPUTS),
    );
  }
  assertThrows(
    () => gatherScaled(pixels, Uint32Array.from([7]), 0, 1, got),
    RangeError,
    "image 7 of 7",
  );
});

Deno.test("train() takes over a worker started early: trains with it, or ends it", async () => {
  const data = await loadMnist("train", { limit: 600 });
  const before = loadBlas().threads;
  const first = train(config, data, undefined, twoThreads()).network.params;
  // Started long before training, as the trainer does while reading data.
  const early = startTrainingWorker();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const second = train(config, data, undefined, { worker: early }).network
    .params;
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    assert(first[k].every((v, i) => v === second[k][i]), k);
  }
  assertEquals(loadBlas().threads, before, "OpenBLAS's threads back");
  // With a single hidden unit, or a bad configuration, it is terminated.
  const watched = () => {
    const w = startTrainingWorker();
    const terminate = w.terminate.bind(w);
    const seen = { ended: false };
    w.terminate = () => {
      seen.ended = true;
      terminate();
    };
    return { w, seen };
  };
  const one = watched();
  train({ ...config, hidden: 1 }, data, undefined, { worker: one.w });
  assert(one.seen.ended, "ended when one hidden unit cannot be split");
  const bad = watched();
  assertThrows(
    () => train({ ...config, epochs: 0 }, data, undefined, { worker: bad.w }),
    RangeError,
  );
  assert(bad.seen.ended, "ended when the configuration is refused");
});
