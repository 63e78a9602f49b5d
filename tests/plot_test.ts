/**
 * The one plot: its ticks and ranges, and its points drawn where the axes
 * say, on linear and log scales.
 */
import {
  axisRange,
  drawPlot,
  linearTicks,
  logTicks,
  roundValue,
} from "../lib/ui/plot.ts";
import { COLOURS } from "../lib/ui/palette.ts";
import { Scene } from "../lib/ui/scene.ts";
import { assert, assertAlmostEquals, assertEquals } from "./_assert.ts";

Deno.test("logTicks(): 1, 2 and 5 times powers of ten, thinned to the powers", () => {
  assertEquals(logTicks(0.1, 1), [0.1, 0.2, 0.5, 1]);
  // Seven from 5 to 500: too many, so the powers of ten alone.
  assertEquals(logTicks(5, 500), [10, 100]);
  assertEquals(logTicks(5, 500, 7), [5, 10, 20, 50, 100, 200, 500]);
  assertEquals(logTicks(3, 4), [3, Math.sqrt(12), 4]);
});

Deno.test("linearTicks(): round steps between both ends", () => {
  assertEquals(linearTicks(0, 10), [0, 2, 4, 6, 8, 10]);
  assertEquals(linearTicks(1, 40), [1, 10, 20, 30, 40]);
  assertEquals(linearTicks(3, 3), [3]);
  // Marked as written, not as floating point multiplies them.
  assertEquals(linearTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  for (const [lo, hi] of [[0.9, 0.99], [1, 7], [0, 1e5]]) {
    const t = linearTicks(lo, hi);
    assertEquals([t[0], t.at(-1)], [lo, hi]);
    assert(t.length <= 7, `${t}`);
    for (let i = 1; i < t.length; i++) assert(t[i] > t[i - 1], `${t}`);
  }
});

Deno.test("roundValue() rounds to 1, 2 or 5 times a power of ten", () => {
  assertEquals(roundValue(0.37, "down"), 0.2);
  assertEquals(roundValue(0.37, "up"), 0.5);
  assertEquals(roundValue(500, "up"), 500);
  assertEquals(roundValue(11, "up"), 20);
});

Deno.test("axisRange(): given ends kept, others fitted with room", () => {
  const f = (v: number) => String(v);
  assertEquals(axisRange({ label: "", format: f, from: 0 }, [1, 2], false), [
    0,
    2,
  ]);
  const [lo, hi] = axisRange({ label: "", format: f }, [1, 2], true);
  assert(lo < 1 && hi > 2, `${lo} ${hi}`);
  assertEquals(
    axisRange({ label: "", format: f, log: true }, [5, 500], false),
    [
      5,
      500,
    ],
  );
  // A fitted linear range ends on round values, and its ticks are round too.
  const [a0, a1] = axisRange({ label: "", format: f }, [0.9503, 0.9776], true);
  assert(a0 < 0.9503 && a1 > 0.9776, `${a0} ${a1}`);
  const ticks = linearTicks(a0, a1, 4);
  assert(ticks.length >= 3, `${ticks}`);
  for (const t of ticks) {
    assert(Math.abs(t * 100 - Math.round(t * 100)) < 1e-6, `${ticks}`);
  }
  // One value on a log axis: in the middle of a decade.
  const [l0, l1] = axisRange(
    { label: "", format: f, log: true },
    [5, 5],
    false,
  );
  assertAlmostEquals(Math.sqrt(l0 * l1), 5, 1e-9);
  assert(l1 / l0 > 9, `${l0} ${l1}`);
  // One value: a range around it.
  const [a, b] = axisRange({ label: "", format: f }, [0.9, 0.9], true);
  assert(a < 0.9 && b > 0.9);
});

Deno.test("drawPlot() puts each point where the axes say, on log and linear scales", () => {
  for (const log of [false, true]) {
    const scene = new Scene(400, 300);
    const xs = [5, 50, 500], ys = [0.5, 0.75, 1];
    drawPlot(scene, { x: 0, y: 0, w: 400, h: 300 }, {
      title: "t",
      xs,
      ys,
      x: { label: "x", log, format: String },
      y: { label: "y", from: 0.5, to: 1, format: String },
      colour: COLOURS.right,
    });
    // The markers' centres: the curve's colour at 3 pixels in every direction.
    const { raster } = scene;
    const at = (x: number, y: number) => {
      const i = 3 * (y * raster.width + x);
      return (raster.rgb[i] << 16) | (raster.rgb[i + 1] << 8) |
        raster.rgb[i + 2];
    };
    const centres: [number, number][] = [];
    for (let y = 3; y < 297; y++) {
      for (let x = 3; x < 397; x++) {
        if (
          [-3, 0, 3].every((d) =>
            at(x + d, y + d) === COLOURS.right &&
            at(x + d, y - d) === COLOURS.right
          )
        ) {
          centres.push([x, y]);
        }
      }
    }
    assertEquals(centres.length, 3, `log ${log}: ${JSON.stringify(centres)}`);
    const [[x0, y0], [x1, y1], [x2, y2]] = centres.sort((a, b) => a[0] - b[0]);
    // y: 0.5 at the bottom, 1 at the top, 0.75 halfway.
    assert(y0 > y1 && y1 > y2);
    assert(Math.abs(y1 - (y0 + y2) / 2) <= 1, `${y0} ${y1} ${y2}`);
    // x: 50 halfway between 5 and 500 on a log scale, a tenth of the way on a linear one.
    const share = (x1 - x0) / (x2 - x0);
    assert(Math.abs(share - (log ? 0.5 : 45 / 495)) < 0.01, `${share}`);
  }
});
