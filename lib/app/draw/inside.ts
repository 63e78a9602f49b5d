/**
 * What the drawing window's inside panel (TAB) reads from the network: the
 * network the sketch reads with, keeping what its recent one-image passes
 * computed inside (`InsideNetwork`), and the panel's state made from the
 * pass over one piece of the drawing: the answer, its logit, and the hidden
 * units that push it most.
 *
 * Nothing here runs the network a second time: the hidden activations shown
 * are those of the pass that gave the piece's answer.
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
import type { NumberReading } from "../../read/read_number.ts";

/** How many of the units that push the answer most the panel shows. */
export const TOP_UNITS = 5;

/**
 * How many one-image passes an `InsideNetwork` keeps: more than the pieces
 * of any number drawn, whose passes come last in a reading.
 */
export const KEPT_PASSES = 32;

/** What one one-image pass computed, kept: its input and what it made of it. */
export interface Pass {
  /** (784) the image it read. */
  input: Uint8Array;
  /** (H) hidden activations h, 0 to 1. */
  h: Float32Array;
  /** (10) logits z. */
  z: Float32Array;
  /** (10) sigmoid outputs y = σ(z). */
  y: Float32Array;
}

/**
 * A network that keeps the insides of its recent one-image passes: the
 * hidden activations, the logits and the outputs, with the image each read.
 * It shares the parameters of the network it is made from. Passes over more
 * images go on as before.
 */
export class InsideNetwork extends Network {
  readonly #batch: Batch;
  // The last KEPT_PASSES passes, oldest overwritten first; #next is the
  // slot of the next one.
  readonly #kept: Pass[];
  #next = 0;
  /** How many one-image passes it has made: the panel's cue to look again. */
  passes = 0;

  constructor(network: Network) {
    super(network.params);
    this.#batch = new Batch(1, this.hidden);
    this.#kept = Array.from({ length: KEPT_PASSES }, () => ({
      input: new Uint8Array(INPUTS),
      h: new Float32Array(this.hidden),
      z: new Float32Array(OUTPUTS),
      y: new Float32Array(OUTPUTS),
    }));
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
    const batch = this.#batch;
    scaleInputs(images, batch.x);
    this.forward(batch, 1);
    this.passes++;
    const kept = this.#kept[this.#next];
    this.#next = (this.#next + 1) % KEPT_PASSES;
    kept.input.set(images);
    kept.h.set(batch.a1.subarray(0, this.hidden));
    kept.z.set(batch.z2.subarray(0, OUTPUTS));
    kept.y.set(batch.a2.subarray(0, OUTPUTS));
    return batch.a2.slice(0, OUTPUTS);
  }

  /**
   * The latest of the kept passes that read `pixels` (784 bytes), or `null`
   * when none did. Its arrays are the network's own: read them before
   * `KEPT_PASSES` more passes.
   */
  passOver(pixels: Uint8Array): Pass | null {
    for (let k = 1; k <= Math.min(this.passes, KEPT_PASSES); k++) {
      const pass = this.#kept[(this.#next - k + KEPT_PASSES) % KEPT_PASSES];
      if (sameBytes(pass.input, pixels)) return pass;
    }
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/** The piece of a drawing whose pass the panel shows. */
export interface InsidePiece {
  /** (784) the image the network read for it. */
  pixels: Uint8Array;
  /** Which piece it is, from 0, left to right, and of how many. */
  index: number;
  count: number;
}

/**
 * The piece of `reading` the inside panel shows: the first that is not a
 * digit, when one is not, so that the panel shows why; else the first.
 * `null` while nothing is drawn.
 */
export function insidePiece(reading: NumberReading): InsidePiece | null {
  const { digits } = reading;
  if (digits.length === 0) return null;
  const refused = digits.findIndex((d) => d.reading.digit === null);
  const index = Math.max(0, refused);
  return {
    pixels: digits[index].input.pixels,
    index,
    count: digits.length,
  };
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
  /** Which piece of the drawing it shows, from 0, and of how many (0 while nothing is drawn). */
  piece: number;
  pieces: number;
}

/**
 * The panel's state from `network`'s pass over `piece`, or an empty one
 * when `piece` is `null` (nothing drawn) or no kept pass read it. `h` and
 * `y` are the network's own buffers, not copies: read them before its next
 * passes.
 */
export function insideOf(
  network: InsideNetwork,
  piece: InsidePiece | null,
  weightScale: number,
): Inside {
  const pass = piece === null ? null : network.passOver(piece.pixels);
  if (pass === null) {
    return {
      hidden: network.hidden,
      h: null,
      y: null,
      answer: -1,
      logit: 0,
      bias: 0,
      top: [],
      weightScale,
      piece: 0,
      pieces: 0,
    };
  }
  const { h, y, z } = pass;
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
    piece: piece!.index,
    pieces: piece!.count,
  };
}
