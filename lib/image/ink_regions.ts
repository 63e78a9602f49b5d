/**
 * The ink of a grey image as runs and connected regions: one pass over the
 * rows finds each row's stretches of ink (runs) and joins those that touch
 * (union-find), so that everything after works on runs and boxes, in time
 * that goes with the ink, not the image.
 *
 * @module
 */
import type { GreyImage } from "./preprocess.ts";

/** The runs of ink of an image: each a row's stretch of consecutive ink pixels. */
export interface Runs {
  count: number;
  /** Per run: first column, one past its last column, row, union-find parent. */
  x0: Int32Array;
  x1: Int32Array;
  y: Int32Array;
  parent: Int32Array;
  /** Per run: its ink, in the image's values. */
  mass: Float64Array;
}

/** Connected ink, or a group: runs, ink, columns x0..x1-1, rows y0..y1-1. */
export interface Region {
  runs: number[];
  mass: number;
  members?: Region[]; // a group's connected regions
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * The scan: the runs of pixels above `floor`, each joined (union-find
 * on runs) to the runs of the row above that it touches, diagonals included.
 */
export function findRuns(image: GreyImage, floor: number): Runs {
  const { width: w, height: h, data } = image;
  let x0 = new Int32Array(1024), x1 = new Int32Array(1024);
  let y = new Int32Array(1024), parent = new Int32Array(1024);
  let mass = new Float64Array(1024);
  let count = 0, prevStart = 0, prevEnd = 0;
  for (let r = 0; r < h; r++) {
    const row = r * w, rowStart = count;
    let p = prevStart, x = 0;
    while (x < w) {
      if (!(data[row + x] > floor)) {
        x++;
        continue;
      }
      const start = x;
      let m = 0;
      while (x < w && data[row + x] > floor) m += data[row + x++];
      if (count === x0.length) {
        [x0, x1, y, parent] = [grow(x0), grow(x1), grow(y), grow(parent)];
        mass = grow(mass);
      }
      const k = count++;
      x0[k] = start;
      x1[k] = x;
      y[k] = r;
      mass[k] = m;
      parent[k] = k;
      // Runs above that end left of this one touch no run from here on.
      while (p < prevEnd && x1[p] < start) p++;
      for (let q = p; q < prevEnd && x0[q] <= x; q++) {
        const a = find(parent, q), b = find(parent, k);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    prevStart = rowStart;
    prevEnd = count;
  }
  return { count, x0, x1, y, parent, mass };
}

/** `a` in an array twice as long. */
function grow<T extends Int32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(2 * a.length);
  b.set(a);
  return b;
}

/** The root of `k`'s set, halving the path on the way. */
export function find(parent: Int32Array, k: number): number {
  while (parent[k] !== k) {
    parent[k] = parent[parent[k]];
    k = parent[k];
  }
  return k;
}

/**
 * The regions: the runs' sets with their extents and ink, less
 * those with under `speck` of the largest one's ink.
 */
export function findRegions(runs: Runs, speck: number): Region[] {
  const byRoot: Region[] = [];
  for (let k = 0; k < runs.count; k++) {
    const root = find(runs.parent, k);
    const g = byRoot[root] ??= {
      runs: [],
      mass: 0,
      x0: Infinity,
      x1: -Infinity,
      y0: Infinity,
      y1: -Infinity,
    };
    g.runs.push(k);
    g.mass += runs.mass[k];
    g.x0 = Math.min(g.x0, runs.x0[k]);
    g.x1 = Math.max(g.x1, runs.x1[k]);
    g.y0 = Math.min(g.y0, runs.y[k]);
    g.y1 = Math.max(g.y1, runs.y[k] + 1);
  }
  const regions = byRoot.filter((g) => g !== undefined);
  const largest = Math.max(0, ...regions.map((g) => g.mass));
  return regions.filter((g) => g.mass >= speck * largest);
}

/** Regions taken together. */
export function merge(regions: Region[]): Region {
  if (regions.length === 1) return regions[0];
  return {
    runs: regions.flatMap((g) => g.runs),
    mass: regions.reduce((sum, g) => sum + g.mass, 0),
    members: regions.flatMap((g) => g.members ?? [g]),
    x0: Math.min(...regions.map((g) => g.x0)),
    x1: Math.max(...regions.map((g) => g.x1)),
    y0: Math.min(...regions.map((g) => g.y0)),
    y1: Math.max(...regions.map((g) => g.y1)),
  };
}
