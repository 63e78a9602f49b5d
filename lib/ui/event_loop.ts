/**
 * The event loop of the windows that change only when the user does something
 * (render, inspect): sleep until an event comes, hand it and every event
 * already queued behind it to the state, then draw once if any of them changed
 * what is shown. An idle window sleeps in the kernel and uses no CPU.
 *
 * @module
 */
import type { SdlEvent, Window } from "../native/sdl2.ts";

/** What a state makes of one event: quit, or whether the window must redraw. */
export type EventResult = "quit" | boolean;

/**
 * Draws, then runs until the window is closed or `handle` says "quit".
 * Window events (exposed, resized) redraw without asking `handle`.
 */
export function runEventLoop(
  win: Window,
  handle: (event: SdlEvent) => EventResult,
  draw: () => void,
): void {
  draw();
  for (;;) {
    let event = win.waitEvent(-1);
    let dirty = false;
    while (event) {
      if (event.type === "quit") return;
      const result = event.type === "window" ? true : handle(event);
      if (result === "quit") return;
      if (result) dirty = true;
      event = win.waitEvent(0);
    }
    if (dirty) draw();
  }
}
