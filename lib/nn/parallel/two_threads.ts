/**
 * Training steps on two threads: this one and a Worker (./worker.ts), each
 * owning half of the hidden units, with their rows of W1 and b1 and their own
 * (B, h) activations. Each half runs the layer functions of lib/nn/layers.ts
 * on its units; this thread also runs the output layer, which reads both
 * halves. Split by units, no partial gradients need summing: each half's dW1
 * rows are its own.
 *
 * Why: on one thread, OpenBLAS uses both cores only inside sgemm, and the
 * element-wise work around it (gathering, sigmoids, the small output layer)
 * leaves one core idle for about a third of an epoch. Split by hidden units,
 * each thread runs its own single-threaded sgemm and its own element-wise
 * work, and the threads meet three times a step: when the batch is made (each
 * thread gathers, or distorts, part of its rows), when both halves' hidden
 * activations are computed (this thread then runs the output layer), and when
 * the output layer's gradients are ready.
 *
 * Both threads see the same memory (SharedArrayBuffers, which this module
 * makes): parameters, velocity, the images (or, distorting, the images
 * prepared for it), the order and the batch buffers. They wait for each other
 * on counters in `ctrl`: a short spin, then Atomics.wait.
 *
 * The threads take the rows of a batch to make from a shared counter, a few
 * at a time: the worker while this thread runs the output layer (the rows of
 * the next batch), and both before each step; so whichever thread is ahead
 * makes more of them. Distorting, this thread draws every row's distortion
 * from the one random stream, in the order one thread draws them, a batch
 * ahead. Who makes a row does not change it, so the model does not depend on
 * how the rows fell. Weight decay scales each thread's own rows of W1 (and W2,
 * here) at the same steps and by the same factors as on one thread.
 *
 * @module
 */
import { loadBlas, saxpy, sscal } from "../../native/blas.ts";
import { Augmenter, type AugmentOptions, DRAW_SLOTS } from "../augment.ts";
import { type AugmentSource, augmentSource } from "../augment_source.ts";
import {
  linearBackward,
  linearForward,
  sigmoidBackward,
  sigmoidExactForward,
  sigmoidForward,
} from "../layers.ts";
import {
  gatherScaled,
  INPUTS,
  Network,
  OUTPUTS,
  parameterCount,
  type Parameters,
  parameterViews,
} from "../network.ts";
import type { Run, Steps } from "../train.ts";
import { FAILED, MAIN, Meeting, STOP, STOPPED, WORKER } from "./meeting.ts";

/**
 * Starts the training worker, to be given to `train()`. It loads its modules
 * and OpenBLAS, then waits for the buffers of a `TwoThreads`; started before
 * the data is read, it is ready when training starts. `train()` takes it over
 * (trains with it, or terminates it).
 */
export function startTrainingWorker(): Worker {
  return new Worker(new URL("./worker.ts", import.meta.url).href, {
    type: "module",
  });
}

/**
 * Rows taken at a time from the counter of a batch's rows, gathering and
 * distorting: some microseconds of work each time, so that the counter is not
 * fought over, and fine enough to even out the threads.
 */
const GATHER_CHUNK = 8;
const DISTORT_CHUNK = 1;

/** `n` zero bytes in shared memory. */
function sharedBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

/** `n` zero floats in shared memory. */
function sharedFloats(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

/** A copy of `bytes` in shared memory, where both threads can read it. */
export function inSharedMemory(bytes: Uint8Array): Uint8Array {
  const copy = sharedBytes(bytes.length);
  copy.set(bytes);
  return copy;
}

/** The distortions both threads make. */
interface SharedDistortion {
  options: AugmentOptions;
  /** The elastic fields of this thread's augmenter. */
  fields: Float32Array;
  /** The images prepared for distortion (`augmentSource()`), all shared. */
  source: AugmentSource;
  /** The distortions of batches b and b + 1 in draws[b % 2], DRAW_SLOTS a row. */
  draws: [Float64Array, Float64Array];
}

/** What both threads share, as posted to the worker: all in shared memory. */
interface Shared {
  hidden: number;
  /** Hidden units of this thread's half (the worker has the rest). */
  h0: number;
  batch: number;
  /** Images per epoch (the length of `order`). */
  count: number;
  momentum: number;
  /** The parameters and their velocity, as `parameterViews()` lays them out. */
  params: Float32Array;
  velocity: Float32Array;
  /** The images' raw bytes, 784 each (empty when distorting). */
  pixels: Uint8Array;
  distortion?: SharedDistortion;
  order: Uint32Array;
  /** Two (B, 784) input buffers: step b makes its rows in x[b % 2]. */
  x: [Float32Array, Float32Array];
  /** The counters of rows taken of batches b and b + 1, in slot b % 2. */
  claims: Int32Array;
  /** The worker's (B, H - h0) activations and their gradients. */
  a1: Float32Array;
  dz1: Float32Array;
  /** The rate of the current step and its weight decay factor (0: none). */
  rate: Float64Array;
  ctrl: Int32Array;
}

/**
 * Makes rows of batch `b`, taken from its counter, until none are left or,
 * with `meeting`, until the other thread has arrived at the next meeting:
 * distorted with `augmenter`, else gathered as they are.
 */
function makeRows(
  s: Shared,
  augmenter: Augmenter | undefined,
  b: number,
  meeting?: Meeting,
): void {
  const first = b * s.batch;
  const rows = Math.min(s.batch, s.count - first), p = b & 1;
  const x = s.x[p], chunk = augmenter ? DISTORT_CHUNK : GATHER_CHUNK;
  while (!meeting?.othersArrived()) {
    const r = Atomics.add(s.claims, p, chunk);
    if (r >= rows) return;
    const end = Math.min(r + chunk, rows);
    if (augmenter) {
      const d = s.distortion!;
      augmenter.distortRows(d.source, s.order, first, r, end, d.draws[p], x);
    } else {
      gatherScaled(
        s.pixels,
        s.order,
        first + r,
        end - r,
        x.subarray(r * INPUTS),
      );
    }
  }
}

/** One thread's half of the hidden units: its views of the shared buffers. */
class Half {
  /** (h, 784) and (h): its rows of W1 and b1, and of their velocity. */
  readonly W1: Float32Array;
  readonly b1: Float32Array;
  readonly dW1: Float32Array;
  readonly db1: Float32Array;
  /** (B, h) its activations, and their gradients. */
  readonly a1: Float32Array;
  readonly dz1: Float32Array;
  readonly h: number;
  readonly #ones: Float32Array;

  constructor(
    p: Parameters,
    v: Parameters,
    from: number,
    to: number,
    a1: Float32Array,
    dz1: Float32Array,
    ones: Float32Array,
  ) {
    this.h = to - from;
    this.W1 = p.w1.subarray(from * INPUTS, to * INPUTS);
    this.b1 = p.b1.subarray(from, to);
    this.dW1 = v.w1.subarray(from * INPUTS, to * INPUTS);
    this.db1 = v.b1.subarray(from, to);
    this.a1 = a1;
    this.dz1 = dz1;
    this.#ones = ones;
  }

  /** a1 = sigmoid(x W1^T + b1) over n rows: the hidden layer, on this half. */
  forward(x: Float32Array, n: number): void {
    linearForward(this.a1, x, this.W1, this.b1, n, INPUTS, this.h);
    sigmoidForward(this.a1, n * this.h);
  }

  /**
   * Given da1 in dz1: the hidden layer's backward on this half (velocity =
   * gradient + momentum * velocity), then its step at `rate` and the decay
   * of its weights by 1 - `decay`.
   */
  backwardAndStep(
    x: Float32Array,
    n: number,
    momentum: number,
    rate: number,
    decay: number,
  ): void {
    const { W1, b1, dW1, db1, h } = this;
    sigmoidBackward(this.dz1, this.a1, n * h);
    linearBackward(
      null,
      dW1,
      db1,
      this.dz1,
      x,
      W1,
      this.#ones,
      n,
      INPUTS,
      h,
      momentum,
    );
    saxpy(dW1.length, -rate, dW1, W1);
    saxpy(h, -rate, db1, b1);
    if (decay > 0) sscal(W1.length, 1 - decay, W1);
  }
}

/**
 * The worker's side: units h0 .. H-1. Runs epochs until told to stop; this
 * thread's side, `TwoThreads.step()`, meets it three times a step.
 */
export function runWorker(s: Shared): void {
  const meeting = new Meeting(s.ctrl, WORKER);
  const { hidden: H, h0, batch: B, count } = s;
  const half = new Half(
    parameterViews(s.params, H),
    parameterViews(s.velocity, H),
    h0,
    H,
    s.a1,
    s.dz1,
    new Float32Array(B).fill(1),
  );
  const batches = Math.ceil(count / B);
  const augmenter = s.distortion &&
    new Augmenter(s.distortion.options, s.distortion.fields);
  try {
    for (;;) {
      meeting.meet(); // the epoch's order is shuffled, or we are done
      if (Atomics.load(s.ctrl, STOP)) return;
      for (let b = 0; b < batches; b++) {
        const rows = Math.min(B, count - b * B), x = s.x[b & 1];
        makeRows(s, augmenter, b);
        meeting.meet(); // the batch is made
        half.forward(x, rows);
        meeting.meet(); // both halves are forward
        // Rows of the next batch (opened before this one's first meeting),
        // while this thread would wait.
        if (b + 1 < batches) makeRows(s, augmenter, b + 1, meeting);
        meeting.meet(); // the output layer is done, dz1 holds da1
        if (Atomics.load(s.ctrl, STOP)) return;
        half.backwardAndStep(x, rows, s.momentum, s.rate[0], s.rate[1]);
      }
      meeting.meet(); // the epoch is done
    }
  } catch (e) {
    if (e === STOPPED) return;
    Atomics.store(s.ctrl, FAILED, 1);
    Atomics.notify(s.ctrl, WORKER);
    throw e;
  }
}

/**
 * This thread's side: units 0 .. h0-1 and the output layer, and the worker.
 * It owns the shared memory, the worker and OpenBLAS's thread setting (one
 * thread each while training), which `close()` puts back.
 */
export class TwoThreads implements Steps {
  /** The network, with its parameters in shared memory. */
  readonly network: Network;
  readonly order: Uint32Array;
  readonly #s: Shared;
  readonly #meeting: Meeting;
  readonly #worker: Worker;
  readonly #half: Half;
  /** The velocity (momentum updates) of every parameter. */
  readonly #v: Parameters;
  readonly #labels: Uint8Array;
  readonly #batchLabels: Uint8Array;
  readonly #threads: number;
  readonly #z2: Float32Array;
  readonly #a2: Float32Array;
  readonly #dz2: Float32Array;
  readonly #ones: Float32Array;
  /** w2 and b2, back to back, and their velocity. */
  readonly #out: Float32Array;
  readonly #dOut: Float32Array;
  readonly #augmenter: Augmenter | undefined;
  readonly #distorting: Run["distorting"];
  readonly #loss: Run["loss"];
  #closed: Network | undefined;

  /**
   * Trains a copy of the run's network with `worker` (from
   * `startTrainingWorker()`, taken over); the images are copied into shared
   * memory, or prepared for distortion there.
   */
  constructor(worker: Worker, run: Run) {
    const { network: start, images, labels, count, batch, momentum } = run;
    const distorting = run.distorting;
    this.#worker = worker;
    const H = start.hidden, h0 = H >> 1;
    const params = sharedFloats(parameterCount(H));
    const velocity = sharedFloats(parameterCount(H));
    const p = parameterViews(params, H), v = parameterViews(velocity, H);
    for (const k of ["w1", "b1", "w2", "b2"] as const) {
      p[k].set(start.params[k]);
    }
    let distortion: SharedDistortion | undefined;
    if (distorting) {
      const fields = sharedFloats(distorting.augmenter.fields.length);
      fields.set(distorting.augmenter.fields);
      distortion = {
        options: { ...distorting.augmenter.options },
        fields,
        source: augmentSource(inSharedMemory(images), sharedBytes),
        draws: [
          new Float64Array(new SharedArrayBuffer(batch * DRAW_SLOTS * 8)),
          new Float64Array(new SharedArrayBuffer(batch * DRAW_SLOTS * 8)),
        ],
      };
    }
    const s: Shared = this.#s = {
      hidden: H,
      h0,
      batch,
      count,
      momentum,
      params,
      velocity,
      pixels: distorting ? new Uint8Array(0) : inSharedMemory(images),
      distortion,
      order: new Uint32Array(new SharedArrayBuffer(count * 4)),
      x: [sharedFloats(batch * INPUTS), sharedFloats(batch * INPUTS)],
      claims: new Int32Array(new SharedArrayBuffer(8)),
      a1: sharedFloats(batch * (H - h0)),
      dz1: sharedFloats(batch * (H - h0)),
      rate: new Float64Array(new SharedArrayBuffer(16)),
      ctrl: new Int32Array(new SharedArrayBuffer(16)),
    };
    this.network = new Network(p);
    this.#v = v;
    this.order = s.order;
    this.#ones = new Float32Array(batch).fill(1);
    this.#half = new Half(
      p,
      v,
      0,
      h0,
      new Float32Array(batch * h0),
      new Float32Array(batch * h0),
      this.#ones,
    );
    this.#labels = labels;
    this.#batchLabels = new Uint8Array(batch);
    this.#z2 = new Float32Array(batch * OUTPUTS);
    this.#a2 = new Float32Array(batch * OUTPUTS);
    this.#dz2 = new Float32Array(batch * OUTPUTS);
    const outAt = H * INPUTS + H;
    this.#out = params.subarray(outAt);
    this.#dOut = velocity.subarray(outAt);
    this.#distorting = distorting;
    this.#loss = run.loss;
    this.#augmenter = distorting?.augmenter;
    // Each thread runs its own sgemm on one core.
    this.#threads = loadBlas().threads;
    loadBlas({ threads: 1 });
    this.#meeting = new Meeting(s.ctrl, MAIN);
    this.#worker.postMessage(s);
  }

  /** Lets the worker start an epoch over the (shuffled) order. */
  startEpoch(): void {
    this.#open(0);
    this.#meeting.meet();
  }

  /**
   * Opens the rows of batch b, if there is one, to be taken, with their
   * distortions drawn first if we distort. Batch b - 2, the last to use its
   * buffers, is done with since the first meeting of step b - 1.
   */
  #open(b: number): void {
    const s = this.#s;
    const rows = Math.min(s.batch, s.count - b * s.batch);
    if (rows <= 0) return;
    const d = this.#distorting;
    d?.augmenter.drawRows(d.rng, rows, s.distortion!.draws[b & 1]);
    Atomics.store(s.claims, b & 1, 0);
  }

  /** Waits until the worker has finished the epoch's last step. */
  endEpoch(): void {
    this.#meeting.meet();
  }

  /**
   * Runs `f` between epochs, while the worker waits, with OpenBLAS on all its
   * threads again: for the test-set evaluation, whose large sgemm then has
   * both cores.
   */
  betweenEpochs<T>(f: () => T): T {
    loadBlas({ threads: this.#threads });
    try {
      return f();
    } finally {
      loadBlas({ threads: 1 });
    }
  }

  step(first: number, rows: number, rate: number, decay: number): number {
    const s = this.#s, H = s.hidden, h0 = s.h0, h1 = H - h0;
    const b = first / s.batch, x = s.x[b & 1];
    const half = this.#half, labels = this.#batchLabels;
    // The next batch's rows may be taken once the worker is past the second
    // meeting of this step.
    this.#open(b + 1);
    makeRows(s, this.#augmenter, b);
    for (let r = 0; r < rows; r++) labels[r] = this.#labels[s.order[first + r]];
    this.#meeting.meet(); // the batch is made
    half.forward(x, rows);
    this.#meeting.meet(); // both halves are forward
    // The output layer over both halves: their activations are the two
    // column blocks of its input, W2's columns 0 .. h0-1 and h0 .. H-1.
    const { w2: W2, b2 } = this.network.params;
    const v = this.#v;
    const z2 = this.#z2, a2 = this.#a2, dz2 = this.#dz2, ones = this.#ones;
    const W2b = W2.subarray(h0), dW2b = v.w2.subarray(h0);
    linearForward(z2, half.a1, W2, b2, rows, h0, OUTPUTS, H);
    linearForward(z2, s.a1, W2b, null, rows, h1, OUTPUTS, H);
    sigmoidExactForward(a2, z2, rows * OUTPUTS);
    const loss = this.#loss.forward(z2, a2, labels, rows, OUTPUTS);
    this.#loss.backward(dz2, a2, labels, rows, OUTPUTS);
    // Each half's da1 into its dz1, and dW2, db2 (W2 read before it changes).
    const m = s.momentum;
    linearBackward(
      half.dz1,
      v.w2,
      v.b2,
      dz2,
      half.a1,
      W2,
      ones,
      rows,
      h0,
      OUTPUTS,
      m,
      H,
    );
    linearBackward(
      s.dz1,
      dW2b,
      null,
      dz2,
      s.a1,
      W2b,
      ones,
      rows,
      h1,
      OUTPUTS,
      m,
      H,
    );
    s.rate[0] = rate;
    s.rate[1] = decay;
    saxpy(this.#out.length, -rate, this.#dOut, this.#out);
    this.#meeting.meet(); // the output layer is done
    half.backwardAndStep(x, rows, m, rate, decay);
    if (decay > 0) sscal(W2.length, 1 - decay, W2);
    return loss;
  }

  /**
   * Stops the worker, gives OpenBLAS its threads back and returns the network
   * in ordinary memory. Idempotent.
   */
  close(): Network {
    if (this.#closed) return this.#closed;
    // The worker leaves at its next meeting; woken now if it sleeps in one. (A
    // worker terminated while in Atomics.wait keeps the process from exiting.)
    Atomics.store(this.#s.ctrl, STOP, 1);
    Atomics.notify(this.#s.ctrl, MAIN);
    loadBlas({ threads: this.#threads });
    const params = new Float32Array(this.#s.params);
    return this.#closed = new Network(parameterViews(params, this.#s.hidden));
  }
}
