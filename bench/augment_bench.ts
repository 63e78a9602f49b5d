/**
 * The cost of distorted training: plain and augmented epochs of the default
 * recipe, alternated in one process so that both see the same machine, and the
 * ratio of their fastest runs. The second epoch of each run is timed, so that
 * the one-off preparation of the images (lib/nn/augment.ts) is left out.
 *
 * Usage: deno run --allow-read --allow-ffi --allow-env bench/augment_bench.ts [rounds]
 *
 * @module
 */
import { loadBlas } from "../lib/native/blas.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { train } from "../lib/nn/train.ts";
import { DEFAULTS } from "../lib/nn/train.ts";

if (import.meta.main) {
  const rounds = Number(Deno.args[0] ?? 3);
  loadBlas();
  const data = await loadMnist("train");
  const base = { ...DEFAULTS, epochs: 2 };
  const plain: number[] = [], augmented: number[] = [];
  for (let i = 0; i < rounds; i++) {
    plain.push(
      train({ ...base, augment: "none", weightDecay: 0 }, data, undefined)
        .history[1].seconds,
    );
    augmented.push(train(base, data, undefined).history[1].seconds);
  }
  const best = (x: number[]) => Math.min(...x);
  const list = (x: number[]) => x.map((s) => s.toFixed(2)).join(" ");
  console.log(`plain epoch     ${list(plain)} s`);
  console.log(`augmented epoch ${list(augmented)} s`);
  console.log(
    `ratio of the fastest: ${(best(augmented) / best(plain)).toFixed(2)}`,
  );
}
