/**
 * The colours of both windows, in one place so that they stay alike.
 *
 * @module
 */
import type { Rgb } from "../native/sdl2.ts";

/** Colours of the windows, as 0xRRGGBB. */
export const COLOURS = {
  /** The drawing canvas's background. */
  paper: 0xffffff,
  /** Full ink on the canvas. */
  ink: 0x000000,
  /** The side panel's background. */
  panel: 0xf3f1ec,
  /** Frames and the line between canvas and panel. */
  frame: 0xbdb8ad,
  text: 0x222222,
  /** Captions and key help. */
  muted: 0x6b6b6b,
  /** The empty part of a probability bar, and neutral boxes. */
  track: 0xe2dfd8,
  /** An ordinary probability bar. */
  bar: 0xa9b4bb,
  /** What stands out: the network's answer, a record's true label. */
  accent: 0x1565c0,
  /** The network is right: text, and the box behind it. */
  right: 0x2e7d32,
  rightBack: 0xe1efe1,
  /** The network is wrong, or something failed; the eraser. */
  wrong: 0xc62828,
  wrongBack: 0xf8dfdc,
} as const satisfies Record<string, Rgb>;
