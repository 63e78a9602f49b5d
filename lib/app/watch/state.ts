/**
 * What the training window (`deno task train --watch`) shows, fed by the
 * trainer's hooks and kept apart from any window, so that tests can drive it:
 * the loss and test-accuracy curves as they grow, the network's answers on a
 * strip of fixed test digits, the run's speed and time left, and whether the
 * run goes on, is paused or was stopped. It also says when the window is due
 * to be drawn again: at most every `frameMs` of its clock (injected, for the
 * tests), so that watching costs training little.
 *
 * @module
 */
import { CLASSES, type Dataset, PIXELS } from "../../data/mnist.ts";
import { Key } from "../../native/sdl2.ts";
import { argmaxRow } from "../../nn/network.ts";
import type { EpochReport, StepReport } from "../../nn/train.ts";

/** How many test digits the strip shows. */
export const STRIP_SIZE = 20;
/** At most one frame this often while training runs, in milliseconds. */
export const FRAME_MS = 250;
/** The window's events are handled this often while training runs (ms). */
export const EVENTS_MS = 50;
/**
 * Seconds of training after the first step before the speed and the time
 * left are shown: the first step starts the threads and warms the code up,
 * and a few steps after it are too few to tell the pace.
 */
export const MEASURE_S = 0.5;
/** About this many loss points over the whole run... */
export const LOSS_POINTS = 400;
/** ...and at most this many in one epoch. */
export const MAX_LOSS_POINTS_PER_EPOCH = 50;

/** A point of the loss curve: the mean loss of the steps since the last one. */
export interface LossPoint {
  /** Where the run was, in epochs from 0 (2.5: half way through the third). */
  at: number;
  loss: number;
}

/** A point of the accuracy curve: test accuracy (0..1) after an epoch. */
export interface AccuracyPoint {
  epoch: number;
  accuracy: number;
}

/** The network's answer on one digit of the strip. */
export interface StripAnswer {
  /** The most probable digit, and its probability (0..1). */
  digit: number;
  p: number;
  /** Whether it is the digit's label. */
  right: boolean;
}

/** The test digits of the strip: their pixels, back to back, and labels. */
export interface Strip {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/**
 * Where the run is: reading the data, training, paused, stopped by the user,
 * or done (the window shows the final network until it is closed).
 */
export type Phase = "loading" | "training" | "paused" | "stopped" | "done";

/** What the hook should do now: draw a frame, handle events, or nothing. */
export type Due = "frame" | "events" | "none";

/**
 * The records of the strip: two of each digit (the first of each in `data`),
 * in digit order (for a `size` of 20); where a digit has too few, the first
 * records not taken yet fill the strip, up to `size` or all the records.
 */
export function stripRecords(data: Dataset, size = STRIP_SIZE): number[] {
  const n = Math.min(size, data.count);
  const per = Math.max(1, Math.floor(n / CLASSES));
  const byDigit: number[][] = Array.from({ length: CLASSES }, () => []);
  for (let i = 0; i < data.count; i++) {
    const list = byDigit[data.labels[i]];
    if (list && list.length < per) list.push(i);
  }
  const chosen = byDigit.flat().slice(0, n);
  const taken = new Set(chosen);
  for (let i = 0; i < data.count && chosen.length < n; i++) {
    if (!taken.has(i)) chosen.push(i);
  }
  return chosen;
}

/** The strip's records of `data`, copied. */
export function stripOf(data: Dataset, size = STRIP_SIZE): Strip {
  const records = stripRecords(data, size);
  const images = new Uint8Array(records.length * PIXELS);
  const labels = new Uint8Array(records.length);
  records.forEach((r, k) => {
    images.set(data.images.subarray(r * PIXELS, (r + 1) * PIXELS), k * PIXELS);
    labels[k] = data.labels[r];
  });
  return { images, labels, count: records.length };
}

/** The state of the training window. */
export class WatchState {
  /** Epochs the run trains for. */
  readonly epochs: number;
  readonly loss: LossPoint[] = [];
  readonly accuracy: AccuracyPoint[] = [];
  phase: Phase = "loading";
  /** The last step's report, once there is one. */
  last: StepReport | undefined;
  /** The test digits of the strip (none until the data is read). */
  strip: Strip = {
    images: new Uint8Array(0),
    labels: new Uint8Array(0),
    count: 0,
  };
  /** The network's answers on them, as of the last frame. */
  answers: StripAnswer[] = [];
  /** A line said when the run is over (done or stopped). */
  summary = "";
  /** Frames drawn so far. */
  frames = 0;

  readonly #clock: () => number;
  readonly #frameMs: number;
  #lastFrame = -Infinity;
  #lastEvents = -Infinity;
  /** Steps per loss point, once the first step says how many an epoch has. */
  #every = 0;
  #sum = 0;
  #count = 0;
  #started = 0;
  #first: { seen: number; seconds: number; elapsed: number } | undefined;
  #pausedSince = 0;
  #pausedMs = 0;
  #dirty = true;

  /**
   * The state of a run of `epochs` epochs; `clock` gives milliseconds
   * (default `performance.now()`), frames come at most every `frameMs`.
   */
  constructor(
    epochs: number,
    { clock = () => performance.now(), frameMs = FRAME_MS }: {
      clock?: () => number;
      frameMs?: number;
    } = {},
  ) {
    this.epochs = epochs;
    this.#clock = clock;
    this.#frameMs = frameMs;
  }

  /** The data is read: the strip is taken from `testSet`; training starts. */
  start(testSet: Dataset | undefined): void {
    if (testSet) this.strip = stripOf(testSet);
    this.phase = "training";
    this.#started = this.#clock();
    this.#dirty = true;
  }

  /**
   * Records step `report`'s loss; a point every so many steps of the run:
   * about `LOSS_POINTS` in all, at most `MAX_LOSS_POINTS_PER_EPOCH` an epoch.
   */
  step(report: StepReport): void {
    // The first step, slow as it starts the threads and warms the code up,
    // is where speed and time left are measured from.
    this.#first ??= {
      seen: this.#seenBy(report),
      seconds: report.seconds,
      elapsed: this.elapsed,
    };
    this.last = report;
    if (this.#every === 0) {
      this.#every = Math.max(
        1,
        Math.ceil(report.steps / MAX_LOSS_POINTS_PER_EPOCH),
        Math.round(report.steps * this.epochs / LOSS_POINTS),
      );
    }
    this.#sum += report.loss;
    this.#count++;
    // Counted over the whole run, so that every point averages as many steps
    // (an epoch's last batch may be a small one).
    if (((report.epoch - 1) * report.steps + report.step) % this.#every === 0) {
      this.loss.push({
        at: report.epoch - 1 + report.done / report.total,
        loss: this.#sum / this.#count,
      });
      this.#sum = 0;
      this.#count = 0;
    }
  }

  /** Records epoch `report`'s test accuracy; the next frame is due at once. */
  epochEnd(report: EpochReport): void {
    if (!Number.isNaN(report.accuracy)) {
      this.accuracy.push({ epoch: report.epoch, accuracy: report.accuracy });
    }
    this.#dirty = true;
  }

  /**
   * What is due now: a frame when `frameMs` have passed since the last one
   * (or something changed that must be shown), else handling the window's
   * events when `EVENTS_MS` have passed since they were, else nothing.
   */
  due(): Due {
    const now = this.#clock();
    if (this.#dirty || now - this.#lastFrame >= this.#frameMs) return "frame";
    if (now - this.#lastEvents >= EVENTS_MS) {
      this.#lastEvents = now;
      return "events";
    }
    return "none";
  }

  /** A frame was drawn (call after drawing: the next one is `frameMs` later). */
  frameDrawn(): void {
    this.#lastFrame = this.#lastEvents = this.#clock();
    this.#dirty = false;
    this.frames++;
  }

  /** The network's answers on the strip: `probs` is (count, 10). */
  setAnswers(probs: Float32Array): void {
    this.answers = Array.from({ length: this.strip.count }, (_, k) => {
      const digit = argmaxRow(probs, k);
      return {
        digit,
        p: probs[k * CLASSES + digit],
        right: digit === this.strip.labels[k],
      };
    });
  }

  /** How many digits of the strip the network reads right. */
  get stripRight(): number {
    return this.answers.filter((a) => a.right).length;
  }

  get paused(): boolean {
    return this.phase === "paused";
  }

  get stopped(): boolean {
    return this.phase === "stopped";
  }

  /** Pauses training, or resumes it. True if the phase changed. */
  togglePause(): boolean {
    if (this.phase === "training") {
      this.phase = "paused";
      this.#pausedSince = this.#clock();
    } else if (this.phase === "paused") {
      this.phase = "training";
      this.#pausedMs += this.#clock() - this.#pausedSince;
    } else {
      return false;
    }
    this.#dirty = true;
    return true;
  }

  /** The user stops the run (ESC, or closing the window) before it ends. */
  stop(): boolean {
    if (this.phase === "done" || this.phase === "stopped") return false;
    if (this.phase === "paused") this.togglePause();
    this.phase = "stopped";
    this.summary = "Stopped: the model is not saved";
    this.#dirty = true;
    return true;
  }

  /** The run is over and saved; `summary` says so. */
  finish(summary: string): void {
    this.phase = "done";
    this.summary = summary;
    this.#dirty = true;
  }

  /**
   * What a key does while training: SPACE pauses or resumes, ESC stops;
   * once done, ESC closes the window. "quit" ends the wait for events.
   */
  key(code: number): boolean | "quit" {
    if (code === Key.ESCAPE) {
      this.stop();
      return "quit";
    }
    if (code === Key.SPACE) return this.togglePause();
    return false;
  }

  /** Images seen so far, all epochs. */
  get seen(): number {
    return this.last ? this.#seenBy(this.last) : 0;
  }

  #seenBy(r: StepReport): number {
    return (r.epoch - 1) * r.total + r.done;
  }

  /**
   * Training speed in images per second, as the trainer counts it (time
   * spent in the hooks, drawing this window included, left out), since the
   * first step; NaN until MEASURE_S of training have passed since then.
   */
  get imagesPerSecond(): number {
    const r = this.last, first = this.#first;
    if (!r || !first || r.seconds - first.seconds < MEASURE_S) return NaN;
    return (this.seen - first.seen) / (r.seconds - first.seconds);
  }

  /** Wall-clock seconds of training so far, pauses left out. */
  get elapsed(): number {
    const paused = this.#pausedMs +
      (this.phase === "paused" ? this.#clock() - this.#pausedSince : 0);
    return (this.#clock() - this.#started - paused) / 1000;
  }

  /**
   * Seconds until the run ends at the pace since the first step: wall-clock
   * time, so that evaluating the test set and drawing this window count; NaN
   * until MEASURE_S have passed since the first step, 0 once done.
   */
  get secondsLeft(): number {
    if (this.phase === "done") return 0;
    const r = this.last, first = this.#first;
    const since = this.elapsed - (first?.elapsed ?? 0);
    if (!r || !first || since < MEASURE_S || this.seen === first.seen) {
      return NaN;
    }
    return since * (this.epochs * r.total - this.seen) /
      (this.seen - first.seen);
  }
}
