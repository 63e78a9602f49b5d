/**
 * Training on two threads: this one and a Worker, each owning half of the
 * hidden units (see "The network split by hidden units" in network.ts).
 *
 * Why: in one thread, OpenBLAS uses both cores only inside sgemm, and the
 * element-wise work around it (gathering, sigmoids, the small output layer)
 * leaves one core idle for about a third of an epoch. Split by hidden units,
 * each thread runs its own single-threaded sgemm and its own element-wise work,
 * and the threads meet three times a step: when the batch is gathered (each
 * thread gathers, or distorts, part of its rows), when both hidden blocks are
 * computed (this thread then runs the output layer), and when the output
 * layer's gradients are ready.
 *
 * Both threads see the same memory (SharedArrayBuffers): parameters, velocity,
 * the images (or, distorting, the images prepared for it), the order and
 * the batch buffers. They wait for each other on counters in `ctrl`: a short
 * spin, then Atomics.wait.
 *
 * The threads take the rows of a batch to gather (or distort) from a shared
 * counter, a few at a time: the worker while this thread runs the output layer
 * (the rows of the next batch), and both before each step; so whichever thread
 * is ahead does more of them. Distorting, this thread draws every row's
 * distortion from the one random stream, in the order one thread draws them, a
 * batch ahead. Who makes a row does not change it, so the model does not depend
 * on how the rows fell. Weight decay scales each thread's own rows of W1 (and
 * W2, here) at the same steps and by the same factors as on one thread.
 *
 * @module
 */
import {
  gatherScaled,
  hiddenBlockBackward,
  hiddenBlockForward,
  INPUTS,
  Network,
  outputLayerOverBlocks,
  OUTPUTS,
  type Parameters,
  parameterViews,
  zeroParameters,
} from "./network.ts";
import { loadBlas, saxpy, sscal } from "../native/blas.ts";
import { inSharedMemory } from "../bytes.ts";
import {
  Augmenter,
  type AugmentOptions,
  type AugmentSource,
  augmentSource,
  DRAW_SLOTS,
} from "./augment.ts";
import type { Random } from "../random.ts";

/** Slots of the control array. */
const MAIN = 0; // arrivals of the main thread
const WORKER = 1; // arrivals of the worker
const STOP = 2; // 1: the worker leaves its loop
const FAILED = 3; // 1: the worker threw

/**
 * Polls of the other thread's counter before sleeping in Atomics.wait (some
 * 100 us). A wake-up from Atomics.wait costs tens of microseconds, and a step
 * meets three times: spinning this long made an epoch a tenth faster.
 */
const SPIN = 50000;

/**
 * Rows taken at a time from the counter of a batch's rows, gathering and
 * distorting: some microseconds of work each time, so that the counter is not
 * fought over, and fine enough to even out the threads.
 */
const GATHER_CHUNK = 8;
const DISTORT_CHUNK = 1;

/**
 * Makes rows of batch `b`, taken from its counter, until none are left or,
 * with `meeting`, until the other thread has arrived at the next meeting:
 * distorted with `augmenter`, else gathered as they are.
 */
function prepareShare(
  v: SplitViews,
  augmenter: Augmenter | undefined,
  b: number,
  meeting?: Meeting,
): void {
  const s = v.s, first = b * s.batch;
  const rows = Math.min(s.batch, s.count - first), p = b & 1;
  const claims = v.claims, x = v.x[p], draws = v.draws[p];
  const chunk = augmenter ? DISTORT_CHUNK : GATHER_CHUNK;
  while (!meeting?.othersArrived()) {
    const r = Atomics.add(claims, p, chunk);
    if (r >= rows) return;
    const end = Math.min(r + chunk, rows);
    if (augmenter) {
      augmenter.distortRows(v.source!, v.order, first, r, end, draws, x);
    } else {
      gatherScaled(
        v.pixels,
        v.order,
        first + r,
        end - r,
        x.subarray(r * INPUTS),
      );
    }
  }
}

/** The distortion inputs both threads share. */
export interface SplitAugment {
  options: AugmentOptions;
  /** The elastic fields of the main thread's augmenter. */
  fields: SharedArrayBuffer;
  /** The images prepared for distortion (`augmentSource()`), all shared. */
  source: AugmentSource;
  /**
   * The distortions of batches b and b + 1 in draws[b % 2], DRAW_SLOTS
   * Float64s a row.
   */
  draws: [SharedArrayBuffer, SharedArrayBuffer];
}

/**
 * Starts the training worker, which loads its modules and OpenBLAS and then
 * waits for a `SplitTrainer`'s buffers. Started before the data is loaded, it
 * is ready when training starts; one not given to a `SplitTrainer` must be
 * terminated.
 */
export function startTrainingWorker(): Worker {
  return new Worker(new URL("./_split_worker.ts", import.meta.url).href, {
    type: "module",
  });
}

/** Thrown in the worker's meetings once the main thread has closed. */
const STOPPED = new Error("the training was closed");

/** What both threads share, as posted to the worker. */
export interface SplitShared {
  hidden: number;
  /** Hidden units of the main thread's block (the worker has the rest). */
  h0: number;
  batch: number;
  /** Images per epoch (the length of `order`). */
  count: number;
  momentum: number;
  params: SharedArrayBuffer;
  velocity: SharedArrayBuffer;
  /** The images' raw bytes, 784 each, in shared memory (empty when distorting). */
  pixels: Uint8Array;
  /** Present when distorting: what to distort, and how. */
  augment?: SplitAugment;
  order: SharedArrayBuffer;
  /** Two (B, 784) input buffers: step b gathers into x[b % 2]. */
  x: [SharedArrayBuffer, SharedArrayBuffer];
  /** The counters of rows taken of batches b and b + 1, in slot b % 2 (Int32s). */
  claims: SharedArrayBuffer;
  /** The worker's (B, H - h0) activations and their gradients. */
  a1: SharedArrayBuffer;
  dz1: SharedArrayBuffer;
  /** The rate of the current step and its weight decay factor (0: none), Float64s. */
  rate: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
}

/** Arrives at the next meeting point as `me` and waits for the other thread. */
export class Meeting {
  readonly #ctrl: Int32Array;
  readonly #me: number;
  readonly #other: number;
  #count = 0;

  constructor(ctrl: Int32Array, me: number) {
    this.#ctrl = ctrl;
    this.#me = me;
    this.#other = me === MAIN ? WORKER : MAIN;
  }

  /** Whether the other thread has arrived at the meeting we go to next. */
  othersArrived(): boolean {
    return Atomics.load(this.#ctrl, this.#other) > this.#count;
  }

  meet(): void {
    const ctrl = this.#ctrl, other = this.#other;
    const n = ++this.#count;
    Atomics.store(ctrl, this.#me, n);
    Atomics.notify(ctrl, this.#me);
    for (let spin = 0; spin < SPIN; spin++) {
      if (Atomics.load(ctrl, other) >= n) return;
    }
    for (;;) {
      const seen = Atomics.load(ctrl, other);
      if (seen >= n) return;
      if (Atomics.load(ctrl, FAILED)) {
        throw new Error("the training worker failed (its error is above)");
      }
      if (this.#me === WORKER && Atomics.load(ctrl, STOP)) throw STOPPED;
      Atomics.wait(ctrl, other, seen, 1000);
    }
  }
}

/** The views of `SplitShared` both threads use. */
export class SplitViews {
  readonly s: SplitShared;
  readonly params: Float32Array;
  readonly velocity: Float32Array;
  readonly pixels: Uint8Array;
  readonly order: Uint32Array;
  readonly x: [Float32Array, Float32Array];
  readonly a1: Float32Array;
  readonly dz1: Float32Array;
  readonly rate: Float64Array;
  readonly ctrl: Int32Array;
  readonly ones: Float32Array;
  readonly source: AugmentSource | undefined;
  readonly draws: [Float64Array, Float64Array];
  readonly claims: Int32Array;

  constructor(s: SplitShared) {
    this.s = s;
    this.params = new Float32Array(s.params);
    this.velocity = new Float32Array(s.velocity);
    this.pixels = s.pixels;
    this.order = new Uint32Array(s.order);
    this.x = [new Float32Array(s.x[0]), new Float32Array(s.x[1])];
    this.a1 = new Float32Array(s.a1);
    this.dz1 = new Float32Array(s.dz1);
    this.rate = new Float64Array(s.rate);
    this.ctrl = new Int32Array(s.ctrl);
    this.ones = new Float32Array(s.batch).fill(1);
    const a = s.augment;
    this.source = a?.source;
    this.draws = a
      ? [new Float64Array(a.draws[0]), new Float64Array(a.draws[1])]
      : [new Float64Array(0), new Float64Array(0)];
    this.claims = new Int32Array(s.claims);
  }

  /** Views of the parameters or velocity (as zeroParameters lays them out). */
  parameters(flat: Float32Array): Parameters {
    return parameterViews(flat, this.s.hidden);
  }
}

/**
 * The worker's side: units h0 .. H-1. Runs epochs until told to stop; the
 * main thread runs the matching sequence in lib/nn/train.ts.
 */
export function runWorker(s: SplitShared): void {
  const v = new SplitViews(s);
  const meeting = new Meeting(v.ctrl, WORKER);
  const { hidden: H, h0, batch: B, count } = s;
  const h = H - h0;
  const p = v.parameters(v.params), d = v.parameters(v.velocity);
  const W1h = p.w1.subarray(h0 * INPUTS), b1h = p.b1.subarray(h0);
  const dW1h = d.w1.subarray(h0 * INPUTS), db1h = d.b1.subarray(h0);
  const batches = Math.ceil(count / B);
  const augmenter = s.augment &&
    new Augmenter(s.augment.options, new Float32Array(s.augment.fields));
  try {
    for (;;) {
      meeting.meet(); // the epoch's order is shuffled, or we are done
      if (Atomics.load(v.ctrl, STOP)) return;
      for (let b = 0; b < batches; b++) {
        const rows = Math.min(B, count - b * B), x = v.x[b & 1];
        prepareShare(v, augmenter, b);
        meeting.meet(); // the batch is gathered
        hiddenBlockForward(v.a1, x, W1h, b1h, rows, h);
        meeting.meet(); // both blocks are forward
        // Rows of the next batch (opened before this one's first meeting),
        // while this thread would wait.
        if (b + 1 < batches) prepareShare(v, augmenter, b + 1, meeting);
        meeting.meet(); // the output layer is done, dz1 holds da1
        if (Atomics.load(v.ctrl, STOP)) return;
        hiddenBlockBackward(
          dW1h,
          db1h,
          v.dz1,
          v.a1,
          x,
          v.ones,
          rows,
          h,
          s.momentum,
        );
        const rate = v.rate[0], decay = v.rate[1];
        saxpy(dW1h.length, -rate, dW1h, W1h);
        saxpy(h, -rate, db1h, b1h);
        if (decay > 0) sscal(W1h.length, 1 - decay, W1h);
      }
      meeting.meet(); // the epoch is done
    }
  } catch (e) {
    if (e === STOPPED) return;
    Atomics.store(v.ctrl, FAILED, 1);
    Atomics.notify(v.ctrl, WORKER);
    throw e;
  }
}

/**
 * The main thread's side: units 0 .. h0-1 and the output layer, and the
 * worker it starts. Use: `order` to shuffle, then per epoch `startEpoch()`,
 * `step()` for each batch, `endEpoch()`; `close()` at the end (always).
 */
export class SplitTrainer {
  /** The network, with its parameters in shared memory. */
  readonly network: Network;
  /** The epoch's order of images: shuffle it before `startEpoch()`. */
  readonly order: Uint32Array;
  readonly #v: SplitViews;
  readonly #meeting: Meeting;
  readonly #worker: Worker;
  readonly #labels: Uint8Array;
  readonly #dataLabels: Uint8Array;
  readonly #threads: number;
  readonly #a1: Float32Array;
  readonly #dz1: Float32Array;
  readonly #z2: Float32Array;
  readonly #a2: Float32Array;
  readonly #dz2: Float32Array;
  readonly #p: Parameters;
  readonly #d: Parameters;
  readonly #W1h: Float32Array;
  readonly #b1h: Float32Array;
  readonly #dW1h: Float32Array;
  readonly #db1h: Float32Array;
  /** w2 and b2, back to back, and their velocity. */
  readonly #out: Float32Array;
  readonly #dOut: Float32Array;
  readonly #augmenter: Augmenter | undefined;
  readonly #rng: Random | undefined;
  #closed = false;

  /**
   * Takes a copy of `start`'s parameters; `images` (raw bytes) are copied
   * into shared memory unless they are there already, or with `augment`
   * prepared for distortion there;
   * `count` images make an epoch. `augment.rng` draws the distortions.
   * `worker`: one from `startTrainingWorker()`, taken over; by default one is
   * started here.
   */
  constructor(
    start: Network,
    images: Uint8Array,
    labels: Uint8Array,
    count: number,
    batch: number,
    momentum: number,
    augment?: { augmenter: Augmenter; rng: Random },
    worker?: Worker,
  ) {
    // Started first, so that the worker loads its modules and OpenBLAS while
    // this thread prepares the images; it waits for the buffers' message.
    this.#worker = worker ?? startTrainingWorker();
    const H = start.hidden, h0 = H >> 1;
    const sab = (floats: number) => new SharedArrayBuffer(floats * 4);
    const params = zeroParameters(H, { shared: true });
    for (const k of ["w1", "b1", "w2", "b2"] as const) {
      params[k].set(start.params[k]);
    }
    const velocity = zeroParameters(H, { shared: true });
    let splitAugment: SplitAugment | undefined;
    if (augment) {
      const source = augmentSource(images, { shared: true });
      const fields = augment.augmenter.fields;
      const sharedFields = new Float32Array(sab(fields.length));
      sharedFields.set(fields);
      splitAugment = {
        options: { ...augment.augmenter.options },
        fields: sharedFields.buffer as SharedArrayBuffer,
        source,
        draws: [
          new SharedArrayBuffer(batch * DRAW_SLOTS * 8),
          new SharedArrayBuffer(batch * DRAW_SLOTS * 8),
        ],
      };
      this.#augmenter = augment.augmenter;
      this.#rng = augment.rng;
    }
    const shared: SplitShared = {
      hidden: H,
      h0,
      batch,
      count,
      momentum,
      params: params.w1.buffer as SharedArrayBuffer,
      velocity: velocity.w1.buffer as SharedArrayBuffer,
      pixels: augment ? new Uint8Array(0) : inSharedMemory(images),
      augment: splitAugment,
      order: sab(count),
      x: [sab(batch * INPUTS), sab(batch * INPUTS)],
      claims: new SharedArrayBuffer(8),
      a1: sab(batch * (H - h0)),
      dz1: sab(batch * (H - h0)),
      rate: new SharedArrayBuffer(16),
      ctrl: new SharedArrayBuffer(16),
    };
    const v = this.#v = new SplitViews(shared);
    this.network = new Network(params);
    this.order = v.order;
    this.#dataLabels = labels;
    this.#labels = new Uint8Array(batch);
    this.#a1 = new Float32Array(batch * h0);
    this.#dz1 = new Float32Array(batch * h0);
    this.#z2 = new Float32Array(batch * OUTPUTS);
    this.#a2 = new Float32Array(batch * OUTPUTS);
    this.#dz2 = new Float32Array(batch * OUTPUTS);
    this.#p = params;
    this.#d = velocity;
    this.#W1h = params.w1.subarray(0, h0 * INPUTS);
    this.#b1h = params.b1.subarray(0, h0);
    this.#dW1h = velocity.w1.subarray(0, h0 * INPUTS);
    this.#db1h = velocity.b1.subarray(0, h0);
    const outAt = H * INPUTS + H;
    this.#out = v.params.subarray(outAt);
    this.#dOut = v.velocity.subarray(outAt);
    // Each thread runs its own sgemm on one core.
    this.#threads = loadBlas().threads;
    loadBlas({ threads: 1 });
    this.#meeting = new Meeting(v.ctrl, MAIN);
    this.#worker.postMessage(shared);
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
    const v = this.#v, s = v.s;
    const rows = Math.min(s.batch, s.count - b * s.batch);
    if (rows <= 0) return;
    this.#augmenter?.drawRows(this.#rng!, rows, v.draws[b & 1]);
    Atomics.store(v.claims, b & 1, 0);
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

  /**
   * Step b of the epoch (images order[b B ..], `rows` of them) at learning
   * rate `rate`, then weight decay: the weights shrink by the factor
   * 1 - `decay` (0: none); returns the batch's loss.
   */
  step(b: number, rows: number, rate: number, decay = 0): number {
    const v = this.#v, s = v.s, B = s.batch, H = s.hidden, h0 = s.h0;
    const first = b * B, x = v.x[b & 1];
    const order = v.order, labels = this.#labels, all = this.#dataLabels;
    // The next batch's rows may be taken once the worker is past the second
    // meeting of this step.
    this.#open(b + 1);
    prepareShare(v, this.#augmenter, b);
    for (let r = 0; r < rows; r++) labels[r] = all[order[first + r]];
    this.#meeting.meet(); // the batch is gathered
    hiddenBlockForward(this.#a1, x, this.#W1h, this.#b1h, rows, h0);
    this.#meeting.meet(); // both blocks are forward
    const p = this.#p, d = this.#d;
    const loss = outputLayerOverBlocks(
      [this.#a1, v.a1],
      [this.#dz1, v.dz1],
      [0, h0],
      p.w2,
      p.b2,
      d.w2,
      d.b2,
      this.#z2,
      this.#a2,
      this.#dz2,
      v.ones,
      labels,
      rows,
      H,
      s.momentum,
    );
    v.rate[0] = rate;
    v.rate[1] = decay;
    saxpy(this.#out.length, -rate, this.#dOut, this.#out);
    this.#meeting.meet(); // the output layer is done
    hiddenBlockBackward(
      this.#dW1h,
      this.#db1h,
      this.#dz1,
      this.#a1,
      x,
      v.ones,
      rows,
      h0,
      s.momentum,
    );
    saxpy(this.#dW1h.length, -rate, this.#dW1h, this.#W1h);
    saxpy(h0, -rate, this.#db1h, this.#b1h);
    if (decay > 0) {
      sscal(this.#W1h.length, 1 - decay, this.#W1h);
      sscal(p.w2.length, 1 - decay, p.w2);
    }
    return loss;
  }

  /** Stops the worker and gives OpenBLAS its threads back. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // The worker leaves at its next meeting; woken now if it sleeps in one. (A
    // worker terminated while in Atomics.wait keeps the process from exiting.)
    Atomics.store(this.#v.ctrl, STOP, 1);
    Atomics.notify(this.#v.ctrl, MAIN);
    loadBlas({ threads: this.#threads });
  }
}
