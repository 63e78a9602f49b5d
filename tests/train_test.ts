import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "./_assert.ts";
import { type Dataset, loadMnist, PIXELS } from "../lib/data/mnist.ts";
import {
  argmaxRow,
  Batch,
  gatherRows,
  gatherScaled,
  INPUTS,
  Network,
  scaleInputs,
  zeroParameters,
} from "../lib/nn/network.ts";
import { Random } from "../lib/random.ts";
import { inSharedMemory } from "../lib/bytes.ts";
import { encodeModel } from "../lib/nn/model_file.ts";
import { evaluate } from "../lib/nn/evaluate.ts";
import {
  checkConfig,
  DivergedError,
  extraRepeats,
  learningRate,
  startTrainingWorker,
  train,
  type TrainConfig,
} from "../lib/nn/train.ts";

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
  const epochs: number[] = [];
  const { network, history, evaluation } = train(
    { ...config, epochs: 3, rate: 0.3, hidden: 100 },
    trainSet,
    testSet,
    {
      onEpoch: (r) => epochs.push(r.epoch),
    },
  );
  assertEquals(epochs, [1, 2, 3]);
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

Deno.test("train() reports progress with a running loss", async () => {
  const data = await loadMnist("train", { limit: 320 });
  const seen: number[] = [];
  train({ ...config, epochs: 1 }, data, undefined, {
    progressEvery: 3,
    onProgress: (p) => {
      assert(p.loss > 0 && Number.isFinite(p.loss));
      seen.push(p.done);
    },
  });
  assertEquals(seen, [96, 192, 288, 320]);
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

Deno.test("checkConfig() names the bad setting", () => {
  assertThrows(
    () => checkConfig({ ...config, epochs: 0 }),
    RangeError,
    "epochs must be a positive integer, got 0",
  );
  assertThrows(
    () => checkConfig({ ...config, batch: 1.5 }),
    RangeError,
    "batch must be a positive integer",
  );
  assertThrows(
    () => checkConfig({ ...config, rate: -1 }),
    RangeError,
    "rate must be a positive number",
  );
  assertThrows(
    () => checkConfig({ ...config, momentum: 1 }),
    RangeError,
    "momentum must be in [0, 1)",
  );
  assertThrows(
    () => checkConfig({ ...config, seed: -2 }),
    RangeError,
    "seed must be an integer",
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
      network.backward(batch, labels, rows, velocity, c.momentum);
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
  const single = { split: false };
  assertEquals(
    encodeModel(train(config, data, undefined, single).network, {}),
    plain,
  );
  const none = train(
    { ...config, augment: "none", weightDecay: 0 },
    data,
    undefined,
    single,
  );
  assertEquals(encodeModel(none.network, {}), plain);
  // On two threads the sums run in another order: the same model to rounding.
  const split = train(config, data, undefined).network.params;
  const again = train(config, data, undefined).network.params;
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
  const augmented = train({ ...config, augment: "standard" }, data, undefined);
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
    augmented.history[1].rate,
    learningRate(config.rate, 37, 38, 19),
    1e-12,
    "the rate of the epoch's last step",
  );
});

Deno.test("train() distorts with weight decay on two threads as on one", async () => {
  const data = await loadMnist("train", { limit: 600 });
  const c: TrainConfig = { ...config, augment: "standard", weightDecay: 5e-3 };
  const one = train(c, data, undefined, { split: false }).network.params;
  const split = train(c, data, undefined).network.params;
  const again = train(c, data, undefined).network.params;
  const plain = train({ ...c, augment: "none" }, data, undefined, {
    split: false,
  }).network.params;
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
    extraShare: 0.05,
  };
  const probe = patternSet(5, 3);
  const readAs = (network: Network) => {
    const probs = network.predict(probe.images, probe.count);
    return Array.from({ length: probe.count }, (_, i) => argmaxRow(probs, i));
  };
  const without = readAs(train(cfg, data, undefined).network);
  const withIt = readAs(
    train(cfg, data, undefined, { extra: [pattern] }).network,
  );
  assert(!without.every((d) => d === 3), `without: read as ${without}`);
  assertEquals(withIt, [3, 3, 3, 3, 3], "with: read as 3");
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

Deno.test("extraRepeats() makes the extras the asked share, at least once each", () => {
  assertEquals(extraRepeats(60000, 0, 0.02), 0);
  assertEquals(extraRepeats(60000, 40, 0.02), 31); // 1240 of 61240 = 2.0%
  assertEquals(extraRepeats(100, 40, 0.02), 1);
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
    "weight decay must be in [0, 1)",
  );
});

Deno.test("gatherScaled() gives the rows that scaling all images and gatherRows() give", () => {
  const count = 7;
  const pixels = new Uint8Array(count * INPUTS);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + 11) % 256;
  pixels[5] = 255;
  const scaled = new Float32Array(pixels.length);
  scaleInputs(pixels, scaled);
  const order = Uint32Array.from([3, 0, 6, 6, 1]);
  const want = new Float32Array(4 * INPUTS);
  const got = new Float32Array(4 * INPUTS);
  gatherRows(scaled, order, 1, 4, want);
  gatherScaled(pixels, order, 1, 4, got);
  assertEquals(got, want);
  assertThrows(
    () => gatherScaled(pixels, Uint32Array.from([7]), 0, 1, got),
    RangeError,
    "image 7 of 7",
  );
});

Deno.test("train() on images in shared memory, read there without a copy, trains the same model", async () => {
  const data = await loadMnist("train", { limit: 600 });
  const shared = await loadMnist("train", { limit: 600, shared: true });
  assert(shared.images.buffer instanceof SharedArrayBuffer);
  assert(shared.images.byteOffset > 0, "a view past the file's header");
  for (const augment of ["none", "standard"] as const) {
    const c: TrainConfig = { ...config, augment, weightDecay: 5e-3 };
    const a = train(c, data, undefined).network.params;
    const b = train(c, shared, undefined).network.params;
    for (const k of ["w1", "b1", "w2", "b2"] as const) {
      assert(a[k].every((v, i) => v === b[k][i]), `${augment}: ${k}`);
    }
  }
});

Deno.test("inSharedMemory() keeps shared bytes and copies others there", () => {
  const own = Uint8Array.from([1, 2, 3]);
  const copy = inSharedMemory(own);
  assert(copy.buffer instanceof SharedArrayBuffer);
  assertEquals([...copy], [1, 2, 3]);
  const view = new Uint8Array(new SharedArrayBuffer(8), 2, 3);
  assert(inSharedMemory(view) === view, "no copy of shared bytes");
});

Deno.test("train() takes over a worker started early: trains with it, or ends it", async () => {
  const data = await loadMnist("train", { limit: 600 });
  const own = train(config, data, undefined).network.params;
  const early = train(config, data, undefined, {
    worker: startTrainingWorker(),
  }).network.params;
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    assert(own[k].every((v, i) => v === early[k][i]), k);
  }
  // On one thread, or with a bad configuration, the worker is terminated.
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
  train(config, data, undefined, { split: false, worker: one.w });
  assert(one.seen.ended, "ended when training runs on one thread");
  const bad = watched();
  assertThrows(
    () => train({ ...config, epochs: 0 }, data, undefined, { worker: bad.w }),
    RangeError,
  );
  assert(bad.seen.ended, "ended when the configuration is refused");
});
