/**
 * The ink of a grey image as runs and connected regions: one pass over the
 * rows finds each row's stretches of ink (runs) and joins those that touch
 * (union-find), so that everything after works on runs and boxes, in time
 * that goes with the ink, not the image. Then how regions go together, for
 * lib/image/segment.ts: into lines of writing, and into groups that are one
 * digit each (a 5 and its flag apart).
 *
 * @module
 */
import type { GreyImage } from "./preprocess.ts";

/**
 * Bands of rows at least this part as tall as the tallest are lines of
 * writing of their own, when one of them holds digits side by side; lower,
 * a part of the line nearest to them (see `intoLines()`).
 */
export const LINE_HEIGHT = 0.5;

/**
 * Regions whose column extents overlap by more than this fraction of the
 * narrower one's width are one digit. MNIST 5s' flags drawn apart overlap
 * their bodies by 0.63 to 0.8; a 4's upright drawn apart, all of its width;
 * the tail of a 2 under the next digit, a small part of that digit.
 */
export const GROUP_OVERLAP = 0.5;
/**
 * A group less tall than this fraction of the tallest is part of a digit:
 * a 5's flag beside its body (0.31 in MNIST test digit 694), a broken bar.
 */
export const FRAGMENT_HEIGHT = 0.5;
/**
 * ...and joins the nearest group at most this fraction of the tallest's
 * height away (694's flag: 0.02); farther, it is a piece of its own.
 */
export const FRAGMENT_REACH = 0.25;

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

/**
 * Lines: the regions in lines of writing, top to bottom. Regions
 * whose rows overlap, transitively, are on one line. Several lines there are
 * only when two or more of them are at least LINE_HEIGHT as tall as the
 * tallest and one holds digits side by side (regions apart by their
 * columns): "12" over "34" is two lines, but an "8" written as two loops one
 * above the other, or a "5" whose flag floats over it, is one digit. A line
 * lower than that (a flag, a stray stroke) joins the line nearest to it.
 */
export function intoLines(regions: Region[]): Region[][] {
  const sorted = [...regions].sort((a, b) => a.y0 - b.y0);
  const bands: { y0: number; y1: number; regions: Region[] }[] = [];
  for (const r of sorted) {
    const last = bands.at(-1);
    if (last && r.y0 < last.y1) {
      last.y1 = Math.max(last.y1, r.y1);
      last.regions.push(r);
    } else {
      bands.push({ y0: r.y0, y1: r.y1, regions: [r] });
    }
  }
  const tallest = Math.max(0, ...bands.map((b) => b.y1 - b.y0));
  const lines = bands.filter((b) => b.y1 - b.y0 >= LINE_HEIGHT * tallest);
  if (
    lines.length < 2 ||
    !lines.some((b) => groupByColumns(b.regions).length >= 2)
  ) {
    return regions.length ? [regions] : [];
  }
  for (const b of bands) {
    if (lines.includes(b)) continue;
    const gap = (l: typeof b) => Math.max(l.y0 - b.y1, b.y0 - l.y1, 0);
    const nearest = lines.reduce((n, l) => gap(l) < gap(n) ? l : n);
    nearest.regions.push(...b.regions);
  }
  return lines.map((l) => l.regions);
}

/** Groups: regions whose columns overlap enough, joined transitively. */
export function groupByColumns(regions: Region[]): Region[] {
  const sorted = [...regions].sort((a, b) => a.x0 - b.x0);
  const n = sorted.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const a = sorted[i];
    for (let j = i + 1; j < n && sorted[j].x0 < a.x1; j++) {
      const b = sorted[j];
      const overlap = Math.min(a.x1, b.x1) - b.x0;
      if (overlap > GROUP_OVERLAP * Math.min(a.x1 - a.x0, b.x1 - b.x0)) {
        const ra = find(parent, i), rb = find(parent, j);
        parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
    }
  }
  const groups: Region[][] = [];
  for (let i = 0; i < n; i++) (groups[find(parent, i)] ??= []).push(sorted[i]);
  return groups.filter((g) => g !== undefined).map(merge);
}

/**
 * Fragments: a group less than FRAGMENT_HEIGHT as tall as the
 * tallest joins the group of digit height nearest to it (by the columns
 * between them, then by their centres), if within FRAGMENT_REACH.
 */
export function joinFragments(groups: Region[]): Region[] {
  const tallest = Math.max(...groups.map((g) => g.y1 - g.y0));
  const small = groups.map((g) => g.y1 - g.y0 < FRAGMENT_HEIGHT * tallest);
  const joined = groups.map((g) => [g]);
  for (let i = 0; i < groups.length; i++) {
    if (!small[i]) continue;
    const f = groups[i];
    let best = -1, bestGap = Infinity, bestOff = Infinity;
    for (let j = 0; j < groups.length; j++) {
      if (small[j]) continue;
      const g = groups[j];
      const gap = Math.max(g.x0 - f.x1, f.x0 - g.x1, 0);
      const off = Math.abs(g.x0 + g.x1 - f.x0 - f.x1);
      if (gap < bestGap || gap === bestGap && off < bestOff) {
        [best, bestGap, bestOff] = [j, gap, off];
      }
    }
    if (best >= 0 && bestGap <= FRAGMENT_REACH * tallest) {
      joined[best].push(f);
      joined[i] = [];
    }
  }
  return joined.filter((g) => g.length > 0).map(merge);
}
