/**
 * The printed lines of ruled paper, taken out of a photo's ink (step 6 of
 * lib/image/photo.ts's module comment): a number written in a notebook
 * stands on lines that run across the page, and often beside a margin line
 * from top to bottom. Left in, they join every digit into one piece of ink
 * that reads as nothing, or as a wrong digit.
 *
 * A line of the ruling is a band of a few rows in which the ink runs on for
 * at least RULE_LENGTH of the picture's width; a margin, a band of a few
 * columns in which it runs on for MARGIN_LENGTH of its height. The picture
 * is ruled when it has at least RULED_LINES lines: one long stroke is more
 * likely a digit's (the bar of a large 7, an underline); then the lines' ink
 * is cleared, and the margins'. Where the writing crosses or touches a line,
 * the line's pixels that have ink right beside them (above or below, left or
 * right of a margin) stay, so that the strokes keep their length.
 *
 * @module
 */
import type { InkImage } from "./photo.ts";

/**
 * A line of the ruling runs on across at least this part of the picture's
 * width: further than a digit's bar or an underline, short of the whole
 * width where the photo's light fades at an edge. At least a half, which
 * `bands()` relies on to skip lines.
 */
export const RULE_LENGTH = 0.5;
/**
 * A margin runs on down at least this part of the picture's height: further
 * than a "1" written between the lines.
 */
export const MARGIN_LENGTH = 0.8;
/**
 * A line or a margin is at most this part of its length thick, and at least
 * 8 pixels: a photo's blur widens a printed line of 2 or 3 pixels to 6 or 8.
 */
export const RULE_THICKNESS = 0.03;
/** Gaps in a line up to this part of its length are bridged. */
export const RULE_GAP = 0.01;
/** A picture is ruled with at least this many lines across it. */
export const RULED_LINES = 3;

/** A band of rows (or columns) of a line, and where along it the ink runs on. */
interface Band {
  from: number;
  to: number;
  /** Per position along the band, 1 where a long run passes. */
  along: Uint8Array;
}

/**
 * Clears the ruling from `ink`, in place, when it is ruled (see the module
 * comment); returns how many lines it cleared (0: not ruled, unchanged).
 */
export function removeRuling(ink: InkImage): number {
  const across = bands(ink, false);
  if (across.length < RULED_LINES) return 0;
  const down = bands(ink, true);
  for (const band of across) clear(ink, band, false);
  for (const band of down) clear(ink, band, true);
  return across.length + down.length;
}

/**
 * The thin bands of long runs of ink: along the rows, or with `columns`
 * along the columns.
 */
function bands(ink: InkImage, columns: boolean): Band[] {
  const { width: w, height: h, data } = ink;
  const length = columns ? h : w, count = columns ? w : h;
  const least = Math.max(
    1,
    Math.round((columns ? MARGIN_LENGTH : RULE_LENGTH) * length),
  );
  const thickest = Math.max(8, Math.round(RULE_THICKNESS * length));
  const at = columns
    ? (line: number, k: number) => data[k * w + line]
    : (line: number, k: number) => data[line * w + k];
  // A printed line fades in places, on a photo: gaps this short are
  // bridged.
  const gap = Math.round(RULE_GAP * length);
  const found: Band[] = [];
  let open: Band | null = null;
  // A run at least half as long as the line covers its middle, or a gap
  // there: a line with no ink near its middle has none, and is not scanned.
  const mid = length >> 1;
  const near = (line: number) => {
    for (
      let k = Math.max(0, mid - gap - 1);
      k <= mid + gap && k < length;
      k++
    ) {
      if (at(line, k) !== 0) return true;
    }
    return false;
  };
  for (let line = 0; line < count; line++) {
    let long = false;
    for (let k = near(line) ? 0 : length; k < length;) {
      if (at(line, k) === 0) {
        k++;
        continue;
      }
      // The run from k, across gaps of at most `gap` paper pixels.
      let end = k, last = k;
      while (end < length && end - last <= gap + 1) {
        if (at(line, end) !== 0) last = end;
        end++;
      }
      end = last + 1;
      if (end - k >= least) {
        if (!long && !open) {
          open = { from: line, to: line + 1, along: new Uint8Array(length) };
        }
        long = true;
        open!.to = line + 1;
        open!.along.fill(1, k, end);
      }
      k = end;
    }
    if (!long && open) {
      if (open.to - open.from <= thickest) found.push(open);
      open = null;
    }
  }
  if (open && open.to - open.from <= thickest) found.push(open);
  return found;
}

/**
 * Clears `band` where nothing crosses it: the pixels along it whose
 * neighbours just outside the band, on either side, are paper.
 */
function clear(ink: InkImage, band: Band, columns: boolean): void {
  const { width: w, height: h, data } = ink;
  const count = columns ? w : h;
  const index = columns
    ? (line: number, k: number) => k * w + line
    : (line: number, k: number) => line * w + k;
  const before = band.from - 1, after = band.to;
  for (let k = 0; k < band.along.length; k++) {
    if (!band.along[k]) continue;
    const crossed = (before >= 0 && data[index(before, k)] !== 0) ||
      (after < count && data[index(after, k)] !== 0);
    if (crossed) continue;
    for (let line = band.from; line < band.to; line++) {
      data[index(line, k)] = 0;
    }
  }
}
