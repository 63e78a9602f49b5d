/**
 * Learning from corrections: a handwriting the network misreads is learnt
 * from one drawing per digit, and MNIST is not forgotten; the window's side
 * (the path W writes to, the tuned network's weights taken in place).
 */
import { join } from "node:path";
import {
  adopt,
  FINE_TUNING,
  Learner,
  LiveLearning,
  minDue,
  modelLoss,
  modelNegativesShare,
  type Tuned,
  tunedModelPath,
} from "../lib/app/draw/learning.ts";
import { DEFAULT_DATA_DIR, loadMnist } from "../lib/data/mnist.ts";
import { evaluate } from "../lib/nn/evaluate.ts";
import { loadModel } from "../lib/nn/model_file.ts";
import { Network } from "../lib/nn/network.ts";
import { readDrawing, readerOf } from "../lib/read/read_number.ts";
import { Random } from "../lib/random.ts";
import { assert, assertEquals } from "./_assert.ts";
import { FIXTURE_MODEL } from "./_app.ts";
import { styleDrawing } from "./_own_style.ts";

Deno.test({
  name:
    "the learner learns a handwriting from one correction per digit and does not forget MNIST",
  sanitizeResources: false,
  async fn() {
    const model = await loadModel(FIXTURE_MODEL);
    const reader = readerOf(model);
    const testSet = await loadMnist("test", { limit: 3000 });
    const fresh = (seed: number) => {
      const rng = new Random(seed);
      return Array.from({ length: 60 }, (_, i) => ({
        digit: i % 10,
        canvas: styleDrawing(i % 10, rng),
      }));
    };
    const drawings = fresh(2);
    const right = (network: Network) =>
      drawings.filter(({ digit, canvas }) =>
        readDrawing({ ...reader, network }, canvas).number === String(digit)
      ).length;
    const before = right(reader.network);

    const tuned: Tuned[] = [];
    const learner = new Learner(reader.network, {
      dataDir: DEFAULT_DATA_DIR,
      negativesShare: modelNegativesShare(model.metadata),
      loss: modelLoss(model.metadata),
      onTuned: (t) => tuned.push(t),
      onError: (e) => {
        throw e;
      },
    });
    try {
      const rng = new Random(1);
      for (let digit = 0; digit < 10; digit++) {
        const r = readDrawing(reader, styleDrawing(digit, rng));
        assertEquals(r.digits.length, 1);
        learner.learn(r.digits[0].input.pixels, digit);
        assert(learner.busy);
      }
      await learner.idle();
    } finally {
      learner.close();
    }
    // Corrections made while a job ran went into the next one together.
    assert(tuned.length >= 1 && tuned.length < 10, `${tuned.length} jobs`);
    assertEquals(
      tuned.flatMap((t) => t.labels).sort(),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const network = tuned.at(-1)!.network;
    const after = right(network);
    assert(
      before < 0.6 * drawings.length && after >= 0.8 * drawings.length,
      `fresh drawings read right: ${before} before, ${after} after, of ${drawings.length}`,
    );
    const was = evaluate(reader.network, testSet).accuracy;
    const now = evaluate(network, testSet).accuracy;
    assert(now >= was - 0.01, `MNIST: ${now} after, ${was} before`);
    // The model's own network is left as it was.
    assertEquals(evaluate(reader.network, testSet).accuracy, was);
  },
});

Deno.test("the learner starts from the earlier own drawings", async () => {
  const model = await loadModel(FIXTURE_MODEL);
  const earlier = await loadMnist("test", { limit: 20 });
  const tuned: Tuned[] = [];
  const learner = new Learner(model.network, {
    dataDir: DEFAULT_DATA_DIR,
    earlier,
    onTuned: (t) => tuned.push(t),
    onError: (e) => {
      throw e;
    },
  });
  try {
    assertEquals(learner.drawings, 20);
    assert(!learner.busy);
    await learner.idle(); // nothing to wait for
    learner.learn(earlier.images.subarray(0, 784), earlier.labels[0]);
    assertEquals(learner.drawings, 21);
    await learner.idle();
    assertEquals(tuned.length, 1);
    assertEquals(tuned[0].labels, [earlier.labels[0]]);
  } finally {
    learner.close();
  }
});

Deno.test("a learner whose MNIST folder is missing reports it for each correction", async () => {
  const model = await loadModel(FIXTURE_MODEL);
  const errors: Error[] = [];
  const learner = new Learner(model.network, {
    dataDir: "/nonexistent/mnist",
    onTuned: () => {
      throw new Error("no job can train");
    },
    onError: (e) => errors.push(e),
  });
  try {
    learner.learn(new Uint8Array(784), 3);
    await learner.idle();
    assertEquals(errors.length, 1);
    assert(errors[0].message.includes("/nonexistent/mnist"), errors[0].message);
  } finally {
    learner.close();
  }
});

Deno.test("W writes next to the model, with -own, and never over it", () => {
  assertEquals(
    tunedModelPath("models/mnist-784-200-10.safetensors"),
    "models/mnist-784-200-10-own.safetensors",
  );
  assertEquals(tunedModelPath("/a/b-own.safetensors"), "/a/b-own.safetensors");
  assertEquals(tunedModelPath("/a/model.bin"), "/a/model.bin-own.safetensors");
});

Deno.test("LiveLearning writes nothing before it learnt something, then the tuned network", async () => {
  const dir = await Deno.makeTempDir({ prefix: "learning-test-" });
  try {
    const modelPath = join(dir, "m.safetensors");
    await Deno.copyFile(FIXTURE_MODEL, modelPath);
    const model = await loadModel(modelPath);
    const got: Tuned[] = [];
    using live = new LiveLearning(model, {
      modelPath,
      dataDir: DEFAULT_DATA_DIR,
    }, { tuned: (t) => got.push(t), failed: (why) => assert(false, why) });
    const nothing = await live.write();
    assert(!nothing.error && nothing.line.startsWith("nothing learnt"));
    await live.ready(join(dir, "own"));
    const digit = await loadMnist("test", { limit: 1 });
    live.learn(digit.images, digit.labels[0]);
    while (live.busy) {
      await new Promise((r) => setTimeout(r, 50));
      live.update();
    }
    assertEquals(got.length, 1);
    const written = await live.write();
    const path = join(dir, "m-own.safetensors");
    assertEquals(written.line, `wrote the tuned network to ${path}`);
    const saved = await loadModel(path);
    assertEquals(saved.network.params.w1, got[0].network.params.w1);
    assertEquals(saved.metadata.tuned_from, "m.safetensors");
    assertEquals(saved.metadata.tuned_drawings, "1");
    assertEquals(saved.metadata.refuse_below, model.metadata.refuse_below);
    // The model itself is untouched.
    assertEquals(
      (await loadModel(modelPath)).network.params.w1,
      model.network.params.w1,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("adopt() copies weights in place; minDue() takes the sooner time", () => {
  const a = Network.random(5, new Random(1)),
    b = Network.random(5, new Random(2));
  const w1 = a.params.w1;
  adopt(a, b);
  assert(a.params.w1 === w1);
  assertEquals(a.params.w1, b.params.w1);
  assertEquals(a.params.b2, b.params.b2);
  assertEquals(minDue(-1, 100), 100);
  assertEquals(minDue(40, 100), 40);
  assertEquals(minDue(300, -1), 300);
  assertEquals(minDue(-1, -1), -1);
});

Deno.test("the model's loss and share of examples that are no digit come from its metadata", () => {
  assertEquals(
    modelLoss({ loss: "squared error per output" }),
    "squared-error",
  );
  assertEquals(modelLoss({}), "cross-entropy");
  assertEquals(
    modelNegativesShare({ negatives: "none", negatives_share: "0" }),
    0,
  );
  assertEquals(
    modelNegativesShare({ negatives: "letters", negatives_share: "0.2" }),
    0.2,
  );
  assertEquals(modelNegativesShare({ negatives_share: "nonsense" }), 0);
  assert(FINE_TUNING.ownShare + 0.2 < 1);
});
