/**
 * The record browser's state: which record is shown and whether its label
 * is, changed by keys; and the network's answers for a whole set. Knows
 * nothing of windows, so tests drive it directly.
 *
 * @module
 */
import type { Dataset, Split } from "../../data/mnist.ts";
import { evaluate } from "../../nn/evaluate.ts";
import type { DigitReader } from "../../read/read_number.ts";
import { Key, Mod } from "../../native/sdl2.ts";

/** Records PAGE UP and PAGE DOWN move by. */
export const PAGE = 100;

/** The window title for record `index` (from 0) of `count`: "train 1/60000". */
export function windowTitle(split: Split, index: number, count: number) {
  return `${split} ${index + 1}/${count}`;
}

/** The network's answers for every record of a set. */
export interface Predictions {
  /** (count, 10) probabilities: the raw outputs normalised to sum to one. */
  probs: Float32Array;
  /** (count, 10) raw outputs, which the threshold refuses by. */
  outputs: Float32Array;
  /** The most probable digit of each record. */
  predicted: Uint8Array;
  /** The largest raw output of each record. */
  highest: Float32Array;
  /** The model's threshold: a record whose largest output is below it is refused. */
  threshold: number;
  /** 1 for each record the network refuses as not a digit. */
  refused: Uint8Array;
  /** How many records it refuses. */
  refusedCount: number;
  /**
   * The records the network gets wrong, in ascending order: those it reads
   * as another digit, and those it refuses.
   */
  wrong: Int32Array;
}

/**
 * Runs `reader`'s network over the whole set at once, and refuses the
 * records whose largest raw output is below its threshold, as `readDigit()`
 * does.
 */
export function predictAll(reader: DigitReader, data: Dataset): Predictions {
  const { probs, outputs, predicted, highest } = evaluate(
    reader.network,
    data,
  );
  const refused = new Uint8Array(data.count);
  const wrong: number[] = [];
  let refusedCount = 0;
  for (let i = 0; i < data.count; i++) {
    if (highest[i] < reader.threshold) {
      refused[i] = 1;
      refusedCount++;
    }
    if (refused[i] || predicted[i] !== data.labels[i]) wrong.push(i);
  }
  return {
    probs,
    outputs,
    predicted,
    highest,
    threshold: reader.threshold,
    refused,
    refusedCount,
    wrong: Int32Array.from(wrong),
  };
}

/** What a key does to the browser. */
export type KeyResult = "quit" | "changed" | "unchanged";

/** Which record is shown, and whether its label is: the keys' effects. */
export class Browser {
  /** The record shown, counting from 0. */
  index: number;
  /** Whether the label is shown over the digit. */
  labelShown = false;
  readonly count: number;
  readonly #wrong: Int32Array;

  /**
   * A browser over `count` records, starting at `index` (clamped to the set).
   * `wrong` lists the records the network gets wrong or refuses, ascending,
   * for E and W.
   */
  constructor(count: number, index = 0, wrong: Int32Array = new Int32Array(0)) {
    if (!(count > 0)) throw new RangeError(`Browser: count is ${count}`);
    this.count = count;
    this.index = Math.min(Math.max(index, 0), count - 1);
    this.#wrong = wrong;
  }

  /** Moves to record `i`, clamped to the set. */
  goTo(i: number): KeyResult {
    const next = Math.min(Math.max(i, 0), this.count - 1);
    if (next === this.index) return "unchanged";
    this.index = next;
    return "changed";
  }

  /** The next record after the current one that the network gets wrong or refuses, or -1. */
  nextWrong(): number {
    const w = this.#wrong;
    let lo = 0, hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (w[mid] <= this.index) lo = mid + 1;
      else hi = mid;
    }
    return lo < w.length ? w[lo] : -1;
  }

  /** The last record before the current one that the network gets wrong or refuses, or -1. */
  previousWrong(): number {
    const w = this.#wrong;
    let lo = 0, hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (w[mid] < this.index) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? w[lo - 1] : -1;
  }

  /** Applies a key press (SDL key code and modifiers). */
  key(key: number, mod = 0): KeyResult {
    switch (key) {
      case Key.ESCAPE:
        return "quit";
      case Key.DOWN:
      case Key.RIGHT:
        return this.goTo(this.index + 1);
      case Key.UP:
      case Key.LEFT:
        return this.goTo(this.index - 1);
      case Key.PAGE_DOWN:
        return this.goTo(this.index + PAGE);
      case Key.PAGE_UP:
        return this.goTo(this.index - PAGE);
      case Key.HOME:
        return this.goTo(0);
      case Key.END:
        return this.goTo(this.count - 1);
      case Key.SPACE:
        this.labelShown = !this.labelShown;
        return "changed";
      case Key.E: {
        const i = mod & Mod.SHIFT ? this.previousWrong() : this.nextWrong();
        return i < 0 ? "unchanged" : this.goTo(i);
      }
      case Key.W: {
        const i = this.previousWrong();
        return i < 0 ? "unchanged" : this.goTo(i);
      }
      default:
        return "unchanged";
    }
  }
}
