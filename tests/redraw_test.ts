/**
 * Drawing a drawing again from its paths with a pen sized to it: the same
 * digit at any height gives the same input, the pen comes out MNIST-wide,
 * the eraser takes away what it took away on the canvas.
 */
import { assert, assertEquals } from "./_assert.ts";
import { Canvas } from "../lib/image/canvas.ts";
import { PIXELS } from "../lib/data/mnist.ts";
import {
  FIT,
  inkBox,
  PEN_TARGET,
  preprocess,
} from "../lib/image/preprocess.ts";
import {
  drawingInput,
  keptExtent,
  redraw,
  REDRAW_SCALE,
  REDRAW_SIDE,
} from "../lib/image/redraw.ts";
import { BOLD, DIGITS, drawStrokes, HEIGHTS } from "./_sample_drawings.ts";

/** A canvas with a bold brush, 60 pixels wide. */
const boldCanvas = () => new Canvas(672, 672, { radius: BOLD });

/** The largest difference between two byte images. */
function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let most = 0;
  for (let k = 0; k < a.length; k++) {
    most = Math.max(most, Math.abs(a[k] - b[k]));
  }
  return most;
}

/** Columns of row `y` of `canvas` holding at least half ink. */
function inkedColumns(canvas: Canvas, y: number): number {
  let n = 0;
  for (let x = 0; x < canvas.width; x++) {
    if (canvas.data[y * canvas.width + x] >= 0.5) n++;
  }
  return n;
}

Deno.test("redraw() draws a bar with a pen PEN_TARGET wide after the fit", () => {
  for (const length of [80, 200, 500]) {
    const canvas = new Canvas();
    canvas.stroke(336, 80, 336, 80 + length);
    const again = redraw(canvas)!;
    // The centre line is REDRAW_SIDE long; the pen adds its width to the
    // ink's height, which makes REDRAW_SCALE * FIT: FIT output pixels.
    let top = -1, bottom = -1;
    for (let y = 0; y < again.height; y++) {
      if (inkedColumns(again, y) > 0) {
        if (top < 0) top = y;
        bottom = y;
      }
    }
    const height = bottom - top + 1;
    assert(
      Math.abs(height - REDRAW_SCALE * FIT) <= 2,
      `${length} px: ink ${height} px tall`,
    );
    const width = inkedColumns(again, Math.round(again.height / 2));
    assert(
      Math.abs(width - REDRAW_SCALE * PEN_TARGET) <= 1.5,
      `${length} px: pen ${width} px wide, want ${REDRAW_SCALE * PEN_TARGET}`,
    );
    assert(again.width < REDRAW_SIDE, `${again.width} px wide`);
  }
});

Deno.test("drawingInput() gives a digit the same input at every height", () => {
  for (const [d, strokes] of Object.entries(DIGITS)) {
    const inputs = HEIGHTS.map((h) => {
      const { input, drawn } = drawingInput(drawStrokes(strokes, h));
      // Drawn with the right pen: preprocess finds nothing to change.
      assertEquals(input.penChange, 0, `${d} at ${h} px`);
      assert(
        Math.abs(input.strokeWidth - PEN_TARGET) < 0.5,
        `${d} at ${h} px: strokes ${input.strokeWidth} wide`,
      );
      assertEquals(drawn.source, { width: 672, height: 672 });
      return input.pixels;
    });
    for (let k = 1; k < inputs.length; k++) {
      const diff = maxDiff(inputs[k], inputs[0]);
      assert(diff <= 8, `${d}: ${HEIGHTS[k]} px differs by ${diff}`);
    }
  }
});

Deno.test("drawingInput() tells what the canvas shows: the box and the strokes as drawn", () => {
  const canvas = drawStrokes(DIGITS[8], 100, BOLD);
  const { input, drawn } = drawingInput(canvas);
  const plain = preprocess(canvas, { pen: false });
  assertEquals(drawn.box, plain.box);
  assertEquals(drawn.strokeWidth, plain.strokeWidth);
  // The canvas shows the loops of the 8 run together; the input does not.
  assert(drawn.strokeWidth > 0.45 * FIT, `drawn ${drawn.strokeWidth}`);
  assert(input.strokeWidth < 3, `input ${input.strokeWidth}`);
});

Deno.test("drawingInput() takes a stroke scrubbed out with the eraser away", () => {
  /** An "L" 200 px tall: the pen redraws it at under half the brush's width. */
  const ell = () => {
    const canvas = boldCanvas();
    canvas.stroke(100, 100, 100, 300);
    canvas.stroke(100, 300, 300, 300);
    return canvas;
  };
  const scrubbed = ell();
  scrubbed.stroke(200, 180, 300, 180);
  // Passes across the stray stroke 40 px apart: the 60 px eraser leaves
  // nothing of it on the canvas, one as thin as the redrawn pen would.
  for (let x = 180; x <= 340; x += 40) scrubbed.stroke(x, 150, x, 210, "erase");
  for (let x = 150; x <= 370; x++) {
    assertEquals(scrubbed.data[180 * 672 + x], 0, `ink left at x=${x}`);
  }
  const alone = drawingInput(ell()).input.pixels;
  assertEquals(maxDiff(drawingInput(scrubbed).input.pixels, alone), 0);
});

Deno.test("drawingInput() loses the half of a stroke the eraser went along", () => {
  const half = boldCanvas();
  half.stroke(336, 100, 336, 580);
  half.stroke(336, 340, 336, 640, "erase");
  // Ink is left on the centre line down to where the eraser's edge fell
  // under half ink, 30 px above where it started.
  const extent = keptExtent(half)!;
  assert(Math.abs(extent.y1 - 310) <= 1, `kept down to ${extent.y1}`);
  const short = boldCanvas();
  short.stroke(336, 100, 336, 310);
  const a = redraw(half)!, b = redraw(short)!;
  assertEquals([a.width, a.height], [b.width, b.height]);
  // Only the stroke's end differs: cut by the eraser, or round.
  let diff = 0, sum = 0;
  for (let k = 0; k < a.data.length; k++) {
    diff += Math.abs(a.data[k] - b.data[k]);
    sum += b.data[k];
  }
  assert(diff < 0.05 * sum, `differs by ${diff} of ${sum}`);
  // The whole stroke would make another drawing altogether.
  const whole = boldCanvas();
  whole.stroke(336, 100, 336, 580);
  assert(
    maxDiff(drawingInput(whole).input.pixels, drawingInput(half).input.pixels) >
      100,
  );
});

Deno.test("redraw() keeps a dot a dot", () => {
  const canvas = boldCanvas();
  canvas.dab(300, 300);
  canvas.stroke(300, 300, 302, 301); // a wiggle of the hand
  const { input } = drawingInput(canvas);
  // Round, not a bar: as wide as it is tall.
  const box = inkBox({ width: 28, height: 28, data: input.pixels })!;
  assert(Math.abs(box.width - box.height) <= 1, JSON.stringify(box));
  assert(input.strokeWidth > 0.45 * FIT, `${input.strokeWidth}`);
});

Deno.test("drawingInput() preprocesses a canvas without paths as it is", () => {
  const canvas = new Canvas(100, 100);
  for (let y = 20; y < 80; y++) canvas.data[y * 100 + 50] = 1;
  assertEquals(redraw(canvas), null);
  const { input, drawn } = drawingInput(canvas);
  assertEquals(input.pixels, preprocess(canvas).pixels);
  assertEquals(drawn.box, { x: 50, y: 20, width: 1, height: 60 });
  const empty = drawingInput(new Canvas());
  assert(empty.input.empty);
  assertEquals(empty.input.pixels, new Uint8Array(PIXELS));
  assertEquals(empty.drawn.box, null);
});
