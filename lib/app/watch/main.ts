/**
 * The window of `deno task train --watch`: training as it happens. It opens
 * before the data is read (so that a missing display is the first error),
 * follows the run through the trainer's hooks, and stays open on the final
 * network once the model is saved, until ESC or the window is closed.
 *
 * The hooks run between steps, on the thread that trains: they draw at most
 * every `FRAME_MS` (state.ts), and in between handle the window's events
 * without waiting (`pumpEvents()`), every `EVENTS_MS`. SPACE pauses: the hook
 * then sleeps until the next event, so a paused run uses no CPU; ESC or
 * closing the window stops the run.
 *
 * @module
 */
import type { Dataset } from "../../data/mnist.ts";
import { PixelTexture, type SdlEvent, Window } from "../../native/sdl2.ts";
import type { Network } from "../../nn/network.ts";
import type { HookResult, TrainHooks } from "../../nn/train.ts";
import {
  EventLoop,
  type EventResult,
  pumpEvents,
} from "../../ui/event_loop.ts";
import { Fonts } from "../../ui/fonts.ts";
import { COLOURS } from "../../ui/palette.ts";
import { Scene, showScene } from "../../ui/scene.ts";
import { HEIGHT, WIDTH } from "../../ui/wide_window.ts";
import { type Due, WatchState } from "./state.ts";
import { drawWatch, type Weights } from "./view.ts";

/**
 * Hooks that call each of `hooks` in turn, every one of them each time; the
 * run stops when any of them says "stop".
 */
export function composeHooks(...hooks: TrainHooks[]): TrainHooks {
  return {
    afterStep: (step, network) => {
      let result: HookResult = undefined;
      for (const h of hooks) {
        if (h.afterStep?.(step, network) === "stop") result = "stop";
      }
      return result;
    },
    afterEpoch: (epoch, network) => {
      let result: HookResult = undefined;
      for (const h of hooks) {
        if (h.afterEpoch?.(epoch, network) === "stop") result = "stop";
      }
      return result;
    },
  };
}

/** The window's title: the network, and where the run is. */
export function windowTitle(state: WatchState, hidden?: number): string {
  const name = hidden === undefined ? "Training" : `Training 784-${hidden}-10`;
  const r = state.last;
  switch (state.phase) {
    case "loading":
      return `${name} · reading the data`;
    case "training":
      return r ? `${name} · epoch ${r.epoch} of ${state.epochs}` : name;
    default:
      return `${name} · ${state.phase}`;
  }
}

/** The training window; `using` closes it. */
export class WatchWindow implements Disposable {
  readonly state: WatchState;
  readonly #fonts: Fonts;
  readonly #win: Window;
  readonly #texture: PixelTexture;
  readonly #pixels = new Uint32Array(WIDTH * HEIGHT);
  /** One scene, drawn again for each frame. */
  readonly #scene = new Scene(WIDTH, HEIGHT);
  #weights: Weights | undefined;
  readonly #handle = (event: SdlEvent): EventResult =>
    event.type === "keydown" ? this.state.key(event.key) : false;

  /**
   * Opens the fonts, then the window, for a run of `epochs` epochs, and
   * shows it: a missing font or display throws here, before anything else
   * is done. `options` go to the state (its clock, the frames' spacing).
   */
  constructor(
    epochs: number,
    options: ConstructorParameters<typeof WatchState>[1] = {},
  ) {
    this.state = new WatchState(epochs, options);
    this.#fonts = new Fonts();
    try {
      this.#win = new Window(windowTitle(this.state), WIDTH, HEIGHT);
      try {
        this.#texture = new PixelTexture(this.#win, WIDTH, HEIGHT);
      } catch (e) {
        this.#win.close();
        throw e;
      }
    } catch (e) {
      this.#fonts.close();
      throw e;
    }
    this.draw();
  }

  /** Draws the window as the state and the last weights seen say. */
  draw(): void {
    const c = this.#scene;
    c.raster.fill(0, 0, WIDTH, HEIGHT, COLOURS.panel);
    c.labels.length = 0;
    drawWatch(c, this.state, this.#weights);
    showScene(this.#win, this.#texture, this.#pixels, this.#fonts, c);
    this.#win.present();
    // After drawing, so that a new title means the new frame is on screen.
    this.#win.setTitle(windowTitle(this.state, this.#weights?.hidden));
    this.state.frameDrawn();
  }

  /** A frame of `network`: its weights, and its answers on the strip. */
  #frame(network: Network): void {
    this.#weights = { w1: network.params.w1, hidden: network.hidden };
    const { strip } = this.state;
    if (strip.count > 0) {
      this.state.setAnswers(network.predict(strip.images, strip.count));
    }
    this.draw();
  }

  /**
   * The hooks that show a run, which starts now; the strip's digits come from
   * `testSet`. Either hook returns "stop" once the user stopped the run.
   */
  hooks(testSet: Dataset | undefined): TrainHooks {
    this.state.start(testSet);
    return {
      afterStep: (step, network) => {
        this.state.step(step);
        return this.#turn(network, this.state.due());
      },
      afterEpoch: (epoch, network) => {
        this.state.epochEnd(epoch);
        return this.#turn(network, "frame");
      },
    };
  }

  /**
   * Before training starts (the data being read, the examples that are no
   * digit being made): handles the window's events; true once the user
   * stopped the run.
   */
  stoppedWhileLoading(): boolean {
    if (pumpEvents(this.#win, this.#handle) === "quit") this.state.stop();
    if (this.state.stopped) this.draw();
    return this.state.stopped;
  }

  /** The hooks' work between two steps: events, a frame, a pause. */
  #turn(network: Network, due: Due): HookResult {
    if (due === "none") return;
    const result = pumpEvents(this.#win, this.#handle);
    if (result === "quit") this.state.stop();
    if (this.state.stopped) return "stop";
    if (due === "frame" || result) this.#frame(network);
    if (this.state.paused) this.#waitWhilePaused(network);
    return this.state.stopped ? "stop" : undefined;
  }

  /**
   * Sleeps until an event comes, handles it and those queued behind it, and
   * again, while the run is paused; draws what they change.
   */
  #waitWhilePaused(network: Network): void {
    while (this.state.paused) {
      const result = pumpEvents(this.#win, this.#handle, -1);
      if (result === "quit") this.state.stop();
      else if (result) this.#frame(network);
    }
  }

  /**
   * The run is over and the model saved (`summary` says so): shows the final
   * `network` until ESC or the window is closed.
   */
  async finish(network: Network, summary: string): Promise<void> {
    this.state.finish(summary);
    this.#frame(network);
    await new EventLoop(this.#win).run({
      draw: () => this.draw(),
      handle: this.#handle,
    });
  }

  /** Closes the window and the fonts; later calls do nothing. */
  close(): void {
    this.#texture.close();
    this.#win.close();
    this.#fonts.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
