/**
 * The windows' one event loop, driven by a stand-in window that hands out
 * scripted events and records how long the loop asked to wait: when it
 * sleeps, when it draws, when it prints, and how it waits for a handler's
 * work; and `pumpEvents()`, which never waits.
 */
import type { SdlEvent, Window } from "../lib/native/sdl2.ts";
import { EventLoop, pumpEvents } from "../lib/ui/event_loop.ts";
import { assertEquals } from "./_assert.ts";

const key = (k: number): SdlEvent => ({
  type: "keydown",
  key: k,
  mod: 0,
  repeat: false,
});

/**
 * A window whose events arrive in batches: each wait that may sleep (a
 * timeout other than 0) takes the next batch, an empty one meaning that the
 * timeout ran out; every wait is recorded in `log` as "wait T".
 */
class ScriptedWindow {
  readonly #arrivals: SdlEvent[][];
  #queue: SdlEvent[] = [];

  constructor(readonly log: string[], ...arrivals: SdlEvent[][]) {
    this.#arrivals = arrivals;
  }

  get window(): Window {
    return this as unknown as Window;
  }

  waitEvent(timeoutMs: number): SdlEvent | null {
    this.log.push(`wait ${timeoutMs}`);
    if (this.#queue.length === 0 && timeoutMs !== 0) {
      const next = this.#arrivals.shift();
      if (next === undefined) {
        throw new Error("the loop waited past the script");
      }
      this.#queue = next;
    }
    return this.#queue.shift() ?? null;
  }
}

Deno.test("EventLoop.run() draws, sleeps until an event, and draws once per batch", async () => {
  const log: string[] = [];
  const win = new ScriptedWindow(
    log,
    [key(1), key(2), key(3)],
    [key(4)],
    [{ type: "window" }],
    [{ type: "quit" }],
  );
  await new EventLoop(win.window).run({
    handle: (e) => {
      log.push(`key ${e.type === "keydown" ? e.key : "?"}`);
      return e.type === "keydown" && e.key !== 4;
    },
    draw: () => log.push("draw"),
  });
  assertEquals(log, [
    "draw",
    // Idle: no timeout, so SDL sleeps in the kernel until something comes.
    "wait -1",
    "key 1",
    "wait 0",
    "key 2",
    "wait 0",
    "key 3",
    "wait 0",
    "draw",
    "wait -1",
    "key 4", // changes nothing: no drawing
    "wait 0",
    "wait -1",
    "wait 0", // a window event redraws without the handler
    "draw",
    "wait -1",
  ]);
});

Deno.test("EventLoop.run() ends on the handler's quit, leaving the rest unhandled", async () => {
  const log: string[] = [];
  const win = new ScriptedWindow(log, [key(1), key(27), key(2)]);
  await new EventLoop(win.window).run({
    handle: (e) => {
      log.push(`key ${e.type === "keydown" ? e.key : "?"}`);
      return e.type === "keydown" && e.key === 27 ? "quit" : true;
    },
    draw: () => log.push("draw"),
  });
  assertEquals(log, ["draw", "wait -1", "key 1", "wait 0", "key 27"]);
});

Deno.test("EventLoop.print() lines come out after the frame that shows them", async () => {
  const log: string[] = [];
  const win = new ScriptedWindow(log, [key(1)], [key(2)], [{ type: "quit" }]);
  const loop = new EventLoop(win.window, (line) => log.push(`out ${line}`));
  await loop.run({
    handle: (e) => {
      if (e.type === "keydown") loop.print(`line ${e.key}`);
      return e.type === "keydown" && e.key === 1;
    },
    draw: () => log.push("draw"),
  });
  assertEquals(log, [
    "draw",
    "wait -1",
    "wait 0",
    "draw",
    "out line 1",
    "wait -1",
    "wait 0",
    // Nothing to draw: printed at once.
    "out line 2",
    "wait -1",
  ]);
});

Deno.test("EventLoop.run() finishes a handler's work before the events behind it", async () => {
  const log: string[] = [];
  const win = new ScriptedWindow(log, [key(1), key(2)], [{ type: "quit" }]);
  await new EventLoop(win.window).run({
    handle: (e) => {
      const k = e.type === "keydown" ? e.key : 0;
      log.push(`key ${k}`);
      if (k !== 1) return false;
      return new Promise((resolve) =>
        setTimeout(() => {
          log.push("saved");
          resolve(true);
        }, 20)
      );
    },
    draw: () => log.push("draw"),
  });
  assertEquals(log, [
    "draw",
    "wait -1",
    "key 1",
    "saved",
    "wait 0",
    "key 2",
    "wait 0",
    "draw",
    "wait -1",
  ]);
});

Deno.test("EventLoop.run() sleeps no longer than due() says, and updates after each wait", async () => {
  const log: string[] = [];
  // The first timeout runs out with no event; then a key; then quit.
  const win = new ScriptedWindow(log, [], [key(1)], [{ type: "quit" }]);
  const dues = [40, 0];
  await new EventLoop(win.window).run({
    handle: () => false,
    draw: () => log.push("draw"),
    due: () => dues.shift() ?? -1,
    update: () => {
      log.push("update");
      return log.filter((l) => l === "update").length === 1;
    },
  });
  assertEquals(log, [
    "draw",
    "wait 40",
    "update", // its time came: the window must redraw
    "draw",
    "wait 0", // due at once: no sleep
    "update",
    "wait -1", // nothing due: sleep until an event
    "wait 0",
    "update",
    "wait -1",
  ]);
});

Deno.test("pumpEvents() handles what is queued and never waits", () => {
  const log: string[] = [];
  const handled: number[] = [];
  const handle = (e: SdlEvent) => {
    if (e.type === "keydown") handled.push(e.key);
    return e.type === "keydown" && e.key === 2;
  };
  // Nothing queued: nothing handled, no sleep.
  const idle = new ScriptedWindow(log);
  assertEquals(pumpEvents(idle.window, handle), false);
  assertEquals(log, ["wait 0"]);

  const win = new ScriptedWindow([], [key(1), key(2), key(3)]);
  win.waitEvent(-1); // the events arrive; the first is taken here
  assertEquals(pumpEvents(win.window, handle), true);
  assertEquals(handled, [2, 3]);
  assertEquals(win.log, ["wait -1", "wait 0", "wait 0", "wait 0"]);

  const closed = new ScriptedWindow([], [key(5), { type: "quit" }, key(6)]);
  closed.waitEvent(-1);
  assertEquals(pumpEvents(closed.window, handle), "quit");
  const shown = new ScriptedWindow([], [key(5), { type: "window" }]);
  shown.waitEvent(-1);
  assertEquals(pumpEvents(shown.window, () => false), true);
});
