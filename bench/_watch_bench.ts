/**
 * What `deno task train --watch` costs the run it shows.
 *
 * @module
 */
import { loadMnist } from "../lib/data/mnist.ts";
import { type HookResult, train, type TrainHooks } from "../lib/nn/train.ts";
import { DEFAULTS, TRAIN_OPTIONS } from "../lib/nn/train_options.ts";
import { startTrainingWorker } from "../lib/nn/parallel/two_threads.ts";
import { nonDigitExamples } from "../lib/app/non_digit_examples.ts";
import { holdOut } from "../lib/app/train_app.ts";
import { composeHooks, WatchWindow } from "../lib/app/watch/main.ts";
import { startXvfb, type Xvfb } from "../tests/_x11.ts";
import { median, verdict } from "./_common.ts";
import { percent } from "../lib/ui/format.ts";

/**
 * What `train --watch` costs: the default run in this process, with and
 * without the window's hooks (on a private Xvfb; skipped where there is
 * none), alternating. Two measures: the time spent in the window's hooks, as
 * a share of the same run's training time, which other work on a shared
 * machine hardly changes (both slow down alike); and the fastest whole run of
 * each kind, which also counts what the hooks cost the training around them
 * (caches), but which such work makes noisy. Target: at most 15%.
 */
export async function watchOverhead(rounds = 3): Promise<void> {
  let x: Xvfb;
  try {
    x = await startXvfb({ width: 1280, height: 880 });
  } catch {
    console.log("\ntrain --watch: skipped (no Xvfb: apt-get install xvfb)");
    return;
  }
  try {
    Deno.env.set("DISPLAY", x.display);
    const option = (flag: string) =>
      TRAIN_OPTIONS.find((o) => o.flag === flag)!.default as number;
    const [all, testSet] = await Promise.all([
      loadMnist("train"),
      loadMnist("test"),
    ]);
    const { fit } = holdOut(all, option("holdout"));
    const share = option("negatives-share");
    const extra = [{
      data: nonDigitExamples(fit, DEFAULTS.seed, share),
      share,
    }];
    const run = (watched?: TrainHooks) => {
      let training = 0;
      const t = performance.now();
      train(DEFAULTS, fit, testSet, {
        extra,
        worker: startTrainingWorker(),
        hooks: composeHooks(
          { afterEpoch: (e) => void (training += e.seconds) },
          watched ?? {},
        ),
      });
      return { wall: (performance.now() - t) / 1000, training };
    };
    const plain: number[] = [], watched: number[] = [], shares: number[] = [];
    let frames = 0, frameSeconds = 0;
    for (let i = 0; i < rounds; i++) {
      plain.push(run().wall);
      using win = new WatchWindow(DEFAULTS.epochs);
      const hooks = win.hooks(testSet);
      let seconds = 0;
      const timed =
        <A extends unknown[]>(f: (...a: A) => HookResult) => (...a: A) => {
          const t = performance.now();
          const drawn = win.state.frames;
          const result = f(...a);
          const s = (performance.now() - t) / 1000;
          seconds += s;
          if (win.state.frames > drawn) frames++, frameSeconds += s;
          return result;
        };
      const w = run({
        afterStep: timed(hooks.afterStep!),
        afterEpoch: timed(hooks.afterEpoch!),
      });
      watched.push(w.wall);
      shares.push(seconds / w.training);
    }
    const pct = (v: number) => `${percent(v, 1, "")}`;
    const fastest = Math.min(...watched) / Math.min(...plain) - 1;
    console.log(
      `\ntrain --watch, the default run (in this process, on Xvfb, ${rounds} rounds alternating): ` +
        `the window's hooks took ${
          shares.map(pct).join(", ")
        } of the training time ` +
        `(${frames} frames in all, ${
          (frameSeconds / frames * 1000).toFixed(1)
        } ms each; target <= 15%: ${verdict(median(shares) <= 0.15)}); ` +
        `whole runs ${Math.min(...watched).toFixed(2)} s with the window, ${
          Math.min(...plain).toFixed(2)
        } s without (fastest of each: ${fastest >= 0 ? "+" : ""}${
          pct(fastest)
        })`,
    );
  } finally {
    await x.stop();
  }
}
