/**
 * The grid of hidden-unit tiles that inspect and the drawing window's inside
 * view share: its layout in a box, where each tile goes, and the hit test.
 */
import { hitTile, tileAt, unitGrid } from "../lib/ui/unit_grid.ts";
import { weightGrid } from "../lib/app/inspect/units_view.ts";
import { litGrid } from "../lib/app/draw/inside_view.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";

const BOX = { x: 10, y: 20, w: 280, h: 140 };

Deno.test("unitGrid() with fixed columns gives tiles a whole multiple of the step", () => {
  // 200 tiles of 28x28 images in 20 columns of a 1160x580 box: a zoom of 2.
  const g = unitGrid({
    count: 200,
    box: { x: 20, y: 58, w: 1160, h: 580 },
    gap: 2,
    columns: 20,
    step: 28,
  });
  assertEquals(g, {
    x: 20,
    y: 58,
    columns: 20,
    rows: 10,
    tile: 56,
    pitch: 58,
    count: 200,
  });
  // Fewer tiles than columns: one row of them.
  const few = unitGrid({ count: 7, box: BOX, gap: 2, columns: 20, step: 28 });
  assertEquals([few.columns, few.rows], [7, 1]);
  // A box too small for even one step: the tile is one step anyway.
  const tiny = unitGrid({ count: 50, box: BOX, gap: 2, columns: 20, step: 28 });
  assertEquals(tiny.tile, 28);
});

Deno.test("unitGrid() without columns picks the count that gives the largest tiles", () => {
  const g = unitGrid({ count: 200, box: BOX, gap: 1, align: "centre" });
  assertEquals([g.columns, g.rows, g.tile, g.pitch], [20, 10, 13, 14]);
  // 20 columns of 14 pixels fill the 280-pixel box exactly.
  assertEquals([g.x, g.y], [10, 20]);
  for (const count of [1, 2, 7, 64, 100, 300, 1000]) {
    const l = unitGrid({ count, box: BOX, gap: 1, align: "centre" });
    assert(l.columns * l.rows >= count, `${count}: room for all`);
    assert(l.columns * l.pitch <= BOX.w, `${count}: width`);
    assert(l.rows * l.pitch <= BOX.h, `${count}: height`);
    // Centred: as much room left as right, to a pixel.
    const left = l.x - BOX.x,
      right = BOX.x + BOX.w - (l.x + l.columns * l.pitch);
    assert(Math.abs(left - right) <= 1, `${count}: centred`);
    // No other number of columns gives larger tiles.
    for (let c = 1; c <= count; c++) {
      const other = unitGrid({ count, box: BOX, gap: 1, columns: c });
      assert(
        other.tile <= l.tile || other.rows * other.pitch > BOX.h,
        `${count}: ${c} columns give ${other.tile} > ${l.tile}`,
      );
    }
  }
  // One tile fills the box's shorter side.
  assertEquals(unitGrid({ count: 1, box: BOX, gap: 1 }).tile, 139);
});

Deno.test("unitGrid() rejects a grid of no tiles", () => {
  assertThrows(
    () => unitGrid({ count: 0, box: BOX, gap: 1 }),
    RangeError,
    "0 tiles",
  );
});

Deno.test("tileAt() goes row by row from the top-left", () => {
  const g = unitGrid({ count: 45, box: BOX, gap: 2, columns: 20, step: 1 });
  assertEquals(tileAt(g, 0), { x: g.x, y: g.y });
  assertEquals(tileAt(g, 19), { x: g.x + 19 * g.pitch, y: g.y });
  assertEquals(tileAt(g, 20), { x: g.x, y: g.y + g.pitch });
  assertEquals(tileAt(g, 44), { x: g.x + 4 * g.pitch, y: g.y + 2 * g.pitch });
});

Deno.test("hitTile() finds the tile under a point, none in the gaps or past the last", () => {
  const g = unitGrid({ count: 45, box: BOX, gap: 2, columns: 20, step: 1 });
  for (const i of [0, 7, 19, 20, 44]) {
    const { x, y } = tileAt(g, i);
    assertEquals(hitTile(g, x, y), i, `corner of ${i}`);
    assertEquals(hitTile(g, x + g.tile - 1, y + g.tile - 1), i, `end of ${i}`);
    assertEquals(hitTile(g, x + g.tile, y), -1, `gap right of ${i}`);
    assertEquals(hitTile(g, x, y + g.tile), -1, `gap under ${i}`);
  }
  assertEquals(hitTile(g, g.x - 1, g.y), -1);
  assertEquals(hitTile(g, g.x, g.y - 1), -1);
  assertEquals(hitTile(g, g.x + 20 * g.pitch, g.y), -1, "right of the grid");
  const past = tileAt(g, 45);
  assertEquals(hitTile(g, past.x + 1, past.y + 1), -1, "past the last tile");
  // Every point of every tile hits it.
  for (let i = 0; i < g.count; i++) {
    const { x, y } = tileAt(g, i);
    for (let d = 0; d < g.tile; d += 3) {
      assertEquals(hitTile(g, x + d, y + g.tile - 1 - d), i);
    }
  }
});

Deno.test("inspect's weight tiles and the inside view's lit cells stay where they were", () => {
  assertEquals(weightGrid(200), {
    x: 20,
    y: 58,
    columns: 20,
    rows: 10,
    tile: 56,
    pitch: 58,
    count: 200,
  });
  assertEquals(litGrid(200), {
    x: 696,
    y: 60,
    columns: 20,
    rows: 10,
    tile: 13,
    pitch: 14,
    count: 200,
  });
});
