/**
 * A model's training history, kept in its file's metadata so that the curves
 * can be drawn later: one row per epoch with the mean training loss, the test
 * accuracy after the epoch, the seconds it took, and the learning rate.
 *
 * Safetensors metadata is a string-to-string map, so the history is one entry,
 * `history`, holding compact JSON: the column names once, then one array per
 * epoch, in order from epoch 1:
 *
 *   {"columns":["epoch","loss","accuracy","seconds","rate"],
 *    "rows":[[1,0.4213,0.9512,0.83,0.2],[2,0.1532,0.9634,0.81,0.19]]}
 *
 * Accuracy is `null` for an epoch without a test set. Numbers keep 6
 * significant digits, which is more than a curve can show.
 *
 * @module
 */
import { FileFormatError } from "../errors.ts";

/** The metadata key of the history. */
export const HISTORY_KEY = "history";
/** The columns, in order. */
export const HISTORY_COLUMNS = [
  "epoch",
  "loss",
  "accuracy",
  "seconds",
  "rate",
] as const;

/** One epoch of training. */
export interface EpochHistory {
  /** 1-based epoch. */
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Test accuracy after the epoch, 0..1; NaN without a test set. */
  accuracy: number;
  /** Seconds of training in the epoch. */
  seconds: number;
  /** Learning rate at the epoch's end (its last step). */
  rate: number;
}

const round = (v: number) => Number(v.toPrecision(6));

/**
 * The metadata entries that record `epochs` (in order, from epoch 1): merge
 * them into the rest of a model's metadata.
 */
export function encodeHistory(
  epochs: readonly EpochHistory[],
): Record<string, string> {
  const rows = epochs.map((e, i) => {
    if (e.epoch !== i + 1) {
      throw new RangeError(
        `encodeHistory: entry ${i} is epoch ${e.epoch}, expected ${i + 1}`,
      );
    }
    for (const key of ["loss", "seconds", "rate"] as const) {
      if (!(Number.isFinite(e[key]) && e[key] >= 0)) {
        throw new RangeError(
          `encodeHistory: epoch ${e.epoch} has ${key} ${e[key]}`,
        );
      }
    }
    return [
      e.epoch,
      round(e.loss),
      Number.isNaN(e.accuracy) ? null : round(e.accuracy),
      round(e.seconds),
      round(e.rate),
    ];
  });
  return {
    [HISTORY_KEY]: JSON.stringify({ columns: HISTORY_COLUMNS, rows }),
  };
}

/**
 * The history recorded in a model's `metadata`, or `undefined` when it has
 * none. Anything else than what `encodeHistory()` writes is a `FileFormatError`
 * naming `what` (e.g. "model 'models/x.safetensors'") and the place.
 */
export function decodeHistory(
  metadata: Record<string, string>,
  what = "model",
): EpochHistory[] | undefined {
  const text = metadata[HISTORY_KEY];
  if (text === undefined) return undefined;
  const fail = (why: string): never => {
    throw new FileFormatError(
      `Cannot read the training history of ${what}: ${why}`,
    );
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`metadata '${HISTORY_KEY}' is not valid JSON`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail(`metadata '${HISTORY_KEY}' is not a JSON object`);
  }
  const { columns, rows, ...rest } = json as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) fail(`unexpected field '${extra[0]}'`);
  if (
    !Array.isArray(columns) || columns.join() !== HISTORY_COLUMNS.join()
  ) {
    fail(`columns are not ${JSON.stringify(HISTORY_COLUMNS)}`);
  }
  if (!Array.isArray(rows)) return fail("rows is not an array");
  return rows.map((row: unknown, i): EpochHistory => {
    const at = `row ${i + 1}`;
    if (!Array.isArray(row) || row.length !== HISTORY_COLUMNS.length) {
      fail(`${at} is not an array of ${HISTORY_COLUMNS.length} values`);
    }
    const [epoch, loss, accuracy, seconds, rate] = row as unknown[];
    if (epoch !== i + 1) fail(`${at} is epoch ${epoch}, expected ${i + 1}`);
    const nonNegative = (name: string, v: unknown): number => {
      if (typeof v !== "number" || !(v >= 0)) {
        fail(`${at} has ${name} ${JSON.stringify(v)}, expected a number >= 0`);
      }
      return v as number;
    };
    if (
      accuracy !== null &&
      !(typeof accuracy === "number" && accuracy >= 0 && accuracy <= 1)
    ) {
      fail(
        `${at} has accuracy ${JSON.stringify(accuracy)}, expected 0..1 or null`,
      );
    }
    return {
      epoch: i + 1,
      loss: nonNegative("loss", loss),
      accuracy: accuracy === null ? NaN : accuracy as number,
      seconds: nonNegative("seconds", seconds),
      rate: nonNegative("rate", rate),
    };
  });
}
