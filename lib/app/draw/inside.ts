/**
 * What the drawing window's inside panel (TAB) reads from the network: the
 * network the sketch classifies with, keeping what its last one-image pass
 * computed inside (`InsideNetwork`), and the panel's state made from that
 * pass: the answer, its logit, and the hidden units that push it most.
 *
 * Nothing here runs the network a second time: the hidden activations shown
 * are those of the pass that gave the answer.
 *
 * @module
 */
import {
  Batch,
  INPUTS,
  Network,
  OUTPUTS,
  scaleInputs,
} from "../../nn/network.ts";

/** How many of the units that push the answer most the panel shows. */
export const TOP_UNITS = 5;

/**
 * A network that keeps the insides of its last one-image pass: the hidden
 * activations, the logits and the outputs. It shares the parameters of the
 * network it is made from. Passes over more images go on as before.
 */
export class InsideNetwork extends Network {
  readonly #batch: Batch;
  /** How many one-image passes it has made: the panel's cue to look again. */
  passes = 0;

  constructor(network: Network) {
    super(network.params);
    this.#batch = new Batch(1, this.hidden);
  }

  /** (H) hidden activations h of the last one-image pass, 0 to 1. */
  get h(): Float32Array {
    return this.#batch.a1;
  }

  /** (10) logits z of the last one-image pass. */
  get z(): Float32Array {
    return this.#batch.z2;
  }

  /** (10) sigmoid outputs y = σ(z) of the last one-image pass. */
  get y(): Float32Array {
    return this.#batch.a2;
  }

  /** As `Network.outputs()`; a single image goes through the kept batch. */
  override outputs(images: Uint8Array, count: number): Float32Array {
    if (count !== 1 || images.length !== INPUTS) {
      return super.outputs(images, count);
    }
    scaleInputs(images, this.#batch.x);
    this.forward(this.#batch, 1);
    this.passes++;
    return this.#batch.a2.slice(0, OUTPUTS);
  }
}

/** A hidden unit and what it adds to the answer's logit: w2[d, j] · h_j. */
export interface TopUnit {
  unit: number;
  contribution: number;
}

/**
 * The `k` hidden units with the largest contributions w2[digit, j] · h[j] to
 * output `digit`, largest first (ties: the lower unit first). `w2` is (10, H).
 */
export function topContributions(
  w2: Float32Array,
  h: Float32Array,
  digit: number,
  k = TOP_UNITS,
): TopUnit[] {
  const H = h.length;
  if (w2.length !== OUTPUTS * H) {
    throw new RangeError(
      `topContributions: w2 has ${w2.length} elements, (10, ${H}) needs ${
        OUTPUTS * H
      }`,
    );
  }
  if (!(Number.isInteger(digit) && digit >= 0 && digit < OUTPUTS)) {
    throw new RangeError(`topContributions: digit is ${digit}, expected 0-9`);
  }
  const all: TopUnit[] = [];
  const row = digit * H;
  for (let j = 0; j < H; j++) {
    all.push({ unit: j, contribution: w2[row + j] * h[j] });
  }
  all.sort((a, b) => b.contribution - a.contribution || a.unit - b.unit);
  return all.slice(0, Math.min(k, H));
}

/** What the inside panel shows. */
export interface Inside {
  /** Hidden units of the network. */
  hidden: number;
  /** (H) activations of the pass that gave the answer; `null` while nothing is drawn. */
  h: Float32Array | null;
  /** (10) sigmoid outputs of that pass, or `null`. */
  y: Float32Array | null;
  /** The answer, the largest output; -1 while nothing is drawn. */
  answer: number;
  /** The answer's logit z, and the part of it from the output bias. */
  logit: number;
  bias: number;
  /** The units that push the answer most, largest first. */
  top: TopUnit[];
  /** Half-range of the weight pictures' diverging colour map. */
  weightScale: number;
}

/**
 * The panel's state from `network`'s last one-image pass, or an empty one
 * when `drawn` is false. `h` and `y` are the network's own buffers, not
 * copies: read them before its next pass.
 */
export function insideOf(
  network: InsideNetwork,
  drawn: boolean,
  weightScale: number,
): Inside {
  if (!drawn || network.passes === 0) {
    return {
      hidden: network.hidden,
      h: null,
      y: null,
      answer: -1,
      logit: 0,
      bias: 0,
      top: [],
      weightScale,
    };
  }
  const { h, y, z } = network;
  let answer = 0;
  for (let d = 1; d < OUTPUTS; d++) if (y[d] > y[answer]) answer = d;
  return {
    hidden: network.hidden,
    h,
    y,
    answer,
    logit: z[answer],
    bias: network.params.b2[answer],
    top: topContributions(network.params.w2, h, answer),
    weightScale,
  };
}
