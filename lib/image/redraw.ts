/**
 * The network's input for a drawing on a `Canvas`: the drawing drawn again
 * from its stroke paths, with a pen sized to the drawing, then `preprocess()`.
 *
 * A pen of one width makes a digit drawn small bold and one drawn large thin
 * once the digit is scaled to MNIST's 20x20 box: drawn 100 pixels tall with
 * the default 60-pixel brush, the strokes of a "2" or an "8" run together on
 * the canvas, and no reshaping of those pixels can bring the gaps back. The
 * paths still know where the pen went, so `redraw()` draws them again, at a
 * fixed scale (the longer side of the drawing's box always the same number
 * of pixels) with a pen that comes out `PEN_TARGET` wide after the fit. The
 * same digit drawn at any size then gives nearly the same input.
 *
 * The eraser is replayed in order with the ink. It keeps at least the size
 * it had on the canvas, so that the thinner strokes lose exactly what the
 * canvas lost where they lie: scrubbing a stroke out with several passes
 * removes it here too, and shaving the edge of a stroke changes nothing.
 *
 * The box is that of the paths' centre lines where the canvas still holds
 * ink, so that strokes erased away do not count.
 *
 * @module
 */
import { alongPath, Canvas, replay, type StrokePath } from "./canvas.ts";
import {
  FIT,
  inkBox,
  measureStrokeWidth,
  PEN_TARGET,
  preprocess,
  type Preprocessed,
} from "./preprocess.ts";

/** Pixels of the redrawn drawing per pixel of the 28x28 output. */
export const REDRAW_SCALE = 8;
/**
 * Longer side, in redrawn pixels, of the box around the strokes' centre
 * lines: with a pen `REDRAW_SCALE * PEN_TARGET` wide the ink box's longer
 * side is `REDRAW_SCALE * FIT`, so once fitted to FIT the pen is PEN_TARGET.
 */
export const REDRAW_SIDE = REDRAW_SCALE * (FIT - PEN_TARGET);
/** Width of the redrawn brush's anti-aliased edge, in redrawn pixels. */
const REDRAW_SOFTNESS = 2;
/** Ink a centre line point must still have on the canvas to count in the box. */
const KEPT = 0.5;

/** A rectangle in canvas coordinates, edges included. */
interface Extent {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The drawing as it is on the canvas: what the dot and blob checks look at. */
export interface AsDrawn {
  /** The ink's bounding box on the canvas, or `null` when it holds none. */
  box: Preprocessed["box"];
  /** The canvas's size. */
  source: { width: number; height: number };
  /** The width of the strokes as drawn, at the output's scale (`measureStrokeWidth()`). */
  strokeWidth: number;
}

/** The network's input for a drawing, and the drawing as drawn. */
export interface DrawingInput {
  /** `preprocess()` of the redrawn drawing (of the canvas itself when it has no paths). */
  input: Preprocessed;
  drawn: AsDrawn;
}

/**
 * The extent of the centre lines of `canvas`'s ink paths where the canvas
 * still holds at least KEPT ink, or `null` when none is left.
 */
export function keptExtent(canvas: Canvas): Extent | null {
  const { width: w, height: h, data } = canvas;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const visit = (x: number, y: number) => {
    const i = Math.floor(x), j = Math.floor(y);
    if (i < 0 || j < 0 || i >= w || j >= h || data[j * w + i] < KEPT) return;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  };
  for (const path of canvas.paths) {
    if (path.tool === "ink") alongPath(path.points, visit);
  }
  return x1 < x0 ? null : { x0, y0, x1, y1 };
}

/**
 * `canvas`'s drawing drawn again from its paths (see the module comment), on
 * a new canvas just large enough; `null` when no ink path is left on the
 * canvas (nothing drawn, all erased, or ink put there without paths).
 */
export function redraw(canvas: Canvas): Canvas | null {
  const extent = keptExtent(canvas);
  if (extent === null) return null;
  let inkRadius = 0;
  for (const p of canvas.paths) {
    if (p.tool === "ink") inkRadius = Math.max(inkRadius, p.radius);
  }
  // Wiggles within one pen width are a dot on the canvas, and stay one: the
  // box is never taken smaller than the pen, so they are not blown up.
  const side = Math.max(
    extent.x1 - extent.x0,
    extent.y1 - extent.y0,
    2 * inkRadius,
  );
  const scale = REDRAW_SIDE / side;
  const pen = REDRAW_SCALE * PEN_TARGET / 2; // radius, redrawn pixels
  // How much thinner (or, below 1, thicker) the pen gets, in canvas pixels.
  const thinner = pen / scale / inkRadius;
  const margin = Math.ceil(pen + REDRAW_SOFTNESS) + 2;
  const out = new Canvas(
    Math.ceil((extent.x1 - extent.x0) * scale) + 2 * margin,
    Math.ceil((extent.y1 - extent.y0) * scale) + 2 * margin,
    { radius: pen, softness: REDRAW_SOFTNESS },
  );
  replay(out, canvas.paths, {
    scale,
    dx: margin - extent.x0 * scale,
    dy: margin - extent.y0 * scale,
    radius: (p: StrokePath) =>
      p.radius * scale * (p.tool === "ink" ? thinner : Math.max(thinner, 1)),
  });
  return out;
}

/**
 * The network's input for the drawing on `canvas`: `preprocess()` of
 * `redraw(canvas)`, written into `out` if given, and the measures of the
 * drawing as it is on the canvas. A canvas without paths (ink written into
 * its pixels directly) is preprocessed as it is.
 */
export function drawingInput(
  canvas: Canvas,
  { out }: { out?: Uint8Array } = {},
): DrawingInput {
  const box = inkBox(canvas);
  const drawn: AsDrawn = {
    box,
    source: { width: canvas.width, height: canvas.height },
    strokeWidth: box === null ? 0 : measureStrokeWidth(canvas),
  };
  const again = box === null ? null : redraw(canvas);
  const input = again
    ? preprocess(again, { out, pen: false })
    : preprocess(canvas, { out });
  return { input, drawn };
}
