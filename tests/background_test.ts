/**
 * Training in a worker: a job gives exactly what `train()` gives here, a
 * replay sample is drawn as `sampleOf()` draws it, and a failing job is
 * answered with its error while the next one still trains.
 */
import { loadMnist, PIXELS } from "../lib/data/mnist.ts";
import { UserError } from "../lib/errors.ts";
import { loadBlas } from "../lib/native/blas.ts";
import { Network } from "../lib/nn/network.ts";
import {
  BackgroundTrainer,
  flatCopy,
  hiddenOf,
  sampleOf,
} from "../lib/nn/parallel/background.ts";
import { train } from "../lib/nn/train.ts";
import type { TrainConfig } from "../lib/nn/train_options.ts";
import { Random } from "../lib/random.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

const CONFIG: TrainConfig = {
  epochs: 2,
  rate: 0.2,
  batch: 10,
  momentum: 0.9,
  hidden: 20,
  seed: 3,
  augment: "standard",
  weightDecay: 5e-4,
};

Deno.test("a background job trains exactly as train() does here, on one thread", async () => {
  loadBlas({ threads: 1 });
  const trainSet = await loadMnist("train", { limit: 2000 });
  const testSet = await loadMnist("test", { limit: 500 });
  const here = train(CONFIG, trainSet, testSet);
  const trainer = new BackgroundTrainer({ trainSet, testSet });
  try {
    const there = await trainer.train({ config: CONFIG });
    assertEquals(flatCopy(there.network), flatCopy(here.network));
    assertEquals(there.evaluation!.accuracy, here.evaluation!.accuracy);
    assert(there.seconds > 0);
    // From given weights, with extra data: the same again.
    const start = here.network;
    const extra = [{
      data: await loadMnist("test", { limit: 50 }),
      share: 0.2,
    }];
    const config = { ...CONFIG, epochs: 1, seed: 9 };
    const tuned = await trainer.train({ config, start, extra });
    const again = train(config, trainSet, testSet, { start, extra });
    assertEquals(flatCopy(tuned.network), flatCopy(again.network));
  } finally {
    trainer.close();
  }
});

Deno.test("a background job's replay is sampleOf() the training set, drawn from its seed", async () => {
  const trainSet = await loadMnist("train", { limit: 3000 });
  const trainer = new BackgroundTrainer({ trainSet });
  try {
    const config = { ...CONFIG, epochs: 1 };
    const there = await trainer.train({ config, sample: 400 });
    const sample = sampleOf(trainSet, 400, new Random(config.seed));
    const here = train(config, sample, undefined);
    assertEquals(flatCopy(there.network), flatCopy(here.network));
    assertEquals(there.evaluation, undefined);
  } finally {
    trainer.close();
  }
});

Deno.test("sampleOf() draws distinct images with their labels", async () => {
  const d = await loadMnist("train", { limit: 300 });
  const s = sampleOf(d, 100, new Random(5));
  assertEquals(s.count, 100);
  const seen = new Set<number>();
  for (let i = 0; i < s.count; i++) {
    const image = s.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    let found = -1;
    for (let k = 0; k < d.count && found < 0; k++) {
      const other = d.images.subarray(k * PIXELS, (k + 1) * PIXELS);
      if (other.every((v, j) => v === image[j]) && !seen.has(k)) found = k;
    }
    assert(found >= 0, `image ${i} is not one of the set's`);
    seen.add(found);
    assertEquals(s.labels[i], d.labels[found]);
  }
  // All of a set smaller than asked.
  assertEquals(sampleOf(d, 1000, new Random(5)).count, 300);
});

Deno.test("a failing background job rejects with its error, and the next one trains", async () => {
  const trainSet = await loadMnist("train", { limit: 500 });
  const trainer = new BackgroundTrainer({ trainSet });
  try {
    const diverging = { ...CONFIG, rate: 1e6, augment: "none" as const };
    await assertRejects(
      () => trainer.train({ config: diverging }),
      UserError,
      "diverged",
    );
    // A bug of ours keeps its stack: a start network of the wrong size.
    const small = Network.random(3, new Random(1));
    const e = await assertRejects(
      () => trainer.train({ config: CONFIG, start: small }),
      Error,
    );
    assert(e.message.includes("hidden units"), e.message);
    assert(e.message.includes("at "), "the worker's stack trace");
    const ok = await trainer.train({ config: { ...CONFIG, epochs: 1 } });
    assertEquals(ok.network.hidden, CONFIG.hidden);
  } finally {
    trainer.close();
  }
});

Deno.test("hiddenOf() undoes flatCopy()'s layout", () => {
  for (const hidden of [1, 7, 200]) {
    const n = Network.random(hidden, new Random(1));
    assertEquals(hiddenOf(flatCopy(n)), hidden);
  }
});
