/**
 * The colours of every window (render, draw and its inside view, inspect), in
 * one place so that they stay alike. Each name is one role: a colour that two
 * things share is the same role in both.
 *
 * @module
 */
import type { Rgb } from "../native/sdl2.ts";

/** Colours of the windows, as 0xRRGGBB. */
export const COLOURS = {
  /** White ground: the drawing canvas, the plots, the veil over a record. */
  paper: 0xffffff,
  /** Full ink on the canvas. */
  ink: 0x000000,
  /** The side panel's background, and the inspect window's. */
  panel: 0xf3f1ec,
  /** The line between canvas and panel, and the frame of the network's view. */
  frame: 0xbdb8ad,
  /** Thin outlines of pictures and plots, and zero lines. */
  outline: 0xc9c4ba,
  /** A plot's grid lines. */
  gridline: 0xeeebe5,
  text: 0x222222,
  /** Captions and key help. */
  muted: 0x6b6b6b,
  /** Text on a dark ground (the dark cells of a heat map). */
  onDark: 0xffffff,
  /** The empty part of a bar, neutral boxes, the tab bar. */
  track: 0xe2dfd8,
  /** An ordinary probability bar. */
  bar: 0xa9b4bb,
  /** What stands out: the network's answer, a record's true label, the tab shown. */
  accent: 0x1565c0,
  /** What the user chose (a hidden unit, a confusion cell, a piece shown). */
  select: 0xe65100,
  /** A third curve, beside `accent`'s and `right`'s: the learning rate. */
  third: 0xe65100,
  /** A run that waits: training paused. */
  paused: 0xe65100,
  /** The network is right: text, and the box behind it. */
  right: 0x2e7d32,
  rightBack: 0xe1efe1,
  /** The network is wrong, or something failed. */
  wrong: 0xc62828,
  /** The eraser, while it is on. */
  eraser: 0xc62828,
  wrongBack: 0xf8dfdc,
  /** Behind a grid of lit cells, showing between them. */
  board: 0x2b2b2b,
  /** Marks the hidden units that push the answer most. */
  mark: 0x00bcd4,
} as const satisfies Record<string, Rgb>;
