/**
 * The talk's recipe: one step of it against an independent float64 NumPy
 * computation, and the recipe's options.
 */
import { assert, assertEquals } from "./_assert.ts";
import type { Dataset } from "../lib/data/mnist.ts";
import { Network } from "../lib/nn/network.ts";
import { Random } from "../lib/random.ts";
import { train } from "../lib/nn/train.ts";
import {
  RECIPES,
  TRAIN_OPTIONS,
  type TrainConfig,
} from "../lib/nn/train_options.ts";
import { parseTrainArgs } from "../lib/app/train_app.ts";
import { fakeImages } from "./_fixtures.ts";

/** The talk's step in NumPy, float64, written from the book's equations. */
const NUMPY_STEP = `
import json, sys
import numpy as np
d = json.load(sys.stdin)
H = d["hidden"]
W1 = np.array(d["w1"], dtype=np.float64).reshape(H, 784)
b1 = np.array(d["b1"], dtype=np.float64)
W2 = np.array(d["w2"], dtype=np.float64).reshape(10, H)
b2 = np.array(d["b2"], dtype=np.float64)
x = np.array(d["image"], dtype=np.float64) / 255 * 0.99 + 0.01
t = np.full(10, 0.01); t[d["label"]] = 0.99
s = lambda z: 1 / (1 + np.exp(-z))
h = s(W1 @ x + b1)
o = s(W2 @ h + b2)
e2 = (o - t) * o * (1 - o)          # d(error)/d(z2), error = sum((t - o)^2) / 2
e1 = (W2.T @ e2) * h * (1 - h)     # d(error)/d(z1)
r = d["rate"]
W2 -= r * np.outer(e2, h); b2 -= r * e2
W1 -= r * np.outer(e1, x); b1 -= r * e1
json.dump({"w1": W1.ravel().tolist(), "b1": b1.tolist(),
           "w2": W2.ravel().tolist(), "b2": b2.tolist()}, sys.stdout)
`;

Deno.test("train() with the talk's recipe takes the book's SGD step on squared error, as NumPy does", async () => {
  const hidden = 12;
  const start = Network.random(hidden, new Random(3));
  const image = fakeImages(1, 5);
  const one: Dataset = {
    split: "train",
    count: 1,
    images: image,
    labels: Uint8Array.of(3),
  };
  const talk = parseTrainArgs(["--recipe", "talk"], () => undefined)!.config;
  const config: TrainConfig = { ...talk, hidden };
  const ours = train(config, one, undefined, { start }).network.params;
  const out = await new Deno.Command("python3", {
    args: ["-c", NUMPY_STEP],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(JSON.stringify({
      hidden,
      w1: [...start.params.w1],
      b1: [...start.params.b1],
      w2: [...start.params.w2],
      b2: [...start.params.b2],
      image: [...image],
      label: 3,
      rate: config.rate,
    })),
  );
  await writer.close();
  const result = await out.output();
  assert(result.success, "python3 with NumPy ran");
  const want = JSON.parse(new TextDecoder().decode(result.stdout));
  let changed = 0;
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    ours[k].forEach((v, i) => {
      const err = Math.abs(v - want[k][i]);
      assert(
        err < 1e-6 + 1e-5 * Math.abs(want[k][i]),
        `${k}[${i}]: ${v} vs ${want[k][i]}`,
      );
      if (v !== start.params[k][i]) changed++;
    });
  }
  assert(changed > 100, "the step changed the weights");
});

Deno.test("the talk's recipe sets its options' defaults; flags still win", () => {
  const parse = (args: string[]) => parseTrainArgs(args, () => undefined)!;
  const talk = parse(["--recipe", "talk"]);
  assertEquals(talk.recipe, "talk");
  assertEquals(
    [
      talk.config.epochs,
      talk.config.batch,
      talk.config.rate,
      talk.config.momentum,
      talk.config.augment,
      talk.config.weightDecay,
      talk.config.loss,
      talk.config.schedule,
      talk.negatives,
      talk.holdout,
    ],
    [1, 1, 0.1, 0, "none", 0, "squared-error", "constant", "none", 0],
  );
  assertEquals(parse(["--recipe", "talk", "--rate", "0.3"]).config.rate, 0.3);
  const standard = parse([]);
  assertEquals(standard.recipe, "default");
  assertEquals(standard.config.loss, "cross-entropy");
  assertEquals(standard.config.batch, 64);
  // Every recipe names options of the table, with values the table allows.
  for (const [name, defaults] of Object.entries(RECIPES)) {
    for (const flag of Object.keys(defaults)) {
      assert(TRAIN_OPTIONS.some((o) => o.flag === flag), `${name}: ${flag}`);
    }
    const args = ["--recipe", name];
    assertEquals(parse(args).recipe, name);
  }
});
