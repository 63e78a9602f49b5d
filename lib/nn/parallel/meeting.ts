/**
 * Where the two training threads of ./two_threads.ts wait for each other: a
 * counter of arrivals per thread in a shared Int32Array, a short spin, then
 * Atomics.wait. The same array carries the stop and failure flags.
 *
 * @module
 */

/** Slots of the control array (4 Int32s). */
export const MAIN = 0; // arrivals of the main thread
export const WORKER = 1; // arrivals of the worker
export const STOP = 2; // 1: the worker leaves its loop
export const FAILED = 3; // 1: the worker threw

/**
 * Polls of the other thread's counter before sleeping in Atomics.wait (some
 * 100 us). A wake-up from Atomics.wait costs tens of microseconds, and a step
 * meets three times: spinning this long made an epoch a tenth faster.
 */
const SPIN = 50000;

/** Thrown in the worker's meetings once the main thread has closed. */
export const STOPPED = new Error("the training was closed");

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
