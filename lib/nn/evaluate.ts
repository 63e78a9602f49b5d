/**
 * The network's answers over a whole data set, compared with its labels: the
 * one place that runs a network over a set and takes each image's most
 * probable digit.
 *
 * @module
 */
import type { Dataset } from "../data/mnist.ts";
import { PIXELS } from "../data/mnist.ts";
import { argmaxRow, type Network, normaliseRows, OUTPUTS } from "./network.ts";

/** What the network makes of a data set. */
export interface Evaluation {
  /** (count, 10) probabilities, each row summing to one. */
  probs: Float32Array;
  /**
   * (count, 10) raw outputs, each a sigmoid in 0..1, the probabilities
   * before the normalisation.
   */
  outputs: Float32Array;
  /** Each image's most probable digit. */
  predicted: Uint8Array;
  /**
   * Each image's largest raw output, before the normalisation: all outputs
   * low means "like no digit" (see `Network.outputs()`).
   */
  highest: Float32Array;
  /** confusion[label * 10 + predicted] = count. */
  confusion: Uint32Array;
  /** The share of images read right, 0..1. */
  accuracy: number;
}

/** Classifies every image of `data` and compares with its labels. */
export function evaluate(network: Network, data: Dataset): Evaluation {
  const { count } = data;
  const probs = network.outputs(
    data.images.subarray(0, count * PIXELS),
    count,
  );
  const predicted = new Uint8Array(count);
  const highest = new Float32Array(count);
  const confusion = new Uint32Array(OUTPUTS * OUTPUTS);
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const p = predicted[i] = argmaxRow(probs, i);
    highest[i] = probs[i * OUTPUTS + p];
    confusion[data.labels[i] * OUTPUTS + p]++;
    if (p === data.labels[i]) correct++;
  }
  const outputs = probs.slice();
  normaliseRows(probs, count);
  return {
    probs,
    outputs,
    predicted,
    highest,
    confusion,
    accuracy: correct / count,
  };
}
