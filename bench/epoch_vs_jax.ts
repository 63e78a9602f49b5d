/**
 * One plain training epoch (60,000 images, batch 64, 784-200-10, momentum SGD,
 * no distortions, no weight decay) of ours against one epoch of the jitted JAX
 * reference (bench/mnist_jax.py), alternating: each round trains three epochs
 * here, in this process, then runs JAX for three. The first epoch of each is
 * left out on both sides (JAX's warms up its threads; ours also scales the
 * training set once). The machine is shared and noisy, so the fastest epoch of
 * each side is compared, with the medians beside it.
 *
 * As in bench/bench.ts, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are cleared
 * for our side (before OpenBLAS loads), so that what is measured is our own
 * kernel choice; JAX keeps the environment.
 *
 * Usage: deno run -A bench/epoch_vs_jax.ts [--rounds 5]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadMnist } from "../lib/data/mnist.ts";
import { train, type TrainConfig } from "../lib/nn/train.ts";
import { jaxEpochSeconds } from "./_jax_bench.ts";

const TARGET = 0.8;

const { values: flags } = parseArgs({
  options: { rounds: { type: "string", default: "5" } },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds must be a positive integer, got ${flags.rounds}`);
  Deno.exit(1);
}

const jaxEnv = Deno.env.toObject();
for (const k of ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]) Deno.env.delete(k);

const config: TrainConfig = {
  epochs: 3,
  rate: 0.2,
  batch: 64,
  momentum: 0.9,
  hidden: 200,
  seed: 1,
  augment: "none",
  weightDecay: 0,
};
const trainSet = await loadMnist("train");
// Warm up the JIT on a small set first.
train(config, await loadMnist("train", { limit: 5000 }), undefined);

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(" ");

const deno: number[] = [], jax: number[] = [];
for (let r = 1; r <= rounds; r++) {
  const d = train(config, trainSet, undefined).history.map((h) => h.seconds);
  const j = (await jaxEpochSeconds({ epochs: 3, env: jaxEnv })).epochSeconds;
  deno.push(...d.slice(1));
  jax.push(...j.slice(1));
  console.log(
    `round ${r}: deno ${fmt(d)} s, jax ${fmt(j)} s (first epochs left out)`,
  );
}
console.log(
  `median epoch: deno ${median(deno).toFixed(3)} s, jax ${
    median(jax).toFixed(3)
  } s, ratio ${(median(deno) / median(jax)).toFixed(2)}`,
);
const ratio = min(deno) / min(jax);
console.log(
  `one epoch: deno ${min(deno).toFixed(3)} s, jax ${
    min(jax).toFixed(3)
  } s, ratio ${ratio.toFixed(2)} (target <= ${TARGET})`,
);
