/**
 * What `deno task inspect` shows, computed once when it starts: the model's
 * weights, their colour scale, backquery of every digit, the test set's
 * predictions and confusion matrix, and how the model was trained (its
 * history, and how it learnt to say "not a digit"); and the little that
 * changes while it runs (the view, the selected unit and cell).
 *
 * @module
 */
import { CLASSES, type Dataset } from "../../data/mnist.ts";
import { symmetricScale, WEIGHT_QUANTILE } from "../../image/colour_map.ts";
import {
  type Backquery,
  backqueryAll,
  type Layers,
} from "../../nn/backquery.ts";
import { decodeHistory, type EpochHistory } from "../../nn/history.ts";
import type { Model } from "../../nn/model_file.ts";
import type { Network } from "../../nn/network.ts";
import { evaluate } from "../../nn/evaluate.ts";
import { modelThreshold, THRESHOLD_KEY } from "../../read/read_digit.ts";

/**
 * The weights of `network` as the views read them. The one place that knows
 * the names of the network's parameters.
 */
export function layersOf(network: Network): Layers {
  const { w1, b1, w2, b2 } = network.params;
  return { w1, b1, w2, b2 };
}

/** The test set as the network reads it. */
export interface TestResults {
  data: Dataset;
  /** Each record's most probable digit. */
  predicted: Uint8Array;
  /** confusion[label * 10 + predicted] = count. */
  confusion: Uint32Array;
  /** The records of each confusion cell, ascending: cells[label * 10 + predicted]. */
  cells: Int32Array[];
  /** Fraction right, overall and per true digit. */
  accuracy: number;
  classAccuracy: Float64Array;
}

/** Runs the network over the test set once and sorts the records by cell. */
export function testResults(network: Network, data: Dataset): TestResults {
  const { predicted, confusion, accuracy } = evaluate(network, data);
  const lists: number[][] = Array.from({ length: CLASSES * CLASSES }, () => []);
  for (let i = 0; i < data.count; i++) {
    lists[data.labels[i] * CLASSES + predicted[i]].push(i);
  }
  const classAccuracy = new Float64Array(CLASSES);
  for (let d = 0; d < CLASSES; d++) {
    let total = 0;
    for (let p = 0; p < CLASSES; p++) total += confusion[d * CLASSES + p];
    classAccuracy[d] = total ? confusion[d * CLASSES + d] / total : NaN;
  }
  return {
    data,
    predicted,
    confusion,
    cells: lists.map((l) => Int32Array.from(l)),
    accuracy,
    classAccuracy,
  };
}

/**
 * How a model was taught to say "not a digit", from its metadata: the
 * examples that are no digit mixed into training, and the threshold that an
 * output must reach for an answer to count.
 */
export interface RefusalTraining {
  /** The kinds of examples that are no digit ("letters", ...); none: empty. */
  kinds: string[];
  /** Their share of each epoch, 0..1; NaN when the metadata does not say. */
  share: number;
  /** Training images kept apart to calibrate the threshold; NaN when unsaid. */
  holdout: number;
  /** The threshold readers use (see `modelThreshold()`). */
  threshold: number;
  /** Whether the model stores its threshold (else the default is used). */
  stored: boolean;
}

/** The metadata keys that say how a model learnt to refuse. */
const REFUSAL_KEYS = ["negatives", "negatives_share", "holdout", THRESHOLD_KEY];

/**
 * How the model whose metadata is `metadata` was taught to refuse, or
 * undefined for a model whose metadata says nothing of it (trained before
 * models learnt to).
 */
export function refusalTraining(
  metadata: Record<string, string>,
): RefusalTraining | undefined {
  if (!REFUSAL_KEYS.some((key) => key in metadata)) return undefined;
  const negatives = metadata.negatives ?? "none";
  const threshold = modelThreshold(metadata);
  return {
    kinds: negatives === "none"
      ? []
      : negatives.split(",").map((k) => k.trim()).filter((k) => k !== ""),
    share: Number(metadata.negatives_share ?? NaN),
    holdout: Number(metadata.holdout ?? NaN),
    threshold,
    stored: Number(metadata[THRESHOLD_KEY]) === threshold,
  };
}

/** What the model file says of its training: the "Training" view's data. */
export interface TrainingRecord {
  /** Per-epoch history, or undefined when the model has none. */
  epochs: EpochHistory[] | undefined;
  /** How it learnt to say "not a digit", or undefined when it does not say. */
  refusal: RefusalTraining | undefined;
}

/** Everything the views draw, computed once per model. */
export interface Inspection {
  /** The model file, as given. */
  modelPath: string;
  metadata: Record<string, string>;
  layers: Layers;
  /** Hidden units. */
  hidden: number;
  /** Half-range of the hidden units' diverging colour map (see WEIGHT_QUANTILE). */
  weightScale: number;
  /** Largest |w2|: the outgoing weight bars' half-range. */
  outputScale: number;
  /** Backquery of each digit 0-9. */
  backquery: Backquery[];
  test: TestResults;
  /** How the model was trained, for the "Training" view. */
  history: TrainingRecord;
}

/**
 * Computes what the views show from a loaded model and the test set. A
 * malformed history is a `FileFormatError` naming `modelPath`.
 */
export function inspect(
  model: Model,
  modelPath: string,
  testSet: Dataset,
): Inspection {
  const layers = layersOf(model.network);
  let outputScale = 0;
  for (const w of layers.w2) outputScale = Math.max(outputScale, Math.abs(w));
  return {
    modelPath,
    metadata: model.metadata,
    layers,
    hidden: layers.b1.length,
    weightScale: symmetricScale(layers.w1, WEIGHT_QUANTILE),
    outputScale,
    backquery: backqueryAll(layers),
    test: testResults(model.network, testSet),
    history: {
      epochs: decodeHistory(model.metadata, `model '${modelPath}'`),
      refusal: refusalTraining(model.metadata),
    },
  };
}

/** The views, in tab order. */
export const VIEWS = ["units", "backquery", "test", "curves"] as const;
export type View = typeof VIEWS[number];

/** The most frequent confusion (off the diagonal), as a cell index; 1 if none. */
export function worstConfusion(confusion: Uint32Array): number {
  let best = 1;
  for (let cell = 0; cell < confusion.length; cell++) {
    const diagonal = Math.floor(cell / CLASSES) === cell % CLASSES;
    if (!diagonal && confusion[cell] > confusion[best]) best = cell;
  }
  return best;
}

/** What the person has chosen: the view, a hidden unit, a confusion cell. */
export class UiState {
  /** Index into VIEWS. */
  view = 0;
  /** The enlarged hidden unit, or -1 for none. */
  unit = -1;
  /** The confusion cell whose images are shown: label * 10 + predicted. */
  cell: number;
  readonly #hidden: number;

  constructor(inspection: Inspection) {
    this.#hidden = inspection.hidden;
    this.cell = worstConfusion(inspection.test.confusion);
  }

  get viewName(): View {
    return VIEWS[this.view];
  }

  /** Shows view `i` (wrapping); true if that changed anything. */
  showView(i: number): boolean {
    const next = ((i % VIEWS.length) + VIEWS.length) % VIEWS.length;
    if (next === this.view) return false;
    this.view = next;
    return true;
  }

  /** Selects hidden unit `u` (-1: none); true if that changed anything. */
  selectUnit(u: number): boolean {
    const next = u < 0 ? -1 : Math.min(u, this.#hidden - 1);
    if (next === this.unit) return false;
    this.unit = next;
    return true;
  }

  /** Selects confusion cell `cell`; true if that changed anything. */
  selectCell(cell: number): boolean {
    if (cell < 0 || cell >= CLASSES * CLASSES || cell === this.cell) {
      return false;
    }
    this.cell = cell;
    return true;
  }
}
