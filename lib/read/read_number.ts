/**
 * Reads what people write: one digit or a number of several. The ink is
 * split into digits (lib/image/segment.ts), digits that touch being cut where
 * the network reads the parts best; each piece is made MNIST-like and read
 * alone (`readDigit()`); the digits go left to right. If any piece is not a
 * digit, the whole reading is no number, and the reason says which piece.
 *
 * Two sources: a grey image (a photo's ink, a file), whose pieces are
 * preprocessed as they are (`readInk()`); and a drawing on a `Canvas`, whose
 * pieces are drawn again from their own strokes with a pen sized to each
 * (`readDrawing()`), as a single drawing is (lib/image/redraw.ts).
 *
 * @module
 */
import { PIXELS } from "../data/mnist.ts";
import { alongPath, Canvas, replay, type StrokePath } from "../image/canvas.ts";
import {
  type Box,
  type GreyImage,
  preprocess,
  type Preprocessed,
} from "../image/preprocess.ts";
import { type AsDrawn, drawingInput } from "../image/redraw.ts";
import { type Piece, segment } from "../image/segment.ts";
import type { Model } from "../nn/model_file.ts";
import type { Network } from "../nn/network.ts";
import { modelThreshold, readDigit, type Reading } from "./read_digit.ts";

/** A network and how sure it must be for an answer to count. */
export interface DigitReader {
  network: Network;
  /** The largest raw output must reach it (see `modelThreshold()`). */
  threshold: number;
}

/** The reader of a loaded model: its network and its calibrated threshold. */
export function readerOf(model: Model): DigitReader {
  return {
    network: model.network,
    threshold: modelThreshold(model.metadata),
  };
}

/** One digit of a number: where it is, what the network read, and its answer. */
export interface DigitReading {
  /** Its box in the source's pixels (x, y, width, height). */
  box: Box;
  /** The MNIST-style image the network read, with its measures. */
  input: Preprocessed;
  reading: Reading;
}

/** What `readInk()` and `readDrawing()` make of some ink. */
export interface NumberReading {
  /** The digits read, left to right ("42"); `null` when there is no number. */
  number: string | null;
  /** Each piece of ink, left to right. */
  digits: DigitReading[];
  /** Why `number` is `null`, in a few words. */
  reason?: string;
}

/**
 * How confidently `network` reads some ink as one digit: its largest raw
 * output for the ink preprocessed, what `segment()` weighs cuts with.
 */
function judgeWith(network: Network) {
  const pixels = new Uint8Array(PIXELS);
  return (ink: GreyImage): number => {
    preprocess(ink, { out: pixels });
    return Math.max(...network.outputs(pixels, 1));
  };
}

/**
 * The number of `digits`, or why there is none: "nothing drawn" when there
 * are no pieces, and a number is one line of writing (`lines` of them).
 */
function numberOf(digits: DigitReading[], lines: number): NumberReading {
  if (digits.length === 0) {
    return { number: null, digits, reason: "nothing drawn" };
  }
  if (lines > 1) {
    return {
      number: null,
      digits,
      reason: `${lines} lines of writing, not one number`,
    };
  }
  const refused = digits.findIndex((d) => d.reading.digit === null);
  if (refused < 0) {
    return { number: digits.map((d) => d.reading.digit).join(""), digits };
  }
  const why = digits[refused].reading.reason!;
  return {
    number: null,
    digits,
    reason: digits.length === 1
      ? why
      : `piece ${refused + 1} of ${digits.length} is ${why}`,
  };
}

/**
 * Reads the digits in a grey image of ink (0 = background; `full` is full
 * ink, by default 255 for bytes and 1 for floats): each piece is
 * preprocessed as it is.
 */
export function readInk(
  reader: DigitReader,
  image: GreyImage,
  { full }: { full?: number } = {},
): NumberReading {
  const pieces = segment(image, { full, judge: judgeWith(reader.network) });
  return numberOf(
    pieces.map((piece) => {
      const input = preprocess(piece.ink, { full });
      return {
        box: piece.box,
        input,
        reading: readDigit(reader.network, input, {
          threshold: reader.threshold,
        }),
      };
    }),
    lineCount(pieces),
  );
}

/**
 * Reads the digits drawn on `canvas`. Each ink stroke goes with the piece
 * that most of its line lies on, and each piece is drawn again from its own
 * strokes (the eraser's included) with a pen sized to it. A stroke that runs
 * through several pieces (touching digits written in one go) cannot be
 * shared out: the pieces it runs through are then read as they are on the
 * canvas.
 */
export function readDrawing(
  reader: DigitReader,
  canvas: Canvas,
): NumberReading {
  const pieces = segment(canvas, { judge: judgeWith(reader.network) });
  const owners = strokeOwners(canvas.paths, pieces);
  return numberOf(
    pieces.map((piece, k) => {
      const { input, drawn } = owners.shared.has(k)
        ? { input: preprocess(piece.ink), drawn: asDrawn(piece, canvas) }
        : drawingInput(pieceCanvas(canvas, owners.paths[k]));
      return {
        box: piece.box,
        input,
        reading: readDigit(reader.network, input, {
          threshold: reader.threshold,
          drawn,
        }),
      };
    }),
    lineCount(pieces),
  );
}

/** How many lines of writing `pieces` are on. */
function lineCount(pieces: Piece[]): number {
  return pieces.reduce((n, p) => Math.max(n, p.line + 1), 0);
}

/** The drawing of one piece as it is on its canvas, for the dot check. */
function asDrawn(piece: Piece, canvas: Canvas): AsDrawn {
  const pre = preprocess(piece.ink, { pen: false });
  return {
    box: piece.box,
    source: { width: canvas.width, height: canvas.height },
    strokeWidth: pre.strokeWidth,
  };
}

/**
 * Which strokes belong to each piece: each ink stroke to the piece whose ink
 * most of its points lie on (strokes on no piece's ink, erased, to none), and
 * every eraser stroke to every piece. `shared` holds the pieces that a
 * stroke runs through as well as its own.
 */
function strokeOwners(
  paths: readonly StrokePath[],
  pieces: Piece[],
): { paths: StrokePath[][]; shared: Set<number> } {
  const owned: StrokePath[][] = pieces.map(() => []);
  const shared = new Set<number>();
  const erasers = paths.filter((p) => p.tool === "erase");
  for (const path of paths) {
    if (path.tool !== "ink") continue;
    const hits = pieces.map((piece) => pointsOn(path, piece));
    const best = hits.indexOf(Math.max(...hits));
    if (hits[best] === 0) continue;
    owned[best].push(path);
    // A stroke with a good part of it on other pieces runs through them.
    hits.forEach((n, k) => {
      if (k !== best && n > 0.2 * hits[best]) shared.add(k).add(best);
    });
  }
  // The eraser, in its place among the ink strokes.
  return {
    paths: owned.map((own) =>
      paths.filter((p) => own.includes(p) || erasers.includes(p))
    ),
    shared,
  };
}

/** How many points of `path`'s line, about a pixel apart, lie on `piece`'s ink. */
function pointsOn(path: StrokePath, piece: Piece): number {
  const { box, ink } = piece;
  let n = 0;
  alongPath(path.points, (x, y) => {
    const i = Math.floor(x) - box.x, j = Math.floor(y) - box.y;
    if (i >= 0 && j >= 0 && i < box.width && j < box.height) {
      if (ink.data[j * box.width + i] > 0) n++;
    }
  });
  return n;
}

/** A canvas like `canvas` with only `paths` drawn on it. */
function pieceCanvas(canvas: Canvas, paths: StrokePath[]): Canvas {
  const out = new Canvas(canvas.width, canvas.height, {
    radius: canvas.radius,
    softness: canvas.softness,
  });
  replay(out, paths);
  return out;
}
