/**
 * A grid of tiles, one per hidden unit, fitted into a box: how many columns,
 * how large each tile is, where tile i goes, and which tile a point is on.
 * inspect's "Hidden units" view lays out its weight pictures with it, the
 * drawing window's inside view its cells lit by activation, the training
 * window its weight pictures as they form; drawing and hit testing share one
 * layout, so a click lands where the tile is drawn. `drawWeightTiles()` paints
 * the units' weights into the tiles.
 *
 * @module
 */
import { PIXELS, SIDE } from "../data/mnist.ts";
import { divergingColour } from "../image/colour_map.ts";
import type { Raster } from "../image/raster.ts";

/** A rectangle on screen, in pixels. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What the grid holds and where it must fit. */
export interface UnitGridSpec {
  /** How many tiles (at least 1). */
  count: number;
  /** The box the whole grid fits in; it starts at the box's top. */
  box: Box;
  /** Pixels between neighbouring tiles. */
  gap: number;
  /**
   * How many columns, at most (fewer when there are fewer tiles). By default
   * the number that gives the largest tiles, the fewest on a tie.
   */
  columns?: number;
  /**
   * A tile's side is a whole multiple of this, at least once: 28 makes a
   * 28x28 image fill its tile at a whole zoom. Default 1.
   */
  step?: number;
  /** Where a grid narrower than its box sits (default "left"). */
  align?: "left" | "centre";
}

/** The grid's layout. */
export interface UnitGrid {
  /** The top-left corner of tile 0. */
  x: number;
  y: number;
  columns: number;
  rows: number;
  /** The side of a tile, in pixels. */
  tile: number;
  /** The distance between neighbouring tiles' corners: tile and gap. */
  pitch: number;
  count: number;
}

/**
 * The largest tile side, a multiple of `step`, that fits `columns` columns
 * of `count` tiles into `box`; below `step` when none does.
 */
function fit(spec: UnitGridSpec, columns: number): number {
  const { box, gap, count } = spec;
  const step = spec.step ?? 1;
  const rows = Math.ceil(count / columns);
  return step *
    Math.floor((Math.min(box.w / columns, box.h / rows) - gap) / step);
}

/** Lays out `spec.count` tiles in `spec.box` (see `UnitGridSpec`). */
export function unitGrid(spec: UnitGridSpec): UnitGrid {
  const { count, box, gap } = spec;
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new RangeError(`unitGrid: ${count} tiles, expected at least 1`);
  }
  let columns = Math.min(spec.columns ?? count, count);
  if (spec.columns === undefined) {
    let best = -Infinity;
    for (let c = 1; c <= count; c++) {
      const side = fit(spec, c);
      if (side > best) [best, columns] = [side, c];
    }
  }
  const step = spec.step ?? 1;
  const tile = Math.max(step, fit(spec, columns));
  const pitch = tile + gap;
  const left = spec.align === "centre"
    ? Math.floor((box.w - columns * pitch) / 2)
    : 0;
  return {
    x: box.x + left,
    y: box.y,
    columns,
    rows: Math.ceil(count / columns),
    tile,
    pitch,
    count,
  };
}

/** The top-left corner of tile `i`: row by row, from the top-left. */
export function tileAt(grid: UnitGrid, i: number): { x: number; y: number } {
  return {
    x: grid.x + (i % grid.columns) * grid.pitch,
    y: grid.y + Math.floor(i / grid.columns) * grid.pitch,
  };
}

/** The tile at (x, y), or -1 for none (the gaps between tiles belong to none). */
export function hitTile(grid: UnitGrid, x: number, y: number): number {
  const dx = x - grid.x, dy = y - grid.y;
  if (dx < 0 || dy < 0) return -1;
  const col = Math.floor(dx / grid.pitch);
  const row = Math.floor(dy / grid.pitch);
  if (col >= grid.columns) return -1;
  if (dx % grid.pitch >= grid.tile || dy % grid.pitch >= grid.tile) return -1;
  const i = row * grid.columns + col;
  return i < grid.count ? i : -1;
}

/**
 * Draws each hidden unit's incoming weights (its row of `w1`, (H, 784)) into
 * its tile of `grid`, on the diverging map that saturates at ±`scale`.
 */
export function drawWeightTiles(
  raster: Raster,
  grid: UnitGrid,
  w1: Float32Array,
  scale: number,
): void {
  const zoom = grid.tile / SIDE;
  for (let u = 0; u < grid.count; u++) {
    const { x, y } = tileAt(grid, u);
    const off = u * PIXELS;
    raster.image(x, y, SIDE, zoom, (i) => divergingColour(w1[off + i], scale));
  }
}
