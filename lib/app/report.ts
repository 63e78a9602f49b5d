/**
 * Text output of the trainer: a progress bar and a confusion matrix.
 *
 * @module
 */
import { OUTPUTS } from "../nn/network.ts";
import type { StepReport } from "../nn/train.ts";

/** What the bar shows of a step. */
export type Progress = Pick<
  StepReport,
  "epoch" | "step" | "steps" | "done" | "total" | "meanLoss" | "seconds"
>;

/** The bar is redrawn every this many steps, and at each epoch's last. */
export const PROGRESS_EVERY = 50;

/**
 * A one-line progress bar with throughput, running loss and time left, redrawn in
 * place on a terminal; silent where the output is not one (logs stay clean).
 */
export class ProgressBar {
  #epochs: number;
  #out: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  #enabled: boolean;
  #encoder = new TextEncoder();
  #shown = false;

  constructor(
    epochs: number,
    out: { writeSync(p: Uint8Array): number; isTerminal(): boolean },
  ) {
    this.#epochs = epochs;
    this.#out = out;
    this.#enabled = out.isTerminal();
  }

  /** A bar `width` characters long, `frac` of it filled, and the percentage. */
  static bar(frac: number, width = 24): string {
    const filled = Math.round(Math.min(1, Math.max(0, frac)) * width);
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${
      Math.round(frac * 100)
    }%`;
  }

  /** The bar's text for a progress report. */
  static format(p: Progress, epochs: number, width = 24): string {
    const frac = p.done / p.total;
    const seen = (p.epoch - 1) * p.total + p.done;
    const rate = p.seconds > 0 ? seen / p.seconds : 0;
    const left = rate > 0 ? (epochs * p.total - seen) / rate : NaN;
    return `epoch ${p.epoch}/${epochs} ${ProgressBar.bar(frac, width)}  ${
      Math.round(rate).toLocaleString("en-US")
    } img/s` +
      `  loss ${p.meanLoss.toFixed(4)}  ETA ${
        Number.isFinite(left) ? left.toFixed(1) : "?"
      } s`;
  }

  /** Shows step `p` (every PROGRESS_EVERY steps and each epoch's last). */
  update(p: Progress): void {
    if (p.step % PROGRESS_EVERY !== 0 && p.step !== p.steps) return;
    this.show(ProgressBar.format(p, this.#epochs));
  }

  /** Shows `text` in place of the bar, on a terminal. */
  show(text: string): void {
    if (!this.#enabled) return;
    this.#write(`\r\x1b[2K${text}`);
    this.#shown = true;
  }

  /** Removes the bar so that a normal line can be printed. */
  clear(): void {
    if (!this.#shown) return;
    this.#write("\r\x1b[2K");
    this.#shown = false;
  }

  #write(s: string) {
    this.#out.writeSync(this.#encoder.encode(s));
  }
}

/** A 10x10 confusion matrix (confusion[label * 10 + predicted]) as a text table. */
export function formatConfusion(confusion: Uint32Array): string {
  const w = Math.max(5, ...Array.from(confusion, (c) => String(c).length + 1));
  const cell = (s: string | number) => String(s).padStart(w);
  const lines = [
    `${"".padStart(5)}${
      Array.from({ length: OUTPUTS }, (_, j) => cell(j)).join("")
    }`,
  ];
  for (let i = 0; i < OUTPUTS; i++) {
    const row = Array.from(
      { length: OUTPUTS },
      (_, j) => cell(confusion[i * OUTPUTS + j]),
    );
    lines.push(`${String(i).padStart(5)}${row.join("")}`);
  }
  return lines.join("\n");
}
