/**
 * Performance targets of the trainer, measured on this machine:
 *
 * 1. sgemm throughput at the network's shapes, and the kernel OpenBLAS runs;
 * 2. loading the 70,000 images from the IDX files, and from the same data as
 *    CSV (written once to bench/out/mnist-csv/);
 * 3. one plain epoch over 60,000 images (no distortions, no weight decay)
 *    against the same epoch in JAX (bench/mnist_jax.py, one jitted lax.scan,
 *    in a virtual environment the bench makes under bench/out/venv), alternating;
 *    where our epoch's time goes; and what an epoch with the default
 *    distortions costs against a plain one;
 * 4. a whole `train --augment none --weight-decay 0 --negatives none
 *    --holdout 0 --epochs 2 --batch 64` run
 *    against the same run written in NumPy (bench/mnist_numpy.py), side by
 *    side, alternating, median of several;
 * 5. how fast `deno task predict` reads files (./_reading_bench.ts);
 * 6. the default `deno task train`: test accuracy and training time; the
 *    same with 40 drawings of one's own mixed in (`--add`); what `--watch`
 *    costs (./_watch_bench.ts); and how long `deno task sweep` takes
 *    (./_sweep_bench.ts).
 *
 * Timings on a shared machine are noisy: compare the ratios, not the seconds.
 *
 * Usage: deno task bench [--quick] [--no-jax] [--keep-env]
 *   --quick     skip the default training runs and the sweep (6)
 *   --no-jax    skip the JAX reference (it needs pip and PyPI the first time)
 *   --keep-env  keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE from the environment for
 *               the runs; by default they are cleared, so that what is measured is
 *               what a user without them gets (our own kernel choice, and NumPy's)
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadBlas, sgemm } from "../lib/native/blas.ts";
import {
  DEFAULT_DATA_DIR,
  findCsvFiles,
  loadMnist,
} from "../lib/data/mnist.ts";
import { encodeMnistCsv } from "../lib/data/csv.ts";
import { replaceFile } from "../lib/atomic_file.ts";
import {
  Batch,
  gatherScaled,
  INPUTS,
  Network,
  zeroParameters,
} from "../lib/nn/network.ts";
import { sigmoidForward } from "../lib/nn/layers.ts";
import { Random } from "../lib/random.ts";
import { train } from "../lib/nn/train.ts";
import { DEFAULTS, type TrainConfig } from "../lib/nn/train_options.ts";
import { startTrainingWorker } from "../lib/nn/parallel/two_threads.ts";
import { isUserError } from "../lib/errors.ts";
import { saveDrawing } from "../lib/data/own_data.ts";
import { preprocess } from "../lib/image/preprocess.ts";
import { DIGITS, drawStrokes, HEIGHTS } from "../tests/_sample_drawings.ts";
import { jaxEpochSeconds } from "./_jax_bench.ts";
import { epochSeconds } from "./augment_bench.ts";
import { median, ROOT, verdict } from "./_common.ts";
import { readingSpeed } from "./_reading_bench.ts";
import { watchOverhead } from "./_watch_bench.ts";
import { sweepTime } from "./_sweep_bench.ts";
import { percent } from "../lib/ui/format.ts";

const TARGETS = {
  epochSeconds: 0.45,
  ratioToJax: 0.8,
  augmentedRatio: 1.3,
  ratioToNumpy: 0.7,
  accuracy: 0.988,
  trainSeconds: 30,
  csvLoadMs: 2000,
  addAccuracy: 0.985,
};

/**
 * Writes drawings of every digit at every height of tests/_sample_drawings.ts,
 * the way the draw window saves them, to `dir`; returns how many.
 */
async function writeOwnDrawings(dir: string): Promise<number> {
  let count = 0;
  for (const [digit, strokes] of Object.entries(DIGITS)) {
    for (const height of HEIGHTS) {
      const { pixels } = preprocess(drawStrokes(strokes, height));
      await saveDrawing(pixels, Number(digit), { dir });
      count++;
    }
  }
  return count;
}

/**
 * The environments of the NumPy and the Deno runs. The Deno runs measure our
 * own kernel choice: the OpenBLAS variables are cleared for them, and for this
 * process (which trains in-process too) before it loads OpenBLAS, unless
 * `keep`. NumPy keeps the environment as it is: its bundled OpenBLAS relies on
 * them on machines that set them.
 */
function environments(keep: boolean) {
  const cleared = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];
  const numpyEnv = Deno.env.toObject();
  const denoEnv = { ...numpyEnv };
  if (keep) return { numpyEnv, denoEnv };
  const set = cleared.filter((k) => k in denoEnv);
  if (set.length) {
    console.log(
      `note: ${
        set.map((k) => `${k}=${denoEnv[k]}`).join(" ")
      } cleared for the Deno runs, kept for NumPy (--keep-env keeps them for both)`,
    );
  }
  for (const k of cleared) {
    delete denoEnv[k];
    Deno.env.delete(k);
  }
  return { numpyEnv, denoEnv };
}

async function main() {
  const { values: flags } = parseArgs({
    options: {
      quick: { type: "boolean" },
      "no-jax": { type: "boolean" },
      "keep-env": { type: "boolean" },
    },
  });

  const { numpyEnv, denoEnv } = environments(flags["keep-env"] ?? false);

  /**
   * Rounds of the side-by-side comparisons (3 and 4): on a shared machine a few
   * runs are slowed by others, and five keep the median and the fastest steady.
   */
  const ROUNDS = 5;

  const time = (f: () => void) => {
    const t = performance.now();
    f();
    return (performance.now() - t) / 1000;
  };

  // 1. sgemm
  const blas = loadBlas();
  console.log(
    `\nOpenBLAS kernel ${blas.core} (${blas.coreSource}), ${blas.threads} threads`,
  );
  {
    const rng = new Random(1);
    const rand = (n: number) =>
      Float32Array.from({ length: n }, () => rng.next());
    const shapes: [string, boolean, boolean, number, number, number][] = [
      ["forward  x W1^T (64x784 . 784x200)", false, true, 64, 200, 784],
      ["backward dz1^T x (200x64 . 64x784)", true, false, 200, 784, 64],
      ["square 1000x1000x1000", false, false, 1000, 1000, 1000],
    ];
    for (const [name, ta, tb, m, n, k] of shapes) {
      const a = rand(m * k), b = rand(k * n), c = new Float32Array(m * n);
      const call = () =>
        sgemm(ta, tb, m, n, k, 1, a, ta ? m : k, b, tb ? k : n, 0, c, n);
      call();
      const reps = Math.max(5, Math.round(1e9 / (2 * m * n * k)));
      const s = time(() => {
        for (let i = 0; i < reps; i++) call();
      });
      console.log(
        `sgemm ${name}: ${(2 * m * n * k * reps / s / 1e9).toFixed(0)} GFLOPS`,
      );
    }
  }

  // 2. loading, from the IDX files and from the same data as CSV
  const trainSet = await loadMnist("train");
  {
    const csvDir = `${ROOT}bench/out/mnist-csv`;
    if (findCsvFiles(csvDir) === undefined) {
      const testSet = await loadMnist("test");
      await Deno.mkdir(csvDir, { recursive: true });
      for (const data of [trainSet, testSet]) {
        await replaceFile(
          `${csvDir}/mnist_${data.split}.csv`,
          encodeMnistCsv(data.images, data.labels),
        );
      }
    }
    const load = async (dir?: string) => {
      const t = performance.now();
      const [train, test] = await Promise.all([
        loadMnist("train", { dir }),
        loadMnist("test", { dir }),
      ]);
      return { ms: performance.now() - t, count: train.count + test.count };
    };
    await load(csvDir); // warm up the JIT and the page cache
    const idx = [], csv = [];
    for (let i = 0; i < 3; i++) {
      idx.push((await load()).ms);
      csv.push((await load(csvDir)).ms);
    }
    console.log(
      `\nload 60000 + 10000 images (median of 3): IDX ${
        median(idx).toFixed(0)
      } ms, CSV ${
        median(csv).toFixed(0)
      } ms (target < ${TARGETS.csvLoadMs} ms: ${
        verdict(median(csv) < TARGETS.csvLoadMs)
      })`,
    );
  }

  // 3. one plain epoch against JAX's, its parts timed separately with the same
  // shapes, and the cost of the distortions
  {
    // The plain recipe, which the JAX and NumPy references implement.
    const config: TrainConfig = {
      ...DEFAULTS,
      augment: "none",
      weightDecay: 0,
      epochs: 1,
    };
    // Warm up the JIT, on two threads as the runs below.
    train(config, await loadMnist("train", { limit: 5000 }), undefined, {
      worker: startTrainingWorker(),
    });
    // Each round: a plain and a distorted run of ours (the second epoch of each,
    // so that one-off preparation is left out, as JAX's compilation is), then
    // JAX's; alternating, so that all see the same machine.
    const epochs: number[] = [], augmented: number[] = [], jax: number[] = [];
    let jaxNote = "";
    for (let i = 0; i < ROUNDS; i++) {
      epochs.push(epochSeconds(trainSet, false));
      augmented.push(epochSeconds(trainSet, true));
      if (flags["no-jax"] || jaxNote.startsWith("skipped")) continue;
      try {
        const j = await jaxEpochSeconds({
          env: numpyEnv,
          dataDir: DEFAULT_DATA_DIR,
        });
        jax.push(j.seconds);
        jaxNote = `jax ${j.jax}, test accuracy ${
          percent(j.accuracy, 2, "")
        } after ${j.epochSeconds.length} epochs`;
      } catch (e) {
        if (!isUserError(e)) throw e;
        jaxNote = `skipped: ${(e as Error).message}`;
      }
    }
    const epoch = median(epochs);
    console.log(
      `\none plain epoch, 60000 images, batch ${config.batch}: ${
        epoch.toFixed(3)
      } s ` +
        `(median of ${ROUNDS}; target < ${TARGETS.epochSeconds} s: ${
          verdict(epoch < TARGETS.epochSeconds)
        })`,
    );
    if (jax.length) {
      const ratio = epoch / median(jax);
      console.log(
        `  against JAX (alternating, median of ${jax.length}): deno ${
          epoch.toFixed(3)
        } s, jax ${median(jax).toFixed(3)} s, ratio ${ratio.toFixed(2)} ` +
          `(target <= ${TARGETS.ratioToJax}: ${
            verdict(ratio <= TARGETS.ratioToJax)
          }; ${jaxNote})`,
      );
    } else if (!flags["no-jax"]) {
      console.log(`  against JAX: ${jaxNote}`);
    }
    const B = config.batch,
      H = config.hidden,
      steps = Math.ceil(trainSet.count / B);
    const net = Network.random(H, new Random(1));
    const batch = new Batch(B, H);
    const grads = zeroParameters(H);
    const order = Uint32Array.from(
      { length: trainSet.count },
      (_, i) => i * 7919 % trainSet.count,
    );
    const big = () => {
      for (let s = 0; s < steps; s++) {
        sgemm(
          false,
          true,
          B,
          H,
          INPUTS,
          1,
          batch.x,
          INPUTS,
          net.params.w1,
          INPUTS,
          1,
          batch.a1,
          H,
        );
        sgemm(
          true,
          false,
          H,
          INPUTS,
          B,
          1,
          batch.dz1,
          H,
          batch.x,
          INPUTS,
          0.9,
          grads.w1,
          INPUTS,
        );
      }
    };
    const sig = () => {
      for (let s = 0; s < steps; s++) sigmoidForward(batch.a1, B * H);
    };
    const gather = () => {
      for (let s = 0; s < steps; s++) {
        const rows = Math.min(B, trainSet.count - s * B);
        gatherScaled(trainSet.images, order, s * B, rows, batch.x);
      }
    };
    big(), sig(), gather();
    // The same work as one epoch's, done serially on this thread (OpenBLAS with
    // its own threads), to show what each part costs; training splits it over
    // two threads, so these add up to more than the epoch.
    console.log("  its parts, serially:");
    const parts = {
      "the two large sgemm": time(big),
      "hidden sigmoids": time(sig),
      "gathering rows": time(gather),
    };
    for (const [name, s] of Object.entries(parts)) {
      console.log(
        `    ${name}: ${s.toFixed(3)} s`,
      );
    }
    const augmentedRatio = Math.min(...augmented) / Math.min(...epochs);
    console.log(
      `  an epoch with the default distortions and weight decay: ${
        Math.min(...augmented).toFixed(3)
      } s, ${
        augmentedRatio.toFixed(2)
      }x a plain one (fastest of ${ROUNDS}, alternating; ` +
        `target <= ${TARGETS.augmentedRatio}: ${
          verdict(augmentedRatio <= TARGETS.augmentedRatio)
        })`,
    );
  }

  // 4. whole runs side by side
  async function runCommand(
    cmd: string,
    args: string[],
    env: Record<string, string>,
  ) {
    const t = performance.now();
    const out = await new Deno.Command(cmd, {
      args,
      cwd: ROOT,
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const seconds = (performance.now() - t) / 1000;
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(
        `${cmd} ${args.join(" ")} failed: ${
          new TextDecoder().decode(out.stderr)
        }`,
      );
    }
    return { seconds, text };
  }

  const tmp = await Deno.makeTempDir({ prefix: "mnist-bench-" });
  const denoTrain = (args: string[]) =>
    runCommand(Deno.execPath(), [
      "run",
      "--allow-read",
      `--allow-write=${tmp}`,
      "--allow-ffi",
      "--allow-env",
      "scripts/mnist_train.ts",
      "--out",
      `${tmp}/m.safetensors`,
      ...args,
    ], denoEnv);
  const accuracyOf = (text: string) =>
    Number(/Test accuracy ([\d.]+)%/.exec(text)?.[1] ?? NaN) / 100;
  try {
    // The plain recipe, which is what the NumPy reference implements: no
    // distortions, no weight decay, no examples that are no digit, every
    // training image trained on.
    const plain = [
      "--augment",
      "none",
      "--weight-decay",
      "0",
      "--negatives",
      "none",
      "--holdout",
      "0",
    ];
    const args = [
      "--epochs",
      "2",
      "--batch",
      "64",
      "--rate",
      String(DEFAULTS.rate),
    ];
    const deno: number[] = [], numpy: number[] = [];
    let denoAcc = NaN, numpyAcc = NaN;
    for (let i = 0; i < ROUNDS; i++) {
      const d = await denoTrain([...plain, ...args]);
      deno.push(d.seconds);
      denoAcc = accuracyOf(d.text);
      const n = await runCommand("python3", [
        "bench/mnist_numpy.py",
        "--data",
        DEFAULT_DATA_DIR,
        ...args,
      ], numpyEnv);
      numpy.push(n.seconds);
      numpyAcc = Number(
        /result:.* accuracy=([\d.]+)/.exec(n.text)?.[1] ?? NaN,
      );
    }
    const ratio = median(deno) / median(numpy);
    console.log(
      `\ntrain --augment none --weight-decay 0 --negatives none --holdout 0 --epochs 2 --batch 64, whole run (median of ${ROUNDS}, alternating):\n` +
        `  deno  ${median(deno).toFixed(2)} s (test accuracy ${
          percent(denoAcc, 2, "")
        })\n` +
        `  numpy ${median(numpy).toFixed(2)} s (test accuracy ${
          percent(numpyAcc, 2, "")
        })\n` +
        `  ratio ${ratio.toFixed(2)} (target <= ${TARGETS.ratioToNumpy}: ${
          verdict(ratio <= TARGETS.ratioToNumpy)
        })`,
    );

    // 5. reading files as `deno task predict` does, one run over many.
    await readingSpeed(tmp);

    // 6. the default training run, then the same with a few dozen drawings of
    // one's own mixed in (--add): MNIST's accuracy must hold.
    if (!flags.quick) {
      const d = await denoTrain([]);
      const acc = accuracyOf(d.text);
      const trainSeconds = Number(
        / ([\d.]+) s training/.exec(d.text)?.[1] ?? NaN,
      );
      const refusal = /Not a digit: (.*)/.exec(d.text)?.[1] ?? "?";
      console.log(
        `\ndefault train (${DEFAULTS.epochs} epochs): test accuracy ${
          percent(acc, 2, "")
        } ` +
          `(target >= ${TARGETS.accuracy * 100}%: ${
            verdict(acc >= TARGETS.accuracy)
          }), ` +
          `${
            trainSeconds.toFixed(2)
          } s training (target < ${TARGETS.trainSeconds} s: ${
            verdict(trainSeconds < TARGETS.trainSeconds)
          }), ${d.seconds.toFixed(2)} s in all\n` +
          `  not a digit: ${refusal}`,
      );
      const own = `${tmp}/own`;
      const count = await writeOwnDrawings(own);
      const a = await denoTrain(["--add", own]);
      const addAcc = accuracyOf(a.text);
      console.log(
        `default train --add (${count} drawings): test accuracy ${
          percent(addAcc, 2, "")
        } (target >= ${TARGETS.addAccuracy * 100}%: ${
          verdict(addAcc >= TARGETS.addAccuracy)
        })`,
      );
      await watchOverhead();
      await sweepTime(`${tmp}/sweep`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await main();
