/**
 * What the record browser's window shows: the record as a grid of grey cells,
 * its label on demand, and a panel with what the network says about it: the
 * digit it reads, or "?" when it refuses the record as not a digit (no
 * output reaches the model's threshold), and its probabilities. The panel is
 * drawn from a small `BrowserPanel` record, not from the data set, the
 * browser and the predictions themselves.
 *
 * @module
 */
import type { Dataset, Split } from "../../data/mnist.ts";
import type { Window } from "../../native/sdl2.ts";
import { drawDigitGrid, GRID } from "../../ui/digit_grid.ts";
import type { Fonts } from "../../ui/fonts.ts";
import { COLOURS } from "../../ui/palette.ts";
import {
  type Answer,
  answerOf,
  drawLines,
  fillPanel,
  PANEL_LEFT,
  PANEL_WIDTH,
  WINDOW_HEIGHT,
} from "../../ui/panel.ts";
import { percent } from "../../ui/format.ts";
import { barColours, drawProbBars } from "../../ui/prob_bars.ts";
import { drawText, renderText } from "../../ui/text.ts";
import type { Browser, Predictions } from "./browser.ts";

/** What the network says about the record on screen. */
export interface RecordAnswer extends Answer {
  /** Whether it refuses the record as not a digit. */
  refused: boolean;
  /** Its largest raw output, and the model's threshold that it must reach. */
  highest: number;
  threshold: number;
}

/** What the panel shows about the record on screen. */
export interface BrowserPanel {
  split: Split;
  /** The record, counting from 0, of `count`. */
  index: number;
  count: number;
  /** The record's true label, and whether it is shown. */
  label: number;
  labelShown: boolean;
  /** The network's answer; `null` when there is no model. */
  answer: RecordAnswer | null;
  /** How many records of the set the network gets wrong, refused ones included. */
  wrongCount: number;
  /** How many of them it refuses as not digits. */
  refusedCount: number;
}

/** The panel's state for the browser's current record. */
export function browserPanel(
  data: Dataset,
  browser: Browser,
  predictions: Predictions | null,
): BrowserPanel {
  const i = browser.index;
  return {
    split: data.split,
    index: i,
    count: data.count,
    label: data.labels[i],
    labelShown: browser.labelShown,
    answer: predictions
      ? {
        // A refused record shows its raw outputs, all under the threshold,
        // as the line under the answer says.
        ...answerOf(
          predictions.refused[i] ? predictions.outputs : predictions.probs,
          i,
        ),
        refused: predictions.refused[i] === 1,
        highest: predictions.highest[i],
        threshold: predictions.threshold,
      }
      : null,
    wrongCount: predictions ? predictions.wrong.length : 0,
    refusedCount: predictions ? predictions.refusedCount : 0,
  };
}

/** The key help at the panel's foot. */
export function browserKeyLines(withModel: boolean): string[] {
  return [
    "↓ → next   ↑ ← back   PgUp PgDn ±100",
    withModel ? "E next wrong   W previous wrong" : "Home End first / last",
    "SPACE label   ESC quit",
  ];
}

/**
 * Draws the whole window: `image` (the record's 784 pixels) as the grid, and
 * the panel for `panel`. The caller presents it.
 */
export function drawBrowserWindow(
  window: Window,
  fonts: Fonts,
  image: Uint8Array,
  panel: BrowserPanel,
): void {
  drawDigitGrid(window, image, 0, 0);
  if (panel.labelShown) {
    // The label in large type over the middle of the digit, on a veil that
    // keeps the digit visible underneath.
    window.setColour(COLOURS.paper, 150);
    window.fillRect(GRID / 2 - 170, GRID / 2 - 220, 340, 440);
    using t = renderText(
      window,
      fonts.huge,
      String(panel.label),
      COLOURS.accent,
    );
    t.draw(
      Math.round((GRID - t.width) / 2),
      Math.round((GRID - t.height) / 2),
    );
  }
  drawBrowserPanel(window, fonts, panel);
}

/** Draws the panel right of the grid. */
export function drawBrowserPanel(
  window: Window,
  fonts: Fonts,
  panel: BrowserPanel,
): void {
  const x = PANEL_LEFT + 28;
  const width = PANEL_WIDTH - 56;
  const muted = COLOURS.muted;
  fillPanel(window);
  drawText(
    window,
    fonts,
    `${panel.split} set · record ${panel.index + 1} of ${panel.count}`,
    { x, y: 22, colour: muted },
  );
  drawText(window, fonts, "Label", { x, y: 56, font: "body", colour: muted });
  drawText(
    window,
    fonts,
    panel.labelShown ? String(panel.label) : "?  (SPACE shows it)",
    {
      x: x + 70,
      y: 56,
      font: "bold",
      colour: panel.labelShown ? COLOURS.accent : muted,
    },
  );

  const boxY = 96;
  const boxH = 124;
  const answer = panel.answer;
  if (!answer) {
    window.setColour(COLOURS.track);
    window.fillRect(x - 12, boxY, width + 24, boxH);
    drawText(window, fonts, "No trained model", {
      x,
      y: boxY + 20,
      font: "bold",
    });
    drawText(window, fonts, "Train one with: deno task train", {
      x,
      y: boxY + 52,
      colour: muted,
    });
  } else {
    // A refused record counts as wrong, whatever its most probable digit.
    const ok = !answer.refused && answer.digit === panel.label;
    const verdict = ok ? COLOURS.right : COLOURS.wrong;
    window.setColour(ok ? COLOURS.rightBack : COLOURS.wrongBack);
    window.fillRect(x - 12, boxY, width + 24, boxH);
    window.setColour(verdict);
    window.fillRect(x - 12, boxY, 6, boxH);
    drawText(window, fonts, "The network says", {
      x,
      y: boxY + 10,
      font: "body",
      colour: muted,
    });
    const d = drawText(
      window,
      fonts,
      answer.refused ? "?" : String(answer.digit),
      { x, y: boxY + 32, font: "digit", colour: verdict },
    );
    drawText(
      window,
      fonts,
      answer.refused ? "not a digit" : `${percent(answer.p)} sure`,
      { x: x + d.width + 16, y: boxY + 38, font: "body" },
    );
    drawText(
      window,
      fonts,
      ok ? "✓ right" : `✗ WRONG: it is a ${panel.label}`,
      { x: x + d.width + 16, y: boxY + 62, font: "bold", colour: verdict },
    );
    drawText(window, fonts, thresholdLine(answer), {
      x,
      y: boxY + 96,
      font: "small",
      colour: muted,
    });
    drawProbBars(
      window,
      fonts,
      answer.probs,
      answer.row,
      { x, y: boxY + boxH + 20, width, row: 30 },
      barColours(verdict),
      panel.labelShown ? panel.label : -1,
    );
    const n = panel.wrongCount;
    drawText(
      window,
      fonts,
      `Wrong on ${n} of ${panel.count} records (${
        percent(n / panel.count, 2)
      })`,
      { x, y: WINDOW_HEIGHT - 106, colour: muted },
    );
    drawText(
      window,
      fonts,
      `${panel.refusedCount} of them refused as not digits`,
      { x, y: WINDOW_HEIGHT - 84, colour: muted },
    );
  }
  drawLines(window, fonts, browserKeyLines(answer !== null), {
    x,
    y: WINDOW_HEIGHT - 60,
  });
}

/**
 * How the record's largest raw output compares with the model's threshold:
 * "top output 0.973 ≥ threshold 0.193"; below it, the record is refused.
 */
export function thresholdLine(answer: RecordAnswer): string {
  return `top output ${answer.highest.toFixed(3)} ${
    answer.refused ? "<" : "≥"
  } threshold ${answer.threshold.toFixed(3)}`;
}
