/**
 * The event loop of every window (render, draw, inspect): sleep until an
 * event comes, hand it and every event already queued behind it to the
 * window's handler, then draw once if any of them changed what is shown. An
 * idle window sleeps in the kernel (`SDL_WaitEventTimeout`) and uses no CPU.
 *
 * Beside events, a window may have work that falls due on its own (the
 * drawing window's live predictions): `due()` says how long the loop may
 * sleep before it, `update()` does it. A handler may return a promise (a
 * drawing being saved): the loop awaits it before it handles the next event.
 * Lines for stdout go through `print()` and come out once the window shows
 * the state they describe.
 *
 * The SDL wait blocks JavaScript's own event loop: between turns, the loop
 * lets the tasks queued meanwhile run (a worker's messages, say), and a
 * window waiting for such a message wakes for it with `due()`.
 *
 * `pumpEvents()` is one turn of the loop without the sleep: it handles the
 * events already queued and returns at once, so that a window stays alive
 * while a long computation runs between its calls (or, told to, sleeps until
 * an event comes, as a paused training run does).
 *
 * Closing the window (or SDL's quit event) and a handler's "quit" end the
 * loop; the window is closed by its owner (`using`), and SDL is never shut
 * down (see lib/native/sdl2.ts on why).
 *
 * @module
 */
import type { SdlEvent, Window } from "../native/sdl2.ts";

/** What an event does: end the loop, or whether the window must redraw. */
export type EventResult = "quit" | boolean;

/** A window's handler: what an event does, now or once a promise settles. */
export type EventHandler = (
  event: SdlEvent,
) => EventResult | Promise<EventResult>;

/** A window's part in the loop. */
export interface LoopApp {
  /** What an event does. Window events (shown, exposed) redraw without it. */
  handle: EventHandler;
  /** Draws the whole window and presents it. */
  draw(): void;
  /**
   * Milliseconds until `update()` falls due: 0 at once, -1 (or no `due`)
   * never; the loop sleeps no longer than this for the next event.
   */
  due?(): number;
  /**
   * Runs after each batch of events, and when `due()`'s time has come:
   * whatever work fell due. True if the window must redraw.
   */
  update?(): boolean;
}

/**
 * Hands `handle` the events queued for `win`, waiting up to `timeoutMs` for
 * the first (0: not at all, -1: for ever). Stops at a quit and at a handler
 * that returns a promise, which it returns: the events behind it stay queued
 * until the promise has settled.
 */
function handleQueued(
  win: Window,
  handle: EventHandler,
  timeoutMs: number,
): { result: EventResult; pending: Promise<EventResult> | null } {
  let dirty = false;
  let event = win.waitEvent(timeoutMs);
  while (event) {
    if (event.type === "quit") return { result: "quit", pending: null };
    const result = event.type === "window" ? true : handle(event);
    if (result instanceof Promise) return { result: dirty, pending: result };
    if (result === "quit") return { result, pending: null };
    if (result) dirty = true;
    event = win.waitEvent(0);
  }
  return { result: dirty, pending: null };
}

/**
 * Handles whatever events are queued for `win`, by default without waiting
 * for more (`timeoutMs` -1 sleeps until the first comes): "quit" when the
 * window was closed or `handle` says so, else whether any event changed what
 * is shown (window events do). One turn of the loop, for a window that must
 * answer while a long computation runs, or that waits inside it (a paused
 * run).
 */
export function pumpEvents(
  win: Window,
  handle: (event: SdlEvent) => EventResult,
  timeoutMs = 0,
): EventResult {
  return handleQueued(win, handle, timeoutMs).result;
}

/** Resolves once the tasks queued now (timers, a worker's messages) have run. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The loop of one window, and the lines it prints once they are on screen. */
export class EventLoop {
  readonly #win: Window;
  readonly #out: (line: string) => void;
  readonly #lines: string[] = [];

  /** A loop for `win`; `out` prints the lines of `print()` (default stdout). */
  constructor(win: Window, out: (line: string) => void = console.log) {
    this.#win = win;
    this.#out = out;
  }

  /**
   * Prints `line` once the window shows what it says: after the next frame,
   * so that whoever reads stdout sees the same state on screen.
   */
  print(line: string): void {
    this.#lines.push(line);
  }

  /** Draws, then runs until the window is closed or `app.handle` says "quit". */
  async run(app: LoopApp): Promise<void> {
    let dirty = true;
    for (;;) {
      if (dirty) {
        app.draw();
        dirty = false;
      }
      for (const line of this.#lines) this.#out(line);
      this.#lines.length = 0;

      let turn = handleQueued(this.#win, app.handle, app.due?.() ?? -1);
      // A handler's work runs to its end before the events behind it.
      while (turn.pending !== null) {
        if (turn.result === true) dirty = true;
        const done = await turn.pending;
        if (done === "quit") return;
        if (done) dirty = true;
        turn = handleQueued(this.#win, app.handle, 0);
      }
      if (turn.result === "quit") return;
      if (turn.result) dirty = true;
      await nextTask();
      if (app.update?.()) dirty = true;
    }
  }
}
