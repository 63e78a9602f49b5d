/**
 * Splits the ink of a drawing or a page into digits: "2024" written in the
 * draw window or photographed becomes four pieces, left to right, each of
 * which `preprocess()` and the network can read on its own.
 *
 * 1. Regions: 8-connected pixels above `INK_FRACTION` of full ink, found in
 *    one pass over the rows as runs of ink joined by union-find; those with
 *    under `SPECK_FRACTION` of the largest one's ink are specks, dropped.
 *    Regions on rows apart are lines of writing apart, where there are
 *    digits side by side on one of them (`LINE_HEIGHT`, in
 *    lib/image/ink_regions.ts, as the groups' rules); the steps below work
 *    on each line alone.
 * 2. Groups: regions whose columns overlap by more than `GROUP_OVERLAP` of
 *    the narrower are one digit in several strokes (a 5 and its flag, a 4
 *    or a 7 in two strokes, "=", "X"), transitively; a group under
 *    `FRAGMENT_HEIGHT` of the tallest is a detached piece of a digit and
 *    joins the nearest group within `FRAGMENT_REACH`.
 * 3. Splits: a wide group may be digits that touch. The column profile, the
 *    ink a cut crosses, generalised to cuts that bend around strokes
 *    (`seams()`), gives the candidate cuts: its cheapest valleys. With a
 *    `judge` (how confidently some ink reads as one digit), a group from
 *    `SPLIT_TRY` times as wide as tall is cut where its parts read best,
 *    recursively, only when they read clearly better than the whole
 *    (`SPLIT_GAIN`, `WIDE_DOUBT`, `MIN_PART`). No cut runs through a large
 *    hole (`HOLE_SHARE`): that would open a closed line, a face or a ring,
 *    into arcs that read as digits. Without a judge, a group from
 *    `SPLIT_WIDE`, wider than any one digit, is cut at its cheapest cuts
 *    into as many digits as its width holds (`DIGIT_ASPECT`).
 * 4. The pieces are ordered line by line, top to bottom, and left to right
 *    on a line by the centres of their boxes.
 *
 * A piece's ink is the image's values inside its box that belong to it, not
 * those of another digit reaching into the box. Everything after the scan
 * works on runs and groups' boxes, so the time goes with the ink: a few
 * milliseconds for a 640x480 page or the 672x672 canvas, plus the judge's
 * calls for a group wide enough to try.
 *
 * @module
 */
import type { Box, GreyImage } from "./preprocess.ts";
import {
  findRegions,
  findRuns,
  groupByColumns,
  intoLines,
  joinFragments,
  type Region,
  type Runs,
} from "./ink_regions.ts";

/** One digit's ink, as found by `segment()`. */
export interface Piece {
  /** The piece's box in the image's pixels (x, y, width, height). */
  box: Box;
  /** The line of writing the piece is on, 0 the top one (see `LINE_HEIGHT`). */
  line: number;
  /**
   * The piece's ink alone: the image's values inside `box` that belong to
   * this piece, every other pixel 0. Same value type and scale as the image.
   */
  ink: GreyImage;
}

/** A candidate piece's box and ink, before it is placed on a line. */
type Ink = Omit<Piece, "line">;

/** Options of `segment()`. */
export interface SegmentOptions {
  /** Value of full ink: by default 255 for byte arrays and 1 for float arrays. */
  full?: number;
  /**
   * How confidently some ink reads as one digit, 0..1 (the largest network
   * output for it preprocessed, say): weighs where touching digits are cut.
   */
  judge?: (ink: GreyImage) => number;
}

/**
 * Pixels above this fraction of full ink are ink: low, so that anti-aliased
 * edges join their stroke and thin MNIST diagonals hold together; above 0,
 * so that faint noise or shading left in a photo joins nothing.
 */
export const INK_FRACTION = 0.05;
/**
 * Regions with less ink than this fraction of the largest are specks (as in
 * photo.ts). A "1" has 0.3 of the ink of an "8" as tall, a 5's flag drawn
 * apart 0.3 to 0.45 of its body (MNIST); dirt or a full stop, under 0.05.
 */
export const SPECK_FRACTION = 0.05;
/**
 * Without a judge, groups this many times as wide as tall are split: the
 * widest of the first thousand MNIST test digits is 1.52 (a "2" with a long
 * tail), so only clearly several digits are split blind...
 */
export const SPLIT_WIDE = 1.6;
/**
 * ...into as many digits as this many times its height fit in its width:
 * the median MNIST digit is 0.76 times as wide as tall, a sample drawing
 * 0.73, and touching digits overlap a little.
 */
export const DIGIT_ASPECT = 0.7;
/**
 * With a judge, groups this many times as wide as tall are tried for splits.
 * Narrower, a letter, which the network refuses as a whole, would be cut
 * into strokes it reads as digits ("H" into "11"): so two touching digits
 * with a narrow "1" (0.7 as wide as tall) are left whole, read as one digit
 * or refused, rather than letters read as numbers.
 */
export const SPLIT_TRY = 1;
/**
 * Groups wider than this many digits of DIGIT_ASPECT are no run of touching
 * digits (a long bar, a line of writing): they are left whole, unjudged.
 */
export const MOST_DIGITS = 8;
/** A split's parts are at least this fraction of the group's height wide... */
export const MIN_PART_WIDTH = 0.1;
/**
 * ...and this fraction of it tall (an upright "1" is as wide as its pen, 0.12
 * of its height in MNIST; the flattest digits are 0.67 as tall as others,
 * and the bits of a digit that read as digits often shorter)...
 */
export const MIN_PART_HEIGHT = 0.6;
/**
 * ...and reads as a digit at least this confidently: high, since the strokes
 * of a wide doodle often read as digits at 0.9, and a split made of them turns
 * a thing that is no digit into a number.
 */
export const MIN_PART = 0.95;
/**
 * A split is kept when its least plausible part beats the whole by this
 * much, in log-odds of the judge's confidence. The network reads half a "0"
 * as a "1", or the halves of a sloppy "8" as a "3" and an "o", confidently:
 * in the first thousand MNIST test digits, halves beat the whole by up to
 * 3.5 (an "8" read at 0.31).
 */
export const SPLIT_GAIN = 4;
/**
 * A piece wider than tall is less plausibly one digit, whatever the judge
 * says (it reads touching digits squeezed into one box as some digit): its
 * log-odds count this much less per unit of width past its height. Single
 * MNIST digits reach 1.5 times as wide as tall, where halves beat them by
 * under 1: 6 keeps them whole (9 splits a wide "4") and splits about 10%
 * more touching pairs than 0.
 */
export const WIDE_DOUBT = 6;
/**
 * The cheapest this many cuts per height of a group's width are tried, some
 * three per digit (fewer miss cuts in four touching MNIST digits).
 */
export const CUTS_PER_HEIGHT = 4;
/**
 * A cut's cost for each column it moves aside, in pixels of full ink: with
 * 0.1 cuts run around the edges of digits and miss a tenth more of the cuts
 * between touching digits; with 1 or more they stay straight and cross more.
 */
export const BEND = 0.4;
/** A cut leaves this much of the ink on each side (a thin "1": 0.15). */
export const MIN_SIDE = 0.05;
/**
 * Background closed in by a group's ink over at least this part of its box
 * is a hole no cut may run through (a face's, a ring's); the holes of
 * digits, and the gaps where touching digits meet, are smaller.
 */
export const HOLE_SHARE = 0.15;

/**
 * The pieces of ink of `image` that are one digit each, left to right
 * (see the module comment). An image without ink gives none.
 */
export function segment(
  image: GreyImage,
  { full, judge }: SegmentOptions = {},
): Piece[] {
  const { width: w, height: h, data } = image;
  if (data.length !== w * h) {
    throw new RangeError(
      `Image data has ${data.length} values, ${w}x${h} needs ${w * h}`,
    );
  }
  const ink = full ??
    (data instanceof Uint8Array || data instanceof Uint8ClampedArray ? 255 : 1);
  if (!(ink > 0)) {
    throw new RangeError(`Full ink must be positive, got ${full}`);
  }
  const scan = { image, runs: findRuns(image, ink * INK_FRACTION), full: ink };
  return intoLines(findRegions(scan.runs, SPECK_FRACTION)).flatMap(
    (regions, line) =>
      joinFragments(groupByColumns(regions))
        .flatMap((g) => split(scan, g, judge))
        .map((part) => ({ ...extract(scan, part), line }))
        .sort((a, b) =>
          (2 * a.box.x + a.box.width) - (2 * b.box.x + b.box.width)
        ),
  );
}

/** The image, its runs of ink and its value of full ink. */
type Scan = { image: GreyImage; runs: Runs; full: number };

/** A candidate piece: the ink of a group between two cuts. */
interface Part {
  region: Region;
  /** Per image row, the part's first column; `null`: no limit. */
  left: Int32Array | null;
  /** Per image row, one past the part's last column; `null`: no limit. */
  right: Int32Array | null;
}

/** A cut from top to bottom: per image row, the first column right of it. */
interface Cut {
  at: Int32Array;
  /** Its mean column, to order cuts left to right (they never cross). */
  mean: number;
}

/**
 * Candidate cuts of a piece, cheapest first: seams (as in seam carving),
 * paths from top to bottom that move at most a column a row (BEND each) and
 * cross the least ink, one ending at each column of the bottom row; those
 * that leave MIN_SIDE of the ink on each side, `minWidth` apart on average,
 * and cut one of the group's regions at most.
 */
function seams(
  scan: Scan,
  region: Region,
  piece: Ink,
  minWidth: number,
): Cut[] {
  const { box, ink } = piece;
  const w = box.width, h = box.height, v = ink.data, k = 1 / scan.full;
  // For the seam that ends at each column of a row: its cost, the ink left
  // of it and the sum of its columns (this row's and the last row's, by
  // parity); `from`: where it came from.
  const cost = new Float64Array(2 * w), left = new Float64Array(2 * w);
  const cols = new Float64Array(2 * w), from = new Int8Array(w * h);
  let total = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w, now = (y & 1) * w, up = w - now;
    let before = 0;
    for (let x = 0; x < w; x++) {
      let m = 0, c = 0;
      if (y > 0) {
        const l = x > 0 ? cost[up + x - 1] + BEND : Infinity;
        const r = x + 1 < w ? cost[up + x + 1] + BEND : Infinity;
        c = Math.min(cost[up + x], l, r);
        m = c === cost[up + x] ? 0 : c === l ? -1 : 1;
      }
      const value = v[row + x] * k;
      cost[now + x] = c + value;
      left[now + x] = (y > 0 ? left[up + x + m] : 0) + before;
      cols[now + x] = (y > 0 ? cols[up + x + m] : 0) + x;
      from[row + x] = m;
      before += value;
    }
    total += before;
  }
  const last = ((h - 1) & 1) * w;
  const price = cost.subarray(last, last + w);
  const side = left.subarray(last, last + w);
  const sum = cols.subarray(last, last + w);
  const ends: number[] = [];
  for (let x = 0; x < w; x++) {
    if (Math.min(side[x], total - side[x]) >= MIN_SIDE * total) ends.push(x);
  }
  const holes = largeHoles(piece, k);
  ends.sort((a, b) => price[a] - price[b]);
  const chosen: Cut[] = [];
  for (const end of ends) {
    if (chosen.length >= CUTS_PER_HEIGHT * w / h) break;
    const mean = sum[end] / h;
    if (chosen.some((c) => Math.abs(c.mean - mean) < minWidth)) continue;
    const at = new Int32Array(scan.image.height);
    for (let y = h - 1, x = end; y >= 0; x += from[y * w + x], y--) {
      at[box.y + y] = box.x + x;
    }
    at.fill(at[box.y], 0, box.y);
    at.fill(at[box.y + h - 1], box.y + h);
    const opens = holes !== null &&
      at.subarray(box.y, box.y + h).some((x, y) => holes[y * w + x - box.x]);
    if (!opens && cutsOne(scan.runs, region, at)) chosen.push({ at, mean });
  }
  return chosen;
}

/**
 * The pixels of `piece` (ink `k` times a value counting as full) inside its
 * large holes: background that ink closes in, in pieces of at least
 * HOLE_SHARE of the piece's box; `null` when there are none. A cut through
 * one would open a closed line (a face, a ring), whose arcs can read as
 * digits; touching digits meet where no line closes round.
 */
function largeHoles(piece: Ink, k: number): Uint8Array | null {
  const { box: { width: w, height: h }, ink } = piece;
  // 1 for ink, 0 for background not yet reached by a flood.
  const seen = new Uint8Array(w * h);
  for (let i = 0; i < seen.length; i++) {
    seen[i] = ink.data[i] * k > INK_FRACTION ? 1 : 0;
  }
  // The background 4-connected to `starts`, marked seen; its pixels.
  const flood = (starts: number[]): number[] => {
    const stack = starts.filter((i) => seen[i] === 0);
    for (const i of stack) seen[i] = 1;
    const area: number[] = [];
    while (stack.length) {
      const i = stack.pop()!, x = i % w;
      area.push(i);
      for (
        const n of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]
      ) {
        if (n >= 0 && n < seen.length && seen[n] === 0) {
          seen[n] = 1;
          stack.push(n);
        }
      }
    }
    return area;
  };
  const edge: number[] = [];
  for (let x = 0; x < w; x++) edge.push(x, (h - 1) * w + x);
  for (let y = 0; y < h; y++) edge.push(y * w, y * w + w - 1);
  flood(edge);
  // What no flood from the edge reached lies in holes.
  let holes: Uint8Array | null = null;
  for (let i = 0; i < seen.length; i++) {
    if (seen[i]) continue;
    const hole = flood([i]);
    if (hole.length < HOLE_SHARE * w * h) continue;
    holes ??= new Uint8Array(w * h);
    for (const j of hole) holes[j] = 1;
  }
  return holes;
}

/** True unless `at` cuts through several of a group's regions (as "="). */
function cutsOne(runs: Runs, region: Region, at: Int32Array): boolean {
  let cut = 0;
  for (const member of region.members ?? []) {
    let left = false, right = false;
    for (const k of member.runs) {
      if (runs.x0[k] < at[runs.y[k]]) left = true;
      if (runs.x1[k] > at[runs.y[k]]) right = true;
    }
    if (left && right && ++cut > 1) return false;
  }
  return true;
}

/** Smallest size of a part of a split, in pixels. */
type Limits = { width: number; height: number };

/** Step 3: a group cut into the digits it holds (often just itself). */
function split(
  scan: Scan,
  region: Region,
  judge: SegmentOptions["judge"],
): Part[] {
  const part: Part = { region, left: null, right: null };
  const whole = extract(scan, part);
  const { width, height } = whole.box;
  if (width < (judge ? SPLIT_TRY : SPLIT_WIDE) * height) return [part];
  if (width > MOST_DIGITS * DIGIT_ASPECT * height) return [part];
  const limits = {
    width: Math.max(1, MIN_PART_WIDTH * height),
    height: MIN_PART_HEIGHT * height,
  };
  if (!judge) {
    const count = Math.round(width / (DIGIT_ASPECT * height));
    return splitWide(scan, part, whole, count, limits);
  }
  const cuts = seams(scan, region, whole, limits.width)
    .sort((a, b) => a.mean - b.mean);
  return splitJudged(scan, region, cuts, limits, judge);
}

/** True when a piece is large enough to be a part of a split. */
function fits(piece: Ink, limits: Limits): boolean {
  return piece.box.width >= limits.width && piece.box.height >= limits.height;
}

/**
 * Without a judge: `part` (whose ink is `piece`) cut into `count` digits,
 * at its cheapest seam that leaves each side room for a share of them
 * (by width), and so on for each side.
 */
function splitWide(
  scan: Scan,
  part: Part,
  piece: Ink,
  count: number,
  limits: Limits,
): Part[] {
  if (count < 2) return [part];
  for (const { at } of seams(scan, part.region, piece, limits.width)) {
    const left = { ...part, right: at }, right = { ...part, left: at };
    const a = extract(scan, left), b = extract(scan, right);
    if (!fits(a, limits) || !fits(b, limits)) continue;
    const share = a.box.width / (a.box.width + b.box.width);
    const n = Math.min(count - 1, Math.max(1, Math.round(count * share)));
    return [
      ...splitWide(scan, left, a, n, limits),
      ...splitWide(scan, right, b, count - n, limits),
    ];
  }
  return [part];
}

/**
 * With a judge: the best way to cut `region` at some of `cuts` (left to
 * right). A part between two cuts is worth the better of itself whole and
 * its best split, which scores its least `plausible()` part and counts when
 * all parts read MIN_PART and it beats the whole by SPLIT_GAIN, the whole
 * taken as wide as two of its parts: three arcs of a wide "0", read as "1",
 * "5" and "2", need as much as two halves of a square one. Each part is
 * judged once.
 */
function splitJudged(
  scan: Scan,
  region: Region,
  cuts: Cut[],
  limits: Limits,
  judge: (ink: GreyImage) => number,
): Part[] {
  // Parts, their least plausible() (-Infinity: too small) and confidence.
  type Best = { parts: Part[]; score: number; least: number };
  const memo = new Map<number, Best>();
  const n = cuts.length;
  // The part between cut i (-1: the left edge) and cut j (n: the right edge).
  const best = (i: number, j: number): Best => {
    const key = (i + 1) * (n + 2) + j;
    const known = memo.get(key);
    if (known) return known;
    const part: Part = {
      region,
      left: i < 0 ? null : cuts[i].at,
      right: j >= n ? null : cuts[j].at,
    };
    const piece = extract(scan, part);
    let result: Best = { parts: [part], score: -Infinity, least: 0 };
    if (i < 0 && j >= n || fits(piece, limits)) {
      const whole = judge(piece.ink);
      const aspect = piece.box.width / piece.box.height;
      result = { parts: [part], score: plausible(whole, aspect), least: whole };
      if (aspect >= SPLIT_TRY) {
        for (let k = i + 1; k < j; k++) {
          const left = best(i, k), right = best(k, j);
          const score = Math.min(left.score, right.score);
          const least = Math.min(left.least, right.least);
          const count = left.parts.length + right.parts.length;
          if (
            least >= MIN_PART && score > result.score &&
            score - plausible(whole, 2 * aspect / count) >= SPLIT_GAIN
          ) {
            result = { parts: [...left.parts, ...right.parts], score, least };
          }
        }
      }
    }
    memo.set(key, result);
    return result;
  };
  return best(-1, n).parts;
}

/**
 * How plausibly a part `aspect` times as wide as tall, read with
 * `confidence`, is one digit: log-odds, less WIDE_DOUBT per aspect past 1.
 */
function plausible(confidence: number, aspect: number): number {
  const p = Math.min(Math.max(confidence, 1e-6), 1 - 1e-6);
  return Math.log(p / (1 - p)) - WIDE_DOUBT * Math.max(0, aspect - 1);
}

/** A part's box and its ink alone, in the image's value type. */
function extract({ image, runs }: Scan, part: Part): Ink {
  const { region, left, right } = part;
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const k of region.runs) {
    const y = runs.y[k];
    const a = left ? Math.max(runs.x0[k], left[y]) : runs.x0[k];
    const b = right ? Math.min(runs.x1[k], right[y]) : runs.x1[k];
    if (a >= b) continue;
    if (a < x0) x0 = a;
    if (b > x1) x1 = b;
    if (y < y0) y0 = y;
    if (y >= y1) y1 = y + 1;
  }
  const { data, width: w } = image;
  const Type = data.constructor as new (n: number) => GreyImage["data"];
  const box = x1 < x0 // nothing between the cuts
    ? { x: 0, y: 0, width: 0, height: 0 }
    : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  const out = new Type(box.width * box.height);
  for (const k of region.runs) {
    const y = runs.y[k];
    const a = left ? Math.max(runs.x0[k], left[y]) : runs.x0[k];
    const b = right ? Math.min(runs.x1[k], right[y]) : runs.x1[k];
    const src = y * w, dst = (y - box.y) * box.width - box.x;
    for (let x = a; x < b; x++) out[dst + x] = data[src + x];
  }
  return { box, ink: { width: box.width, height: box.height, data: out } };
}
