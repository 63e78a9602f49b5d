import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  Canvas,
  CANVAS_SIDE,
  cellsOf,
  DEFAULT_RADIUS,
  DEFAULT_SOFTNESS,
  replay,
} from "../lib/image/canvas.ts";

/** Ink at the pixel that holds the point (x, y). */
function inkAt(canvas: Canvas, x: number, y: number): number {
  return canvas.data[Math.floor(y) * canvas.width + Math.floor(x)];
}

/**
 * Distance from (px, py) to the segment, measured by walking the segment in
 * tiny steps: slow, but shares nothing with the brush's closed-form projection.
 */
function walkedDistance(
  px: number,
  py: number,
  [x0, y0, x1, y1]: number[],
): number {
  const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 20));
  let best = Infinity;
  for (let s = 0; s <= steps; s++) {
    const x = x0 + (x1 - x0) * s / steps;
    const y = y0 + (y1 - y0) * s / steps;
    best = Math.min(best, Math.hypot(px - x, py - y));
  }
  return best;
}

/** The bounding box of pixels that differ between two snapshots, or null. */
function changedBounds(before: Float32Array, canvas: Canvas) {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let j = 0; j < canvas.height; j++) {
    for (let i = 0; i < canvas.width; i++) {
      const k = j * canvas.width + i;
      if (before[k] !== canvas.data[k]) {
        x0 = Math.min(x0, i);
        y0 = Math.min(y0, j);
        x1 = Math.max(x1, i);
        y1 = Math.max(y1, j);
      }
    }
  }
  return x1 < 0
    ? null
    : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

Deno.test("new Canvas() makes an empty 672x672 canvas with the default brush", () => {
  const canvas = new Canvas();
  assertEquals([canvas.width, canvas.height], [CANVAS_SIDE, CANVAS_SIDE]);
  assertEquals(canvas.data.length, 672 * 672);
  assertEquals(canvas.radius, DEFAULT_RADIUS);
  assertEquals(canvas.softness, DEFAULT_SOFTNESS);
  assert(canvas.isEmpty());
  assertEquals(canvas.takeDirty(), null);
});

Deno.test("new Canvas() rejects sizes that are not whole positive pixels", () => {
  assertThrows(
    () => new Canvas(0, 10),
    RangeError,
    "must be positive, got 0x10",
  );
  assertThrows(
    () => new Canvas(10.5, 10),
    RangeError,
    "whole pixels, got 10.5x10",
  );
});

Deno.test("Canvas.stroke() covers every point of a long, fast stroke given as two events", () => {
  const canvas = new Canvas();
  const segments = [
    [20, 30, 650, 600],
    [600, 40, 45, 500.5],
    [336, 10, 336.2, 660],
    [5, 333, 667, 334],
  ];
  for (const [x0, y0, x1, y1] of segments) {
    canvas.clear();
    canvas.stroke(x0, y0, x1, y1);
    const length = Math.hypot(x1 - x0, y1 - y0);
    const nx = -(y1 - y0) / length, ny = (x1 - x0) / length;
    const solid = canvas.radius - canvas.softness / 2 - 1;
    // Along the segment every half pixel, and across it out to the solid part.
    for (let s = 0; s <= length; s += 0.5) {
      const x = x0 + (x1 - x0) * s / length, y = y0 + (y1 - y0) * s / length;
      for (const off of [0, solid / 2, solid, -solid / 2, -solid]) {
        const px = x + nx * off, py = y + ny * off;
        if (px < 0 || py < 0 || px >= canvas.width || py >= canvas.height) {
          continue;
        }
        assertEquals(
          inkAt(canvas, px, py),
          1,
          `gap at (${px.toFixed(1)}, ${py.toFixed(1)}) on ${[x0, y0, x1, y1]}`,
        );
      }
    }
  }
});

Deno.test("Canvas.stroke() inks the capsule around the segment and nothing beyond it", () => {
  const canvas = new Canvas(120, 100, { radius: 9, softness: 2 });
  const segment = [20.3, 70.6, 95.1, 25.2];
  canvas.stroke(segment[0], segment[1], segment[2], segment[3]);
  for (let j = 0; j < canvas.height; j++) {
    for (let i = 0; i < canvas.width; i++) {
      const d = walkedDistance(i + 0.5, j + 0.5, segment);
      const v = canvas.data[j * canvas.width + i];
      if (d < 9 - 1 - 0.05) {
        assertEquals(v, 1, `pixel (${i}, ${j}) at ${d}`);
      } else if (d > 9 + 1 + 0.05) {
        assertEquals(v, 0, `pixel (${i}, ${j}) at ${d}`);
      } else {
        // On the ramp: coverage falls linearly with distance.
        const expected = Math.min(1, Math.max(0, (9 - d) / 2 + 0.5));
        assert(
          Math.abs(v - expected) < 0.03,
          `pixel (${i}, ${j}): ${v} vs ${expected}`,
        );
      }
    }
  }
});

Deno.test("Canvas.stroke() gives the brush grey anti-aliased edges", () => {
  const canvas = new Canvas(100, 100, { radius: 20, softness: 3 });
  canvas.dab(50, 50);
  let grey = 0;
  for (const v of canvas.data) if (v > 0.05 && v < 0.95) grey++;
  // A ring about 3 pixels wide around a circle of radius 20.
  assert(grey > 2 * Math.PI * 20 * 2, `only ${grey} grey pixels`);
  // From the centre outwards along a row, ink never rises and passes through grey.
  const row = Array.from({ length: 30 }, (_, k) => inkAt(canvas, 50 + k, 50));
  for (let k = 1; k < row.length; k++) assert(row[k] <= row[k - 1]);
  assertEquals(row[0], 1);
  assertEquals(row.at(-1), 0);
  assert(row.some((v) => v > 0.2 && v < 0.8), `no mid-grey in ${row}`);
});

Deno.test("Canvas.stroke() does not darken where strokes overlap or repeat", () => {
  const canvas = new Canvas(100, 100, { radius: 10 });
  canvas.stroke(10, 50, 50, 50);
  const once = canvas.data.slice();
  canvas.stroke(10, 50, 50, 50);
  canvas.stroke(30, 50, 50, 50);
  assertEquals(canvas.data, once);
  assert(canvas.data.every((v) => v >= 0 && v <= 1));
});

Deno.test("Canvas.stroke() with 'erase' removes ink under the brush only", () => {
  const canvas = new Canvas(200, 200, { radius: 12 });
  canvas.stroke(20, 100, 180, 100);
  canvas.stroke(100, 20, 100, 180, "erase");
  for (let y = 89; y <= 111; y++) {
    for (let x = 90; x <= 110; x++) assertEquals(inkAt(canvas, x, y), 0);
  }
  // Well away from the eraser the line is untouched, and the eraser's edge left grey.
  assertEquals(inkAt(canvas, 40, 100), 1);
  assertEquals(inkAt(canvas, 160, 100), 1);
  const v = inkAt(canvas, 112, 100);
  assert(v > 0 && v < 1, `eraser edge at x=112 is ${v}`);
  // Erasing everything leaves an empty canvas.
  canvas.stroke(0, 100, 200, 100, "erase");
  assert(canvas.isEmpty());
});

Deno.test("Canvas.stroke() clips strokes that leave the canvas", () => {
  const canvas = new Canvas(50, 40, { radius: 5 });
  canvas.stroke(-100, -100, 25, 20);
  canvas.stroke(25, 20, 500, 20);
  assertEquals(inkAt(canvas, 0, 0), 1);
  assertEquals(inkAt(canvas, 49, 20), 1);
  canvas.stroke(-50, -50, -20, -20);
  canvas.stroke(1000, 1000, 2000, 2000);
  canvas.takeDirty();
  canvas.stroke(-50, 100, 500, 100);
  assertEquals(canvas.takeDirty(), null);
});

Deno.test("Canvas.takeDirty() returns the rectangle of changed pixels, then forgets it", () => {
  const canvas = new Canvas(300, 200);
  let before = canvas.data.slice();
  canvas.stroke(100, 80, 160, 120);
  canvas.dab(250, 30);
  assertEquals(canvas.takeDirty(), changedBounds(before, canvas));
  assertEquals(canvas.takeDirty(), null);

  before = canvas.data.slice();
  canvas.stroke(100, 80, 120, 100, "erase");
  assertEquals(canvas.takeDirty(), changedBounds(before, canvas));

  // Erasing where there is no ink changes nothing.
  canvas.stroke(20, 180, 40, 180, "erase");
  assertEquals(canvas.takeDirty(), null);
});

Deno.test("Canvas.clear() removes all ink and marks the whole canvas changed", () => {
  const canvas = new Canvas(64, 48);
  canvas.clear();
  assertEquals(canvas.takeDirty(), null);
  canvas.dab(10, 10);
  canvas.takeDirty();
  canvas.clear();
  assert(canvas.isEmpty());
  assertEquals(canvas.takeDirty(), { x: 0, y: 0, width: 64, height: 48 });
});

Deno.test("Canvas.stroke() rejects a brush without a positive radius", () => {
  const canvas = new Canvas(10, 10);
  canvas.radius = 0;
  assertThrows(
    () => canvas.dab(5, 5),
    RangeError,
    "radius and softness must be positive",
  );
});

Deno.test("Canvas.paths records each stroke with its tool, radius and points", () => {
  const canvas = new Canvas(200, 200, { radius: 8 });
  canvas.dab(20, 30);
  canvas.stroke(20, 30, 60, 30);
  canvas.stroke(60, 30, 60, 30); // the mouse did not move: nothing to add
  canvas.stroke(60, 30, 60, 90);
  canvas.radius = 12;
  canvas.stroke(60, 90, 100, 90); // another radius: another path
  canvas.stroke(100, 90, 150, 150, "erase");
  canvas.stroke(10, 10, 20, 10); // starts elsewhere: another path
  canvas.dab(-50, -50); // off the canvas, still drawn
  assertEquals(canvas.paths, [
    { tool: "ink", radius: 8, points: [20, 30, 60, 30, 60, 90] },
    { tool: "ink", radius: 12, points: [60, 90, 100, 90] },
    { tool: "erase", radius: 12, points: [100, 90, 150, 150] },
    { tool: "ink", radius: 12, points: [10, 10, 20, 10] },
    { tool: "ink", radius: 12, points: [-50, -50] },
  ]);
  canvas.clear();
  assertEquals(canvas.paths, []);
  // Clearing a canvas whose ink was all erased forgets its paths too.
  canvas.stroke(10, 10, 20, 10);
  canvas.stroke(0, 10, 30, 10, "erase");
  assert(canvas.isEmpty());
  canvas.clear();
  assertEquals(canvas.paths, []);
});

Deno.test("replay() draws the paths again, the same or scaled", () => {
  const canvas = new Canvas(120, 100, { radius: 9 });
  canvas.stroke(20, 30, 90, 40);
  canvas.stroke(90, 40, 30, 80);
  canvas.stroke(50, 20, 50, 90, "erase");
  canvas.dab(100, 80);
  const same = new Canvas(120, 100, { radius: 3 });
  replay(same, canvas.paths);
  assertEquals(same.data, canvas.data);
  assertEquals(same.radius, 3, "the canvas's own radius is restored");

  // Twice the size, moved by (5, 7): the reference draws the same strokes
  // with doubled coordinates and radius by hand.
  const big = new Canvas(260, 220);
  replay(big, canvas.paths, { scale: 2, dx: 5, dy: 7 });
  const want = new Canvas(260, 220, { radius: 18 });
  want.stroke(45, 67, 185, 87);
  want.stroke(185, 87, 65, 167);
  want.stroke(105, 47, 105, 187, "erase");
  want.dab(205, 167);
  assertEquals(big.data, want.data);

  // A radius of one's own choosing, per path.
  const thin = new Canvas(120, 100);
  replay(thin, canvas.paths, {
    radius: (p) => p.tool === "ink" ? 2 : p.radius,
  });
  assertEquals(inkAt(thin, 30, 31), 1, "on the first stroke");
  assertEquals(inkAt(thin, 30, 35), 0, "3 px beside it, outside a radius of 2");
  assertEquals(inkAt(thin, 50, 32), 0, "erased");
});

Deno.test("cellsOf() gives the grid cells a pixel rectangle touches", () => {
  assertEquals(cellsOf({ x: 0, y: 0, width: 24, height: 24 }, 24), {
    x: 0,
    y: 0,
    width: 1,
    height: 1,
  });
  assertEquals(cellsOf({ x: 23, y: 47, width: 2, height: 25 }, 24), {
    x: 0,
    y: 1,
    width: 2,
    height: 2,
  });
  assertEquals(cellsOf({ x: 0, y: 0, width: 672, height: 672 }, 24), {
    x: 0,
    y: 0,
    width: 28,
    height: 28,
  });
});
